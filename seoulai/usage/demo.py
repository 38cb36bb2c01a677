"""A realistic pilot's worth of usage events, so the dashboard can be reviewed before real use.

Departments come from the org chart in force (weighted by headcount, or a typical 과's size where the chart has
none, as the one built from the organisation rule; a share of each department adopting), office
hours on weekdays, a feature mix led by manual search, log-normal latencies, occasional errors and
no-answers, feedback on some answers. Generated with numpy and appended as one Arrow table.

Given ``people`` (the pseudonyms of imported accounts and their units), the events are theirs: the pilot benchmark
then has events a review can join to the accounts, as real use would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import numpy as np

from seoulai.auth.orgchart import OrgChart, Unit
from seoulai.usage.log import COLUMNS, _arrow_schema

if TYPE_CHECKING:  # imported when used, as in seoulai.usage.log
    import pyarrow as pa

QUESTIONS = [
    "민원 처리기간은 어떻게 계산하나요?", "정보공개 청구 처리 기한은?", "공문서 결재 절차를 알려 주세요",
    "개인정보 파기 절차는 어떻게 되나요?", "기록물 보존기간 책정 기준은?", "행정처분 사전통지 기간은?",
    "보조금 정산 보고 기한은 언제인가요?", "계약 보증금 비율은 얼마인가요?", "출장 여비 정산 방법",
    "보도자료 배포 시간 기준", "민원 이송 절차", "청탁금지법 외부강의 사례금 한도",
]
COMMENTS = ["조문 번호가 정확해요", "답변이 너무 길어요", "근거 카드가 유용합니다", "최신 개정 내용이 아니에요",
            "업무 시간이 많이 줄었습니다", "표 내용을 잘 못 읽어요"]
# The closest rule of a question nothing answered (titles of 서울특별시 rules in the shared library).
RULES = ["서울특별시 공무원 복무 조례", "서울특별시 사무위임 규칙", "서울특별시 공유재산 및 물품 관리 조례",
         "서울특별시 행정기구 설치 조례 시행규칙", "서울특별시 문서관리 규칙"]
FEATURES = np.array(["manual_search", "doc_qa", "drafting", "library"])
FEATURE_P = np.array([0.55, 0.25, 0.15, 0.05])
MINUTES = {"manual_search": 6.0, "doc_qa": 10.0, "drafting": 40.0, "library": 0.0}


def generate(events: int, org: OrgChart, days: int = 60, end: datetime | None = None, seed: int = 7,
             people: Sequence[tuple[str, str]] | None = None) -> pa.Table:
    """An Arrow table of ``events`` rows in the event-log schema; with ``people`` ((pseudonym, unit path) pairs),
    every event is one of theirs, in their unit."""
    import pyarrow as pa

    if people is not None and not people:
        raise ValueError("people is empty: give at least one (pseudonym, department)")
    rng = np.random.default_rng(seed)
    end = (end or datetime.now(timezone.utc).replace(tzinfo=None)).replace(minute=0, second=0, microsecond=0)  # stored UTC
    leaves = [u for u in org.leaves() if u.path != org.root] or org.leaves()
    paths, users, adopters = _population(leaves, rng, people)
    # About one unit in six not yet at all, but never every unit (one unit: it adopts).
    idle = set(rng.choice(len(paths), size=min(len(paths) - 1, max(1, len(paths) // 6)), replace=False).tolist())
    weights = np.array([0.0 if i in idle else a for i, a in enumerate(adopters)], dtype=float)
    weights /= weights.sum()
    unit_index = rng.choice(len(paths), size=events, p=weights)
    offsets = np.cumsum([0, *adopters[:-1]])
    user_index = offsets[unit_index] + (rng.random(events) * np.array(adopters)[unit_index]).astype(int)

    # Weekday office hours: pick a day (weekdays 6x as likely), an hour around 10-11 and 14-16.
    day_offsets = np.arange(days)
    day_dates = [end - timedelta(days=int(d)) for d in day_offsets]
    day_weight = np.array([6.0 if d.weekday() < 5 else 1.0 for d in day_dates])
    day = rng.choice(days, size=events, p=day_weight / day_weight.sum())
    hour_p = np.array([0, 0, 0, 0, 0, 0, 0, 1, 4, 9, 11, 9, 4, 8, 11, 10, 9, 6, 2, 1, 1, 0, 0, 0], dtype=float)
    hour = rng.choice(24, size=events, p=hour_p / hour_p.sum())
    base = np.array([np.datetime64(d.replace(hour=0)) for d in day_dates], dtype="datetime64[us]")
    ts = base[day] + hour.astype("timedelta64[h]") + rng.integers(0, 3600, events).astype("timedelta64[s]")

    feature = rng.choice(len(FEATURES), size=events, p=FEATURE_P)
    action = np.where(FEATURES[feature] == "library", "upload", np.where(rng.random(events) < 0.12, "search", "ask"))
    feedback = (action == "ask") & (rng.random(events) < 0.2)
    action = np.where(feedback, "feedback", action)
    latency = np.exp(rng.normal(np.log(4200), 0.55, events)).round(1)
    outcome_draw = rng.random(events)
    outcome = np.where(outcome_draw < 0.04, "error", np.where(outcome_draw < 0.12, "no_answer", "ok"))
    asks = action == "ask"
    minutes = np.array([MINUTES[f] for f in FEATURES])[feature]
    units = np.array(paths)

    def column(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return pa.array(values, mask=None if mask is None else ~mask)

    rating = np.where(rng.random(events) < 0.82, 1, -1)
    comment_pick = rng.integers(0, len(COMMENTS), events)
    comment_mask = feedback & (rng.random(events) < 0.3)
    question_pick = rng.integers(0, len(QUESTIONS), events)
    owner_pick = np.where(rng.random(events) < 0.5, 0, rng.integers(1, len(leaves) + 1, events))
    data = {
        "ts": pa.array(ts), "event_id": pa.array([f"demo{i:09d}" for i in range(events)]),
        "user_id": pa.array(users[user_index]), "department": pa.array(units[unit_index]),
        "role": pa.array(np.full(events, "staff")), "feature": pa.array(FEATURES[feature]), "action": pa.array(action),
        "model": pa.array(np.full(events, "seoulai")),
        "latency_ms": column(latency, asks), "ttft_ms": column((latency * 0.18).round(1), asks),
        "tokens_in": column(rng.integers(800, 3500, events).astype(np.int32), asks),
        "tokens_out": column(rng.integers(80, 700, events).astype(np.int32), asks),
        "sources": column(rng.integers(0, 6, events).astype(np.int32), asks),
        "outcome": pa.array(np.where(asks, outcome, "ok")),
        "error_code": column(np.where(outcome == "error", "timeout", ""), asks & (outcome == "error")),
        "rating": column(rating.astype(np.int32), feedback),
        "comment": column(np.array(COMMENTS)[comment_pick], comment_mask),
        "ref_id": pa.nulls(events, pa.string()),
        "query": column(np.array(QUESTIONS)[question_pick], asks),
        "minutes_saved": column(minutes, asks & (outcome == "ok")),
        "owner": column(np.array(["공통"] + [u.path for u in leaves])[owner_pick], asks & (outcome == "no_answer")),
        "rule": column(np.array(RULES)[rng.integers(0, len(RULES), events)], asks & (outcome == "no_answer")),
    }
    return pa.table([data[c] for c in COLUMNS], schema=_arrow_schema())


def _population(leaves: list[Unit], rng: np.random.Generator,
                people: Sequence[tuple[str, str]] | None) -> tuple[list[str], np.ndarray, list[int]]:
    """The units, their adopters' user ids (unit by unit, in order) and how many adopt in each unit.

    Each unit adopts at its own rate (a few not yet at all: the caller leaves them idle); without ``people``
    the users are invented ids in the chart's leaves, with ``people`` a random share of each unit's people."""
    if people is None:
        # The organisation rule gives no headcounts (0): a 과 of 15-60 people, the usual size, stands in for one.
        sizes = [u.headcount or int(rng.integers(15, 61)) for u in leaves]
        adopters = [max(1, int(size * rng.uniform(0.15, 0.6))) for size in sizes]
        users = np.array([f"u{i:03d}{j:03d}" for i, n in enumerate(adopters) for j in range(n)])
        return [u.path for u in leaves], users, adopters
    members: dict[str, list[str]] = {}
    for pseudonym, department in people:
        members.setdefault(department, []).append(pseudonym)
    adopters = [max(1, int(len(ids) * rng.uniform(0.15, 0.6))) for ids in members.values()]
    chosen = [rng.permutation(ids)[:n] for ids, n in zip(members.values(), adopters, strict=True)]
    return list(members), np.concatenate(chosen), adopters
