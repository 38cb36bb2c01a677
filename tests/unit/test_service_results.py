"""The contract between the services and the screens: what a service returns to a page cannot be changed by it
(frozen), and a draft in progress changes only through DraftingService's methods (the page calls those)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from seoulai.answer.compare import Change, Comparison
from seoulai.answer.summary import Summary
from seoulai.auth.orgchart import Unit
from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.drafting.template import load_templates
from seoulai.llm.health import ComponentStatus, HealthReport
from seoulai.retrieval.collection import ChangeReport
from seoulai.retrieval.report import IngestReport
from seoulai.retrieval.store import DocumentRecord
from seoulai.services import DepartmentMatch, Draft, DraftingService, Hit, SemanticProgress, UploadResult
from seoulai.services.accounts import SignIn
from seoulai.services.conversations import Conversation
from seoulai.services.library import Migration
from seoulai.services.usage import Dashboard, Export
from seoulai.state.stores import Record
from seoulai.ui.answer_view import changed_words

HIT = Hit("a.md", "민원 처리 규정", "제19조", 3, "처리기간은 7일로 한다.", 1.0, "shared", "c1")


@pytest.mark.parametrize("kind", [Hit, UploadResult, Dashboard, Export, DepartmentMatch, SemanticProgress],
                         ids=lambda k: k.__name__)
def test_what_the_services_return_is_frozen(kind: type) -> None:
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]  # dataclasses' own attribute, not in typeshed


def test_a_hit_cannot_be_changed_only_copied() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        HIT.score = 0.5  # type: ignore[misc]  # the point: assigning to a frozen field fails
    assert dataclasses.replace(HIT, relevance=0.7).relevance == 0.7 and HIT.relevance == 0.0


@pytest.fixture
def draft() -> Draft:
    templates, _ = load_templates(Settings().drafting.templates_dir)
    return DraftingService.new_draft(templates["press_release"])


def _snapshot(draft: Draft) -> dict[str, object]:
    return copy.deepcopy(draft.to_store())


def test_the_page_changes_a_draft_through_the_service(draft: Draft) -> None:
    drafting = DraftingService
    assert draft.fields == {} and draft.sections == {} and draft.references == []
    titled = drafting.set_field(draft, "title", "행정 AI 도우미 시범 도입")
    grounded = drafting.choose_references(titled, [HIT])
    first = drafting.edit_section(grounded, "lead", "첫 판")
    assert first.fields["title"] == "행정 AI 도우미 시범 도입" and first.references == [HIT]
    assert draft.fields == {} and titled.references == [] and grounded.sections == {}  # each input left as it was
    second = drafting.edit_section(first.with_version("lead"), "lead", "둘째 판")  # as generating a section does
    before = _snapshot(second)
    restored = drafting.restore_version(second, "lead", 0)
    assert restored.sections["lead"] == "첫 판" and "둘째 판" in restored.versions["lead"]
    assert _snapshot(second) == before and second.sections["lead"] == "둘째 판"


def test_fixed_sections_and_the_end_mark_through_the_service(draft: Draft) -> None:
    for field in draft.template.fields:
        draft = DraftingService.set_field(draft, field.name, field.examples[0] if field.examples else "예시")
    before = _snapshot(draft)
    filled = DraftingService.fill_fixed(draft)
    fixed = [s.id for s in draft.template.sections if s.kind != "generated"]
    assert fixed and all(section in filled.sections for section in fixed)
    assert _snapshot(draft) == before


def test_the_end_mark_is_added_to_a_new_draft() -> None:
    templates, _ = load_templates(Settings().drafting.templates_dir)
    official = next(t for t in templates.values() if t.format.end_mark)
    draft = DraftingService.edit_section(DraftingService.new_draft(official), "body", "1. 시행합니다.")
    before = _snapshot(draft)
    marked = DraftingService.add_end_mark(draft)
    assert marked.sections["body"].endswith("끝.") and _snapshot(draft) == before


def test_a_draft_cannot_be_changed_in_place(draft: Draft) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.sections = {"lead": "몰래"}  # type: ignore[misc]  # the point: a returned draft is not changed


STATUS = ComponentStatus("llm", "ollama", "m", "ok", "연결됨")
RESULTS = [STATUS, HealthReport(STATUS, STATUS), Change("added", "제1조"), Comparison("가", "나"), Summary("요약"),
           DocumentRecord("a.md", "제목", "0" * 64, 1, None, None, None, None, "2026-01-01", {}),
           Record("r1", "draft", "제목", 0.0, 0.0, {}), IngestReport("shared", ChangeReport()), Unit("서울특별시", 1),
           SignIn(Person("p1", "김서울", "서울특별시"), "cookie"), Migration(), Conversation("c1", "chat", "제목", 0.0)]


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: type(r).__name__)
def test_every_result_a_screen_reads_is_frozen(result: object) -> None:
    name = dataclasses.fields(result)[0].name  # type: ignore[arg-type]  # every one is a dataclass
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, name, getattr(result, name))


def test_a_changed_paragraph_word_by_word() -> None:
    shown = changed_words("처리기간은 7일로 한다.", "처리기간은 5일로 한다.")
    assert shown == "처리기간은 ~~7일로~~ **5일로** 한다\\."
    assert changed_words("가 *나*", "가 *다*") == "가 ~~\\*나\\*~~**\\*다\\***"  # each piece escaped
