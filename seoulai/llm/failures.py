"""Translate model-server failures into Korean messages with a next step.

The ``ollama`` and ``httpx`` exceptions differ by backend and version; every caller goes through
:func:`translate` so the person always sees one of a few known situations, never a traceback.
"""

from __future__ import annotations

import logging

import httpx

from seoulai.errors import SeoulAIError

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {
    "unreachable": "모델 서버에 연결할 수 없습니다. 관리자에게 Ollama 서버가 실행 중인지 확인을 요청하세요. "
    "그동안 검색 결과는 계속 이용할 수 있습니다.",
    "busy": "모델 서버가 요청이 많아 지금은 응답할 수 없습니다. 잠시 후 다시 시도하세요.",
    "timeout": "모델 응답 시간이 초과되었습니다. 질문을 짧게 나누거나 잠시 후 다시 시도하세요.",
    "model_not_found": "설정된 모델이 서버에 없습니다. 관리자에게 `bash ollama/setup.sh` 실행을 요청하세요.",
    "cut": "모델 응답이 중간에 끊겼습니다. 아래 답변은 불완전할 수 있으니 다시 시도하세요.",
    "disabled": "언어 모델이 설정되지 않은 검색 전용 모드입니다. 근거 문단만 보여 드립니다.",
    "rate_limited": "요청 한도에 도달했습니다. 잠시 후 다시 시도하세요.",
    "llm_error": "모델 호출 중 알 수 없는 오류가 발생했습니다. 잠시 후 다시 시도하고, 계속되면 관리자에게 알려 주세요.",
}


class LLMError(SeoulAIError):
    """A model call failed; ``code`` is one of MESSAGES' keys."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(MESSAGES.get(code, MESSAGES["llm_error"]), code=code)
        self.detail = detail


def translate(exc: BaseException) -> LLMError:
    """Map any exception raised by a model client to an :class:`LLMError` and log the original."""
    if isinstance(exc, LLMError):
        return exc
    code = _classify(exc)
    log.error("model call failed (%s): %s: %s", code, type(exc).__name__, exc)
    return LLMError(code, detail=f"{type(exc).__name__}: {exc}")


def _classify(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    if status is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
    if status == 503 or status == 429:
        return "busy"
    if status == 404:
        return "model_not_found"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "cut"
    if isinstance(exc, (httpx.ConnectError, ConnectionRefusedError)):
        return "unreachable"
    name = type(exc).__name__
    text = str(exc).lower()
    # openai's client wraps httpx errors in its own classes.
    if name in ("APITimeoutError",):
        return "timeout"
    if name in ("APIConnectionError",):
        return "cut" if "incomplete" in text or "peer closed" in text else "unreachable"
    if "failed to connect" in text or "connection refused" in text:
        return "unreachable"
    if "incomplete chunked read" in text or "peer closed connection" in text:
        return "cut"
    if exc.__cause__ is not None and exc.__cause__ is not exc:
        return _classify(exc.__cause__)
    return "llm_error"
