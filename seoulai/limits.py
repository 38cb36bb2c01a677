"""Limits on what one person may send and spend: the length of every text they send (checked before any analysis,
at the service boundary, by :func:`bounded`), the length of every prompt (checked by the model gateway), and the
per-person rate limit and daily quota of model requests, counted in the state store (so every app server counts
the same requests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from seoulai.errors import InputError, SeoulAIError
from seoulai.state.stores import QuotaStore
from seoulai.text.times import in_seoul


@dataclass(frozen=True)
class TextLimits:
    """Longest text, in characters, of each thing a person sends. The pages give the same numbers to their inputs
    (``max_chars``); the services refuse more, whatever sent it (a browser, a forged WebSocket message, the CLI)."""

    question: int = 2000  # a question or follow-up (settings.answer.max_question_chars)
    field: int = 300  # a one-line draft field (제목, 수신, 담당자 …)
    long_field: int = 3000  # a multi-line draft field (주요 내용, 검토 의견 …)
    instruction: int = 500  # 고칠 점 of a section written again
    section: int = 8000  # a draft section as the person edited it (sent back as the previous draft)
    comment: int = 1000  # a feedback comment
    title: int = 80  # a conversation's name
    references: int = 10  # references chosen for one draft (each a passage of the library)
    prompt: int = 40_000  # all messages of one model request (the gateway's bound, whatever the feature)

    @classmethod
    def of(cls, settings: object) -> "TextLimits":
        """The limits under these settings (the question limit is a setting; the rest are fixed here)."""
        answer = getattr(settings, "answer", None)
        return cls(question=getattr(answer, "max_question_chars", cls.question))


LIMITS = TextLimits()


def bounded(text: str, limit: int, what: str, code: str = "too_long") -> str:
    """``text`` if it is at most ``limit`` characters, else an InputError saying the limit, in Korean. Every service
    calls this on what a person sent before anything else looks at it (PII detection, analysis, a prompt)."""
    if len(text) > limit:
        raise InputError(f"{what}{_subject(what)} 너무 깁니다 ({len(text):,}자). {limit:,}자 이하로 줄여서 다시 입력해 주세요.",
                         code=code)
    return text


def _subject(word: str) -> str:
    """이 or 가, by the word's last syllable (의견이, 고칠 점이, 질문이 / 제목이 … 담당자가)."""
    last = word.strip()[-1:] or "가"
    return "이" if "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 else "가"


class RateLimited(SeoulAIError):
    code = "rate_limited"


class ModelQuota:
    def __init__(self, store: QuotaStore, per_minute: int, per_day: int, sleep: Callable[[float], None] = time.sleep
                 ) -> None:
        self.store = store
        self.per_minute = per_minute
        self.per_day = per_day
        self._sleep = sleep

    def take(self, who: str, now: float | None = None, today: date | None = None, wait: bool = False) -> None:
        """Count one model request for ``who`` or raise RateLimited with a Korean message.

        ``wait``: a request that continues a use already under way (the 12th window of a summary) waits for the
        per-minute limit instead of failing half-way; the daily quota still stops it."""
        while True:
            moment = time.time() if now is None else now
            day = today or in_seoul(moment).date()  # the day turns at midnight in Seoul, whatever the server's zone
            refused = self.store.take(who, self.per_minute, self.per_day, moment, day.isoformat())
            if refused is None:
                return
            kind, seconds = refused
            if kind == "minute" and wait and now is None:
                self._sleep(min(max(seconds, 0.5), 60.0))
                continue
            if kind == "minute":
                raise RateLimited(f"질문이 너무 잦습니다 (1분에 {self.per_minute}회까지). {int(seconds) + 1}초 뒤에 다시 "
                                  "시도하세요.")
            raise RateLimited(f"오늘 사용할 수 있는 답변 생성 횟수({self.per_day}회)를 모두 썼습니다. 내일 다시 "
                              "이용하거나 검색만 보기를 쓰세요.")

    def charger(self, who: str) -> Callable[[int], None]:
        """What a :class:`~seoulai.llm.chat.Call` runs before each of its requests (``made``: requests already sent
        for the same use)."""
        return lambda made: self.take(who, wait=made > 0)
