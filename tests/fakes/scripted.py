"""An in-process scripted chat model (a real LlamaIndex LLM subclass) that records every request.

For service tests that are about our logic, not the client protocol: no HTTP server to start. Protocol tests
keep using tests/fakes/ollama_server.py with the real Ollama client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ChatResponseGen, MessageRole
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from pydantic import PrivateAttr

from seoulai.llm import ChatModel


class ScriptedLLM(CustomLLM):
    _replies: deque[str] = PrivateAttr(default_factory=deque)
    _requests: list[list[dict[str, str]]] = PrivateAttr(default_factory=list)
    _responder: Callable[[list[dict[str, str]]], str] | None = PrivateAttr(default=None)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=8192, num_output=512, is_chat_model=True, model_name="scripted")

    def script(self, *replies: str) -> None:
        self._replies.extend(replies)

    def respond_with(self, responder: Callable[[list[dict[str, str]]], str]) -> None:
        self._responder = responder

    @property
    def requests(self) -> list[list[dict[str, str]]]:
        return self._requests

    def _reply(self, messages: list[dict[str, str]]) -> str:
        self._requests.append(messages)
        if self._replies:
            return self._replies.popleft()
        if self._responder is not None:
            return self._responder(messages)
        return "스크립트 응답입니다 [1]."

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        text = self._reply([{"role": m.role.value, "content": str(m.content)} for m in messages])

        def gen() -> ChatResponseGen:
            so_far = ""
            for word in text.split(" "):
                delta = (" " if so_far else "") + word
                so_far += delta
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=so_far), delta=delta,
                                   raw={"prompt_eval_count": 10, "eval_count": len(so_far.split())})

        return gen()

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        *_, last = self.stream_chat(messages)
        return last

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._reply([{"role": "user", "content": prompt}]))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text
        yield CompletionResponse(text=text, delta=text)


def scripted_chat() -> tuple[ChatModel, ScriptedLLM]:
    llm = ScriptedLLM()
    return ChatModel(lambda: llm, name="scripted"), llm
