"""The pilot's rollout: which 실/국/과 may use the product from which date (waves), and the announcement banner.

Rules (README, 단계별 개통과 공지 배너): with no wave at all everything is open (an install that never uses waves
works as before). Once any wave exists, a person's unit is open when it or a unit above it has a wave whose date
(Seoul's) has come; system administrators are always let in, so they can prepare. Waves and announcements are read
through a short cache on every page (the gate and the banner run on each rerun); this process's own changes clear
it at once, other servers' changes (and the command line's) show within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from seoulai.answer.scope import josa
from seoulai.auth.people import Person
from seoulai.auth.policy import Policy
from seoulai.auth.roles import Role
from seoulai.errors import InputError
from seoulai.services.accounts import AccountService, unit_label
from seoulai.services.recording import Recorder
from seoulai.state.rollout import AnnouncementRow, RolloutStore, WaveRow
from seoulai.text.times import today_in_seoul

CACHE_SECONDS = 5.0
MAX_BODY = 500
# The banner's kinds: stored code -> Korean label. 점검 안내 is shown as a warning, the others as information.
KINDS = {"maintenance": "점검 안내", "feature": "새 기능", "notice": "안내"}
_KIND_INPUT = {**{code: code for code in KINDS}, **{label.replace(" ", ""): code for code, label in KINDS.items()},
               "점검": "maintenance", "새기능": "feature"}
_DOTTED = re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\.?$")


def seoul_date(day: date) -> str:
    """"2026. 12. 14." (how a 공문서 writes a date)."""
    return f"{day.year}. {day.month}. {day.day}."


def parse_date(value: date | str, what: str = "날짜") -> date:
    """A date as a person types it: 2026-12-14, 2026.12.14 or 2026. 12. 14.; else a Korean error."""
    if isinstance(value, date):
        return value
    match = _DOTTED.match(value.strip())
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise InputError(f"{what}{josa(what, '을', '를')} 알 수 없습니다: {value or '(없음)'}. 2026-12-14처럼 연-월-일로 "
                     "쓰세요.", code="bad_date")


@dataclass(frozen=True)
class Access:
    """Whether a person may use the product today, and if not, from when."""

    open: bool
    unit: str  # the person's unit, "서울특별시/행정국/총무과"
    opens_on: date | None = None  # the day it opens (None: open, or no date set yet for the unit)
    decided_by: str = ""  # the unit whose wave gives that day (the unit itself or one above it)

    def message(self) -> str:
        """"행정국 > 총무과는 2026. 12. 14.부터 쓸 수 있습니다." (or that no date is set yet)."""
        label = unit_label(self.unit)
        particle = josa(label, "은", "는")
        if self.opens_on is None:
            return f"{label}{particle} 아직 개통일이 정해지지 않았습니다. 일정은 시스템 관리자에게 문의하세요."
        return f"{label}{particle} {seoul_date(self.opens_on)}부터 쓸 수 있습니다."


@dataclass(frozen=True)
class Wave:
    """One unit opened on a date, as the 개통·공지 page and `seoulai rollout list` show it."""

    unit: str  # "서울특별시/행정국"
    label: str  # "행정국"
    opens_on: date
    open: bool  # the date has come (Seoul's today)

    def to_json(self) -> dict[str, object]:
        return {"unit": self.unit, "label": self.label, "opens_on": self.opens_on.isoformat(), "open": self.open}


@dataclass(frozen=True)
class Announcement:
    id: str
    kind: str  # a key of KINDS
    body: str  # plain text: shown escaped, never as Markdown or HTML
    starts_on: date | None
    ends_on: date | None  # the last day it shows
    active: bool  # shown today

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def urgent(self) -> bool:
        """점검 안내: the banner shows it as a warning."""
        return self.kind == "maintenance"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "kind_label": self.kind_label, "body": self.body,
                "starts_on": self.starts_on.isoformat() if self.starts_on else None,
                "ends_on": self.ends_on.isoformat() if self.ends_on else None, "active": self.active}


class RolloutService:
    def __init__(self, policy: Policy, recorder: Recorder, store: RolloutStore, accounts: AccountService,
                 clock: Callable[[], date] = today_in_seoul) -> None:
        self.policy = policy
        self.recorder = recorder
        self.store = store
        self.accounts = accounts
        self.clock = clock  # Seoul's today (tests move it)
        self._lock = threading.Lock()
        self._cached: tuple[float, list[WaveRow], list[AnnouncementRow]] | None = None

    # -- who may use the product today ---------------------------------------------------------------------
    def status(self, person: Person) -> Access:
        """Open when no wave exists, for system administrators, and when the person's unit or one above it has a
        wave whose date has come; closed otherwise, with the earliest date of those waves (the day it opens)."""
        unit = self.policy.current_department(person.department)
        waves, _ = self._snapshot()
        if person.role is Role.ADMIN or not waves:
            return Access(True, unit)
        dated = self._dated(waves)
        chain = [unit, *_ancestors(unit)]
        covering = [(dated[u], u) for u in chain if u in dated]  # the unit itself first, then upwards
        today = self.clock()
        if any(day <= today for day, _ in covering):
            return Access(True, unit)
        if not covering:
            return Access(False, unit)
        # The ancestor rule opens the unit on the earliest of these dates; the nearest unit wins a tie.
        day, decided_by = min(covering, key=lambda pair: pair[0])
        return Access(False, unit, day, decided_by)

    # -- waves ----------------------------------------------------------------------------------------------
    def waves(self, by: Person | None = None) -> list[Wave]:
        """Every wave, in chart order, each with whether its date has come."""
        self._admin(by)
        today = self.clock()
        return [Wave(unit, unit_label(unit), day, day <= today)
                for unit, day in sorted(self._dated(self.store.waves()).items())]

    def open_unit(self, unit: str, on: date | str, by: Person | None = None) -> Wave:
        """Open ``unit`` (a path, a 과 name, a unit code or "행정국 > 총무과") and the units under it on ``on``; a day
        already past or today opens it at once. Setting it again moves the date."""
        actor = self._admin(by)
        path = self.unit_path(unit)
        day = parse_date(on, "개통일")
        before = self.store.set_wave(path, day.isoformat(), actor.pseudonym)
        self._changed()
        target = f"{path} ({before} → {day.isoformat()})" if before else f"{path} ({day.isoformat()})"
        self.recorder.audit(actor, "rollout_open", target)
        return Wave(path, unit_label(path), day, day <= self.clock())

    def close_unit(self, unit: str, by: Person | None = None) -> bool:
        """Remove ``unit``'s wave (the units above it decide again); False when it had none."""
        actor = self._admin(by)
        path = self.unit_path(unit)
        stored = [w.unit for w in self.store.waves() if self.policy.current_department(w.unit) == path]
        removed = sum(self.store.remove_wave(u) for u in stored) > 0
        self._changed()
        if removed:
            self.recorder.audit(actor, "rollout_close", path)
        return removed

    def unit_path(self, unit: str) -> str:
        """The chart path of a unit as an administrator names it (like `users import`'s 부서 column): the full
        path, an old path, a 과 name, the unit's code or the label "행정국 > 총무과"; else a Korean error."""
        text = unit.strip()
        root = self.policy.org.root
        if ">" in text:
            parts = [p.strip() for p in text.split(">") if p.strip()]
            text = "/".join(parts if parts and parts[0] == root else [root, *parts])
        codes = {u.code: u.path for u in self.policy.org.units if u.code}
        return codes.get(text) or self.accounts.known_department(text)

    # -- announcements ------------------------------------------------------------------------------------
    def announcements(self, active_only: bool = True, by: Person | None = None) -> list[Announcement]:
        """The banner's announcements shown today (anyone), or all of them (administrators), the newest first."""
        if active_only:
            _, rows = self._snapshot()
            return [a for a in map(self._announcement, rows) if a.active]
        self._admin(by)
        return [self._announcement(row) for row in self.store.announcements()]

    def announce(self, kind: str, body: str, starts_on: date | str | None = None, ends_on: date | str | None = None,
                 by: Person | None = None) -> Announcement:
        actor = self._admin(by)
        code = _KIND_INPUT.get(kind.replace(" ", "").strip())
        if code is None:
            raise InputError(f"공지 종류를 알 수 없습니다: {kind or '(없음)'}. 점검, 새기능, 안내 가운데 하나를 고르세요.",
                             code="bad_kind")
        text = body.strip()
        if not text:
            raise InputError("공지 내용이 비어 있습니다. 알릴 내용을 쓰세요.", code="empty_announcement")
        if len(text) > MAX_BODY:
            raise InputError(f"공지 내용이 너무 깁니다({len(text):,}자). {MAX_BODY}자 이하로 줄이세요.",
                             code="announcement_too_long")
        start = parse_date(starts_on, "시작일") if starts_on not in (None, "") else None
        end = parse_date(ends_on, "종료일") if ends_on not in (None, "") else None
        if start and end and end < start:
            raise InputError("종료일이 시작일보다 앞섭니다. 날짜를 확인하세요.", code="bad_date")
        row = AnnouncementRow(uuid.uuid4().hex[:8], code, text, start.isoformat() if start else None,
                              end.isoformat() if end else None, actor.pseudonym, time.time())
        self.store.add_announcement(row)
        self._changed()
        self.recorder.audit(actor, "announcement_add", f"{row.id} ({KINDS[code]})")
        return self._announcement(row)

    def remove(self, announcement_id: str, by: Person | None = None) -> None:
        actor = self._admin(by)
        if not self.store.remove_announcement(announcement_id.strip()):
            raise InputError(f"그런 공지가 없습니다: {announcement_id or '(없음)'}. `seoulai announce list`로 번호를 "
                             "확인하세요.", code="not_found")
        self._changed()
        self.recorder.audit(actor, "announcement_remove", announcement_id.strip())

    # -- helpers ------------------------------------------------------------------------------------------
    def _admin(self, by: Person | None) -> Person:
        """The command line acts as the operator; the 개통·공지 page passes the signed-in administrator."""
        actor = by or self.accounts.operator()
        if not self.policy.can_manage_rollout(actor):
            raise InputError("개통 일정과 공지는 시스템 관리자만 바꿀 수 있습니다.", code="forbidden")
        return actor

    def _dated(self, waves: list[WaveRow]) -> dict[str, date]:
        """Each wave by the path its unit has now (a renamed unit keeps its wave); the latest write wins a merge."""
        dated: dict[str, date] = {}
        for wave in sorted(waves, key=lambda w: w.set_at):
            dated[self.policy.current_department(wave.unit)] = date.fromisoformat(wave.opens_on)
        return dated

    def _announcement(self, row: AnnouncementRow) -> Announcement:
        start = date.fromisoformat(row.starts_on) if row.starts_on else None
        end = date.fromisoformat(row.ends_on) if row.ends_on else None
        today = self.clock()
        return Announcement(row.id, row.kind, row.body, start, end,
                            (start is None or start <= today) and (end is None or today <= end))

    def _snapshot(self) -> tuple[list[WaveRow], list[AnnouncementRow]]:
        with self._lock:
            cached = self._cached
            if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
                cached = (time.monotonic(), self.store.waves(), self.store.announcements())
                self._cached = cached
            return cached[1], cached[2]

    def _changed(self) -> None:
        with self._lock:
            self._cached = None


def _ancestors(path: str) -> list[str]:
    """"서울특별시/행정국/총무과" -> ["서울특별시/행정국", "서울특별시"] (nearest first)."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
