"""The real ollama client (through the LlamaIndex classes) against the protocol-faithful fake server."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from seoulai.config import Settings
from seoulai.llm import ChatModel, LLMError, Message, StreamInterrupted, build_embedder, build_llm
from tests.fakes.ollama_server import FakeOllama, Reply, fake_embedding

QUESTION = [Message("system", "당신은 도우미입니다."), Message("user", "민원 처리기간은?")]


def _settings(url: str, **llm: object) -> Settings:
    return Settings(ollama_url=url, llm={"request_timeout": 5, **llm}, embed={"backend": "ollama", "request_timeout": 5})


@pytest.fixture
def chat_at(closing: Callable[[ChatModel], ChatModel]) -> Callable[..., ChatModel]:
    def make(url: str, **llm: object) -> ChatModel:
        settings = _settings(url, **llm)
        return closing(ChatModel(lambda: build_llm(settings), name="seoulai"))
    return make


def test_chat_returns_scripted_reply_and_sends_explicit_options(fake_ollama: FakeOllama, closing: Callable) -> None:
    fake_ollama.script("처리기간은 7일입니다 [1].")
    llm = closing(build_llm(_settings(fake_ollama.url, max_output_tokens=77, keep_alive="5m")))
    from llama_index.core.base.llms.types import ChatMessage

    response = llm.chat([ChatMessage(role="user", content="질문")])
    assert response.message.content == "처리기간은 7일입니다 [1]."
    request = fake_ollama.chat_requests()[-1]
    assert request.body["model"] == "seoulai"
    assert request.body["options"]["num_predict"] == 77
    assert request.body["options"]["num_ctx"] == 8192
    assert request.body["keep_alive"] == "5m"
    # An explicit context window means no /api/show round trip.
    assert not [r for r in fake_ollama.requests if r.path == "/api/show"]


def test_streaming_yields_tokens_in_order(fake_ollama: FakeOllama, chat_at: Callable[..., ChatModel]) -> None:
    fake_ollama.script("민원 처리기간은 접수일부터 기산합니다.")
    deltas = list(chat_at(fake_ollama.url).stream(QUESTION))
    assert len(deltas) == 4
    assert "".join(deltas) == "민원 처리기간은 접수일부터 기산합니다."
    body = fake_ollama.chat_requests()[-1].body
    assert body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_embeddings_are_deterministic_and_batched(fake_ollama: FakeOllama, closing: Callable) -> None:
    embedder = closing(build_embedder(_settings(fake_ollama.url)))
    assert embedder is not None
    vectors = embedder.get_text_embedding_batch(["행정절차법 제1조", "민원처리법"])
    assert vectors[0] == pytest.approx(fake_embedding("행정절차법 제1조"))
    assert len(vectors[1]) == 256
    embed_calls = [r for r in fake_ollama.requests if r.path == "/api/embed"]
    assert embed_calls and embed_calls[0].body["input"] == ["행정절차법 제1조", "민원처리법"]


@pytest.mark.parametrize(
    ("reply", "code", "phrase"),
    [
        (Reply(fault="overloaded"), "busy", "잠시 후 다시 시도"),
        (Reply(fault="not_found"), "model_not_found", "ollama/setup.sh"),
        (Reply(content="느린 응답", first_token_delay=3.0), "timeout", "시간이 초과"),
    ],
)
def test_faults_before_any_text_become_korean_errors(
    fake_ollama: FakeOllama, caplog: pytest.LogCaptureFixture, reply: Reply, code: str, phrase: str,
    chat_at: Callable[..., ChatModel],
) -> None:
    fake_ollama.script(reply)
    chat = chat_at(fake_ollama.url, request_timeout=1)
    with caplog.at_level(logging.ERROR), pytest.raises(LLMError) as info:
        list(chat.stream(QUESTION))
    assert info.value.code == code
    assert phrase in info.value.message
    assert not isinstance(info.value, StreamInterrupted)
    assert any(code in record.getMessage() for record in caplog.records), "the failure must be logged"


def test_cut_mid_stream_keeps_the_partial_text(fake_ollama: FakeOllama, caplog: pytest.LogCaptureFixture,
                                               chat_at: Callable[..., ChatModel]) -> None:
    fake_ollama.script(Reply(content="하나 둘 셋 넷 다섯 여섯", fault="cut", cut_after_tokens=3))
    received: list[str] = []
    with caplog.at_level(logging.ERROR), pytest.raises(StreamInterrupted) as info:
        for delta in chat_at(fake_ollama.url).stream(QUESTION):
            received.append(delta)
    assert info.value.code == "cut"
    assert info.value.partial == "하나 둘 셋 " == "".join(received)
    assert "끊겼습니다" in info.value.message
    assert caplog.records


def test_unreachable_server_is_reported_in_korean(dead_url: str, chat_at: Callable[..., ChatModel]) -> None:
    with pytest.raises(LLMError) as info:
        chat_at(dead_url).generate(QUESTION)
    assert info.value.code == "unreachable"
    assert "연결할 수 없습니다" in info.value.message


def test_none_backend_is_retrieval_only() -> None:
    chat = ChatModel(lambda: build_llm(Settings(llm={"backend": "none"})), name="")
    assert not chat.configured
    with pytest.raises(LLMError) as info:
        chat.generate(QUESTION)
    assert info.value.code == "disabled"
    assert build_embedder(Settings(embed={"backend": "none"})) is None


def test_openai_like_backend_streams_from_a_vllm_style_server(fake_ollama: FakeOllama, closing: Callable) -> None:
    fake_ollama.script("vLLM 응답입니다.")
    settings = Settings(llm={"backend": "openai_like", "api_base": f"{fake_ollama.url}/v1", "model": "seoulai",
                             "request_timeout": 5},
                        embed={"backend": "openai_like", "api_base": f"{fake_ollama.url}/v1", "model": "bge-m3"})
    chat = closing(ChatModel(lambda: build_llm(settings), name="seoulai"))
    assert "".join(chat.stream(QUESTION)) == "vLLM 응답입니다."
    assert fake_ollama.chat_requests()[-1].body["max_tokens"] == 1024
    embedder = closing(build_embedder(settings))
    assert embedder is not None
    assert embedder.get_query_embedding("소방") == pytest.approx(fake_embedding("소방"))


def test_openai_like_overload_is_busy(fake_ollama: FakeOllama, closing: Callable) -> None:
    fake_ollama.sticky_fault = "overloaded"  # the OpenAI client retries once
    settings = Settings(llm={"backend": "openai_like", "api_base": f"{fake_ollama.url}/v1", "request_timeout": 5})
    with pytest.raises(LLMError) as info:
        closing(ChatModel(lambda: build_llm(settings), name="seoulai")).generate(QUESTION)
    assert info.value.code == "busy"


def test_misconfigured_backend_does_not_raise_on_construction() -> None:
    chat = ChatModel(lambda: build_llm(Settings(llm={"backend": "llamacpp", "gguf_path": "/nonexistent.gguf"})),
                     name="x")
    assert not chat.configured
    with pytest.raises(LLMError) as info:
        chat.generate(QUESTION)
    assert info.value.code == "llm_error"


def test_the_embedded_embedder_needs_no_server() -> None:
    import numpy as np

    embedder = build_embedder(Settings(ollama_url="http://127.0.0.1:9"))  # nothing listens there
    assert embedder is not None
    query = np.array(embedder.get_query_embedding("민원 처리기간은 어떻게 계산하나요?"))
    passages = np.array(embedder.get_text_embedding_batch([
        "민원의 처리기간을 6일 이상으로 정한 경우에는 일 단위로 계산하고 첫날을 산입한다.",
        "소방안전관리자는 소방계획서를 작성하여야 한다."]))
    assert passages.shape == (2, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    scores = passages @ query
    assert scores[0] > scores[1]  # the passage that answers ranks first
