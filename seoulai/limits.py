"""Per-person rate limit and daily quota for model calls (in memory, per app process)."""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import date

from seoulai.errors import SeoulAIError


class RateLimited(SeoulAIError):
    code = "rate_limited"


class ModelQuota:
    def __init__(self, per_minute: int, per_day: int) -> None:
        self.per_minute = per_minute
        self.per_day = per_day
        self._recent: dict[str, deque[float]] = {}
        self._daily: dict[tuple[str, date], int] = {}
        self._lock = threading.Lock()

    def take(self, who: str, now: float | None = None, today: date | None = None) -> None:
        """Count one model call for ``who`` or raise RateLimited with a Korean message."""
        now = time.monotonic() if now is None else now
        today = today or date.today()
        with self._lock:
            recent = self._recent.setdefault(who, deque())
            while recent and now - recent[0] > 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                wait = int(60 - (now - recent[0])) + 1
                raise RateLimited(f"질문이 너무 잦습니다 (1분에 {self.per_minute}회까지). {wait}초 뒤에 다시 시도하세요.")
            used = self._daily.get((who, today), 0)
            if used >= self.per_day:
                raise RateLimited(f"오늘 사용할 수 있는 답변 생성 횟수({self.per_day}회)를 모두 썼습니다. 내일 다시 "
                                  "이용하거나 검색만 보기를 쓰세요.")
            recent.append(now)
            self._daily[(who, today)] = used + 1
