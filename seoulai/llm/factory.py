"""One factory for the chat model and one for the embedder, chosen by settings only.

Every LlamaIndex object is built with explicit arguments (base_url, timeouts, context window); nothing
relies on LlamaIndex's global ``Settings``, which has no default model in core and raises.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from seoulai.config import EmbedSettings, LLMSettings, Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.llms import LLM


def build_llm(settings: Settings) -> "LLM | None":
    """Return the configured chat model, or None in retrieval-only mode (backend ``none``)."""
    cfg = settings.llm
    if cfg.backend == "none":
        return None
    if cfg.backend == "ollama":
        return _ollama_llm(cfg, settings.ollama_url)
    if cfg.backend == "openai_like":
        return _openai_like_llm(cfg)
    if cfg.backend == "llamacpp":
        return _llamacpp_llm(cfg)
    raise ValueError(f"unknown LLM backend {cfg.backend!r}")


def build_embedder(settings: Settings) -> "BaseEmbedding | None":
    """Return the configured embedder, or None when dense retrieval is off (backend ``none``)."""
    cfg = settings.embed
    if cfg.backend == "none":
        return None
    if cfg.backend == "embedded":
        from seoulai.llm.e5_onnx import MODEL, OnnxE5

        return OnnxE5(model_name=MODEL, embed_batch_size=cfg.batch_size, cache_dir=str(model_dir(cfg)),
                      threads=cfg.threads)
    if cfg.backend == "ollama":
        return _ollama_embedder(cfg, settings)
    if cfg.backend == "openai_like":
        return _openai_like_embedder(cfg)
    raise ValueError(f"unknown embedding backend {cfg.backend!r}")


def _ollama_llm(cfg: LLMSettings, base_url: str) -> "LLM":
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=cfg.model,
        base_url=base_url,
        request_timeout=cfg.request_timeout,
        # An explicit window avoids an /api/show round trip on every request.
        context_window=cfg.context_window,
        temperature=cfg.temperature,
        keep_alive=cfg.keep_alive,
        additional_kwargs={"num_predict": cfg.max_output_tokens},
    )


def _openai_like_llm(cfg: LLMSettings) -> "LLM":
    from llama_index.llms.openai_like import OpenAILike

    if not cfg.api_base:
        raise ValueError("SEOULAI_LLM__API_BASE must be set for the openai_like backend")
    return OpenAILike(
        model=cfg.model,
        api_base=cfg.api_base,
        api_key=cfg.api_key.get_secret_value(),
        context_window=cfg.context_window,
        is_chat_model=True,
        max_tokens=cfg.max_output_tokens,
        temperature=cfg.temperature,
        timeout=cfg.request_timeout,
        max_retries=1,
    )


def _llamacpp_llm(cfg: LLMSettings) -> "LLM":
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:  # the optional `local` extra is not installed
        raise ValueError(
            "llamacpp 백엔드에는 `pip install -e .[local]`(llama-cpp-python)이 필요합니다."
        ) from exc
    if cfg.gguf_path is None or not cfg.gguf_path.is_file():
        raise ValueError(f"SEOULAI_LLM__GGUF_PATH가 가리키는 GGUF 파일이 없습니다: {cfg.gguf_path}")
    model_kwargs: dict[str, object] = {"n_gpu_layers": 0}
    if cfg.threads:
        model_kwargs["n_threads"] = cfg.threads
    return LlamaCPP(
        model_path=str(cfg.gguf_path),
        temperature=cfg.temperature,
        max_new_tokens=cfg.max_output_tokens,
        context_window=cfg.context_window,
        model_kwargs=model_kwargs,
        messages_to_prompt=lambda messages: format_chat_prompt(messages, cfg.chat_format),
        completion_to_prompt=lambda text: format_completion_prompt(text, cfg.chat_format),
        verbose=False,
    )


def format_chat_prompt(messages: "Sequence[ChatMessage]", chat_format: str) -> str:
    """Render chat messages in the GGUF model's own turn format (gemma or chatml)."""
    if chat_format == "gemma":
        # Gemma has no system role: the system text is prefixed to the first user turn.
        system = "\n\n".join(str(m.content) for m in messages if m.role.value == "system")
        parts: list[str] = []
        for message in messages:
            role = message.role.value
            if role == "system":
                continue
            text = str(message.content)
            if role == "user" and system:
                text, system = f"{system}\n\n{text}", ""
            turn = "model" if role == "assistant" else "user"
            parts.append(f"<start_of_turn>{turn}\n{text}<end_of_turn>\n")
        return "".join(parts) + "<start_of_turn>model\n"
    if chat_format == "chatml":
        body = "".join(f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages)
        return body + "<|im_start|>assistant\n"
    raise ValueError(f"unknown chat format {chat_format!r}")


def format_completion_prompt(text: str, chat_format: str) -> str:
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    return format_chat_prompt([ChatMessage(role=MessageRole.USER, content=text)], chat_format)


def close_model(model: object | None) -> None:
    """Close what a built backend holds open: the HTTP client of Ollama and OpenAI-compatible backends, the
    llama.cpp model. Safe for any backend and for None; async clients are never opened by this product."""
    if model is None:
        return
    for name in ("_client", "_model"):
        held = getattr(model, name, None)
        close = getattr(held, "close", None)
        if callable(close) and not inspect.iscoroutinefunction(close):
            close()


def model_dir(cfg: EmbedSettings) -> Path:
    """Where the embedded embedder keeps the int8 model it builds on first use (once per machine)."""
    return cfg.model_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "seoulai" / "models"


def embed_model_name(cfg: EmbedSettings) -> str:
    if cfg.backend == "embedded":
        from seoulai.llm.e5_onnx import MODEL

        return MODEL
    return cfg.model or "bge-m3"


def _ollama_embedder(cfg: EmbedSettings, settings: Settings) -> "BaseEmbedding":
    from llama_index.embeddings.ollama import OllamaEmbedding

    return OllamaEmbedding(
        model_name=embed_model_name(cfg),
        base_url=settings.ollama_url,
        embed_batch_size=cfg.batch_size,
        keep_alive=settings.llm.keep_alive,
        # The embedder's client has no timeout by default: a hung server would hang ingestion.
        client_kwargs={"timeout": cfg.request_timeout},
    )


def _openai_like_embedder(cfg: EmbedSettings) -> "BaseEmbedding":
    from llama_index.embeddings.openai_like import OpenAILikeEmbedding

    if not cfg.api_base:
        raise ValueError("SEOULAI_EMBED__API_BASE must be set for the openai_like embedder")
    return OpenAILikeEmbedding(
        model_name=embed_model_name(cfg),
        api_base=cfg.api_base,
        api_key=cfg.api_key.get_secret_value(),
        embed_batch_size=cfg.batch_size,
        timeout=cfg.request_timeout,
        max_retries=1,
    )
