"""The answer is built once and frozen; one serialiser writes it (history, CLI) and reads it back, masked."""

from __future__ import annotations

import dataclasses
import json

import pytest

from seoulai.answer.result import Answer, AnswerBuilder
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.references import Reference

PHONE = "010-2345-6789"


def _answer() -> Answer:
    hit = Hit(source="복무/조례.md", title="서울특별시 공무원 복무 조례", section="제24조 (특별휴가)", page=3,
              text=f"연락처 {PHONE}로 신청한다.", score=1.5, collection="공통", chunk_id="c1",
              effective_date="2025-09-29", metadata={"담당부서": "인사과", "종류": "조례"},
              references=(Reference("지방공무원법", "제63조", f"휴가 {PHONE}", "공통", "c9"),))
    builder = AnswerBuilder(f"제 번호 {PHONE}인데 휴가는?", "gemma", event_id="e1", masked="휴대전화번호 1건")
    builder.text, builder.passages, builder.cited, builder.invalid_citations = "하루입니다 [1].", [hit], [1], [7]
    builder.searched, builder.terms, builder.missing_laws = "휴가 일수", ["휴가"], ["근로기준법"]
    builder.add_notice("첫 안내.")
    builder.add_notice("둘째 안내.")
    return builder.build(12.5)


def test_an_answer_cannot_be_changed_once_built() -> None:
    answer = _answer()
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.notice = "덮어쓰기"  # type: ignore[misc]  # the point of the test: assignment is refused
    assert answer.notice == "첫 안내. 둘째 안내." and answer.latency_ms == 12.5
    assert isinstance(answer.passages, tuple) and isinstance(answer.cited, tuple)


def test_one_serialiser_round_trips_and_masks() -> None:
    answer = _answer()
    stored = json.loads(json.dumps(answer.to_json(), ensure_ascii=False))
    assert PHONE not in json.dumps(stored, ensure_ascii=False)  # question, passage and reference text masked
    restored = Answer.from_json(stored)
    assert restored.to_json() == stored  # nothing lost in the second pass
    assert restored.passages[0].references[0].chunk_id == "c9" and restored.passages[0].metadata["담당부서"] == "인사과"
    assert stored["citations"][0]["n"] == 1 and stored["invalid_citations"] == [7]  # the CLI's keys
    assert not hasattr(answer, "to_store") and not hasattr(Answer, "from_store")


def test_history_stored_before_the_one_form_still_opens() -> None:
    legacy = {"question": "연가는?", "status": "answered", "text": "20일 [1]", "cited": [1], "invalid": [4],
              "passages": [{"source": "a.md", "title": "A", "section": "제1조", "text": "20일", "page": None}]}
    restored = Answer.from_json(legacy)
    assert restored.text == "20일 [1]" and restored.invalid_citations == (4,) and restored.passages[0].title == "A"
