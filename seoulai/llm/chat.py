"""A thin, error-translating wrapper over a LlamaIndex chat model.

Pages and services call this instead of the LLM directly so that every backend failure becomes an
:class:`~seoulai.llm.errors.LLMError` with a Korean message, and a stream cut half-way is reported
with the text received so far.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seoulai.llm.errors import LLMError, translate

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


class StreamInterrupted(LLMError):
    """The stream failed after some text arrived; ``partial`` holds it."""

    def __init__(self, cause: LLMError, partial: str) -> None:
        super().__init__(cause.code if cause.code != "llm_error" else "cut", cause.detail)
        self.partial = partial


class ChatModel:
    """Chat access for services. Builds the backend lazily (a GGUF model takes seconds to load)."""

    def __init__(self, builder: Callable[[], "LLM | None"], name: str) -> None:
        self._builder = builder
        self._llm: LLM | None = None
        self._built = False
        self._build_error: LLMError | None = None
        self._lock = threading.Lock()
        self.name = name

    def _get(self) -> "LLM":
        with self._lock:
            if not self._built:
                try:
                    self._llm = self._builder()
                except Exception as exc:  # misconfiguration must not take the app down
                    log.error("could not build the chat model: %s", exc)
                    self._build_error = LLMError("llm_error", detail=str(exc))
                self._built = True
        if self._build_error is not None:
            raise self._build_error
        if self._llm is None:
            raise LLMError("disabled")
        return self._llm

    @property
    def configured(self) -> bool:
        """False in retrieval-only mode (backend none) or when the backend could not be built."""
        try:
            self._get()
        except LLMError:
            return False
        return True

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """Yield text deltas; raise LLMError (StreamInterrupted once text has arrived)."""
        llm = self._get()
        received: list[str] = []
        try:
            for chunk in llm.stream_chat(_to_llama(messages)):
                delta = chunk.delta or ""
                if delta:
                    received.append(delta)
                    yield delta
        except Exception as exc:  # every backend raises its own classes
            error = translate(exc)
            if received:
                raise StreamInterrupted(error, "".join(received)) from exc
            raise error from exc

    def generate(self, messages: Sequence[Message]) -> str:
        """Return the whole reply (streamed underneath, so a slow model does not hit one long read)."""
        return "".join(self.stream(messages))


def _to_llama(messages: Sequence[Message]) -> list:
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    roles = {"system": MessageRole.SYSTEM, "user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}
    return [ChatMessage(role=roles[m.role], content=m.content) for m in messages]
