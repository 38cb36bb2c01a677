"""Per-person rate limit and daily quota for model calls, counted in the state store (so every app server
counts the same calls)."""

from __future__ import annotations

import time
from datetime import date

from seoulai.errors import SeoulAIError
from seoulai.state.stores import QuotaStore


class RateLimited(SeoulAIError):
    code = "rate_limited"


class ModelQuota:
    def __init__(self, store: QuotaStore, per_minute: int, per_day: int) -> None:
        self.store = store
        self.per_minute = per_minute
        self.per_day = per_day

    def take(self, who: str, now: float | None = None, today: date | None = None) -> None:
        """Count one model call for ``who`` or raise RateLimited with a Korean message."""
        refused = self.store.take(who, self.per_minute, self.per_day, time.time() if now is None else now,
                                  (today or date.today()).isoformat())
        if refused is None:
            return
        kind, wait = refused
        if kind == "minute":
            raise RateLimited(f"질문이 너무 잦습니다 (1분에 {self.per_minute}회까지). {int(wait) + 1}초 뒤에 다시 시도하세요.")
        raise RateLimited(f"오늘 사용할 수 있는 답변 생성 횟수({self.per_day}회)를 모두 썼습니다. 내일 다시 "
                          "이용하거나 검색만 보기를 쓰세요.")
