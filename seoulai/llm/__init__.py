"""Model backends behind one factory: ollama (default), openai_like (vLLM), llamacpp (optional), none."""

from seoulai.llm.chat import Call, ChatModel, Message, StreamInterrupted
from seoulai.llm.failures import LLMError
from seoulai.llm.factory import build_embedder, build_llm, close_model
from seoulai.llm.health import HealthReport, check_health

__all__ = ["Call", "ChatModel", "HealthReport", "LLMError", "Message", "StreamInterrupted", "build_embedder",
           "build_llm", "check_health", "close_model"]
