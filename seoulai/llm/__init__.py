"""Model backends behind one factory: ollama (default), openai_like (vLLM), llamacpp (optional), none."""

from seoulai.llm.chat import ChatModel, Message, StreamInterrupted
from seoulai.llm.errors import LLMError
from seoulai.llm.factory import build_embedder, build_llm
from seoulai.llm.health import HealthReport, check_health

__all__ = ["ChatModel", "HealthReport", "LLMError", "Message", "StreamInterrupted", "build_embedder",
           "build_llm", "check_health"]
