"""A thin, error-translating wrapper over a LlamaIndex chat model.

Pages and services call this instead of the LLM directly so that every backend failure becomes an
:class:`~seoulai.llm.failures.LLMError` with a Korean message, and a stream cut half-way is reported
with the text received so far.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seoulai.limits import LIMITS
from seoulai.llm.failures import LLMError, translate
from seoulai.privacy.pii import mask

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass
class Call:
    """One use of the model on behalf of one person (an answer, a summary, a section), of one or more requests.

    ``charge`` (the person's quota) runs before *every* request goes out, here at the gateway every request passes:
    a summary of 25 windows costs 25, a question answered without the model costs nothing, and no feature can
    forget to charge. It receives the number of requests already made for this use (the quota lets a use under
    way wait for the per-minute limit rather than stop half-way). Token counts of every request are summed.
    """

    charge: Callable[[int], None] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    requests: int = 0

    def start(self) -> None:
        if self.charge is not None:
            self.charge(self.requests)  # raises (RateLimited) before the request is counted or sent
        self.requests += 1

    def count(self, raw: Any) -> None:
        """Token counts from a backend's final chunk: Ollama's eval counts or an OpenAI usage block."""
        if isinstance(raw, dict):
            usage = raw.get("usage") or {}
            self.tokens_in += int(raw.get("prompt_eval_count") or usage.get("prompt_tokens") or 0)
            self.tokens_out += int(raw.get("eval_count") or usage.get("completion_tokens") or 0)
            return
        usage = getattr(raw, "usage", None)
        if usage is not None:
            self.tokens_in += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.tokens_out += int(getattr(usage, "completion_tokens", 0) or 0)


class StreamInterrupted(LLMError):
    """The stream failed after some text arrived; ``partial`` holds it."""

    def __init__(self, cause: LLMError, partial: str) -> None:
        super().__init__(cause.code if cause.code != "llm_error" else "cut", cause.detail)
        self.partial = partial


class PromptTooLong(LLMError):
    """A request longer than the gateway's bound: refused before it is sent (no feature may send a prompt of any
    length, whatever reached it)."""

    def __init__(self, chars: int, limit: int) -> None:
        super().__init__("prompt_too_long", detail=f"{chars} > {limit}")
        self.message = (f"모델에 보낼 내용이 너무 깁니다 ({chars:,}자, 한도 {limit:,}자). 입력한 내용이나 고른 자료를 "
                        "줄여서 다시 시도하세요.")
        self.args = (self.message,)


class ChatModel:
    """Chat access for services, the one gateway every model request passes: it bounds the prompt, masks personal
    data, charges the person's quota per request and translates failures. Builds the backend lazily (a GGUF model
    takes seconds to load)."""

    def __init__(self, builder: Callable[[], "LLM | None"], name: str, max_prompt_chars: int = LIMITS.prompt) -> None:
        self.max_prompt_chars = max_prompt_chars
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
                except Exception as exc:  # noqa: BLE001 - misconfiguration must not take the app down
                    log.error("could not build the chat model: %s", exc)
                    self._build_error = LLMError("llm_error", detail=str(exc))
                self._built = True
        if self._build_error is not None:
            raise self._build_error
        if self._llm is None:
            raise LLMError("disabled")
        return self._llm

    def close(self) -> None:
        """Close the backend's connections (it is built again on the next call)."""
        from seoulai.llm.factory import close_model

        with self._lock:
            llm, self._llm, self._built = self._llm, None, False
        close_model(llm)

    def __enter__(self) -> "ChatModel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def configured(self) -> bool:
        """False in retrieval-only mode (backend none) or when the backend could not be built."""
        try:
            self._get()
        except LLMError:
            return False
        return True

    def stream(self, messages: Sequence[Message], call: Call | None = None) -> Generator[str, None, None]:
        """Yield text deltas; raise LLMError (StreamInterrupted once text has arrived). A generator: a caller that
        stops early closes it, which ends the model's request.

        Every message is bounded and masked here, once, whatever the caller put in it; the request is charged to
        ``call`` just before it goes out.
        """
        chars = sum(len(m.content) for m in messages)
        if chars > self.max_prompt_chars:
            raise PromptTooLong(chars, self.max_prompt_chars)
        llm = self._get()
        outgoing = [Message(m.role, mask(m.content)) for m in messages]
        if call is not None:
            call.start()
        received: list[str] = []
        last = None
        try:
            for chunk in llm.stream_chat(_to_llama(outgoing)):
                last = chunk
                delta = chunk.delta or ""
                if delta:
                    received.append(delta)
                    yield delta
            if call is not None and last is not None:
                call.count(last.raw)
        except Exception as exc:  # every backend raises its own classes
            error = translate(exc)
            if received:
                raise StreamInterrupted(error, "".join(received)) from exc
            raise error from exc

    def generate(self, messages: Sequence[Message], call: Call | None = None) -> str:
        """Return the whole reply (streamed underneath, so a slow model does not hit one long read)."""
        return "".join(self.stream(messages, call))


def _to_llama(messages: Sequence[Message]) -> list[ChatMessage]:
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    roles = {"system": MessageRole.SYSTEM, "user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}
    return [ChatMessage(role=roles[m.role], content=m.content) for m in messages]
