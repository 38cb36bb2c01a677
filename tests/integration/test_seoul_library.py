"""The city's own rules as the library: a new employee's questions, linked articles, "어느 과" questions and the
relevance floor, on the real files of shared/corpus/seoul plus 지방공무원법 from the installed library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.config import Settings
from seoulai.retrieval.index import SearchIndex
from seoulai.services import Services, build_services

ROOT = Path(__file__).resolve().parents[2]
STAFF = Person("kim", "김서울", "서울특별시/행정국/총무과", Role.STAFF)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Settings:
    """The 71 Seoul rules and 지방공무원법 in 공통, keyword side only, indexed once for the module."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(shared_dir / "corpus" / "seoul", corpus / "서울특별시", ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(ROOT / "demo" / "manuals" / "지방공무원법", corpus / "지방공무원법")
    work = tmp_path_factory.mktemp("seoul")
    settings = Settings(index_dir=work / "idx", data_dir=work / "data", embed={"backend": "none"},
                        llm={"backend": "none"})
    report = SearchIndex(settings).ingest([corpus], "공통")
    assert not report.failed and len(report.changes.added) == 72
    return settings


@pytest.fixture
def index(library: Settings) -> SearchIndex:
    return SearchIndex(library)


@pytest.fixture
def services(library: Settings) -> Services:
    built = build_services(library, embedder=None, usage_log=None)
    yield built
    built.close()


def _find(hits: list, title: str, article: str):
    return next((h for h in hits if h.title == title and article in h.section.split(" > ")[-1]), None)


def test_a_new_employees_question_is_answered_from_the_rules_with_their_metadata(index: SearchIndex) -> None:
    hits = index.search("아들 군대 들어가는 날 하루 휴가 낼 수 있나요?", ["공통"], 5)
    hit = _find(hits, "서울특별시 공무원 복무 조례", "제24조")
    assert hit is not None, [(h.title, h.section) for h in hits]
    facts = hit.to_json()
    assert facts["담당부서"] == "인사과" and facts["종류"] == "조례" and facts["시행일자"] == "2025-09-29"
    assert facts["시행 예정"] is False and facts["출처"].startswith("https://www.law.go.kr/")


def test_which_unit_questions_rank_the_units_duties_first(index: SearchIndex) -> None:
    hits = index.search("시청 당직 편성은 어느 과 담당이에요?", ["공통"], 5)
    assert hits[0].section == "제2장 본청 > 제17조의5 (행정국) > 총무과"
    assert "당직 및 보안에 관한 사항" in hits[0].text and hits[0].metadata["unit_parent"] == "행정국"
    # The same words without asking for a unit find the 당직 rule itself.
    plain = index.search("시청 당직 편성은 어떻게 해요?", ["공통"], 3)
    assert plain[0].title == "서울특별시 당직 및 비상근무 규칙"


def test_a_reference_to_a_national_law_resolves_to_its_article(index: SearchIndex) -> None:
    hits = index.search("범죄행위를 발견하고도 고발하지 않고 묵인하면 징계", ["공통"], 5)
    hit = next(h for h in hits if h.title == "서울특별시 공무원의 직무관련 범죄 고발규정")
    linked = [(r.title, r.section) for r in hit.references]
    assert any(title == "지방공무원법" and "제69조" in section for title, section in linked), linked
    assert {"title": "지방공무원법", "section": next(s for t, s in linked if t == "지방공무원법")} in \
        hit.to_json()["references"]
    reference = next(r for r in hit.references if r.title == "지방공무원법")
    assert reference.text.startswith("제69조") and reference.collection == "공통"


def test_a_rule_refers_to_its_ordinance_and_notes_are_not_references(index: SearchIndex) -> None:
    hits = index.search("통보된 출장기간 변경 신청 공무국외출장 심사위원회 의결", ["공통"], 5)
    hit = next(h for h in hits if h.title == "서울특별시 공무국외출장 조례 시행규칙" and "제4조" in h.section)
    linked = {(r.title, r.section.split(" > ")[-1].split(" ")[0]) for r in hit.references}
    assert ("서울특별시 공무국외출장 조례", "제5조") in linked, linked
    youth = index.search("의무복무 제대군인 청년정책 참여 연령 상한 연장", ["공통"], 3)
    hit = next(h for h in youth if h.title == "서울특별시 청년 기본 조례" and "제24조" in h.section)
    assert hit.references == ()  # "[종전 제24조는 제25조로 이동]" is history, not a reference


def test_below_the_floor_nothing_is_evidence(index: SearchIndex, services: Services) -> None:
    question = "손흥민 이번 시즌 골 몇 개예요?"
    assert index.search(question, ["공통"], 5) == []
    assert index.search(question, ["공통"], 5, floor=False)  # `search --all` still shows the nearest passages
    events = list(services.manuals.ask(STAFF, question, use_model=False))
    answer = events[-1].answer
    assert answer is not None and answer.status == "no_evidence" and answer.passages == ()
    assert answer.notice.startswith("근거를 찾지 못했습니다") and "공통 (모든 부서)" in answer.notice
    assert answer.nearest == "공통" and answer.nearest_title in {h.title for h in index.search(
        question, ["공통"], 5, floor=False)}


def test_a_question_nothing_answered_is_logged_with_the_closest_rule_and_its_keeper(
        library: Settings, tmp_path: Path) -> None:
    """What to write next, and where (issue #34): the usage event names the closest rule, not only its 담당 부서."""
    from seoulai.usage.log import UsageLog

    log = UsageLog(tmp_path / "usage.duckdb", spool_dir=tmp_path / "spool")
    built = build_services(library, embedder=None, usage_log=log)
    try:
        events = list(built.manuals.ask(STAFF, "손흥민 이번 시즌 골 몇 개예요?", use_model=False))
        assert log.flush()
        row = log.analytics()._df("SELECT outcome, owner, rule FROM events WHERE action = 'ask'", [])
        rows = [tuple(r) for r in row.itertuples(index=False)]
    finally:
        built.close()
    nearest = events[-1].answer.nearest_title  # type: ignore[union-attr]  # the last event carries the answer
    assert nearest.startswith("서울특별시") or nearest == "지방공무원법"
    assert rows == [("no_answer", "공통", nearest)]


def test_deleted_articles_are_never_evidence(index: SearchIndex) -> None:
    rule = "서울특별시 공무원 징계 등에 관한 규칙"
    chunks = list(index.collection("공통").chunks_of(["서울특별시/규칙/" + rule + ".md"]))
    assert chunks and not any(c.text.split("\n", 1)[-1].strip().startswith("삭제") for c in chunks)
    assert not any(c.section.endswith("제2조") or c.section.endswith("제3조") for c in chunks)


def test_a_how_much_question_needs_a_passage_that_states_an_amount(index: SearchIndex) -> None:
    # The library allows 육아휴직 (공무직 조례 제27조) but states no allowance for it: not an answer to "얼마".
    question = "육아휴직하면 첫 3개월 수당이 얼마 나와요?"
    assert index.search(question, ["공통"], 5) == []
    assert any("휴직" in h.text for h in index.search(question, ["공통"], 5, floor=False))
    # The same kind of question the library does answer keeps its evidence: 과태료 10만원.
    hits = index.search("금연구역에서 담배 피우다 걸리면 과태료 얼마 나와요?", ["공통"], 5)
    assert any(h.title.startswith("서울특별시 금연환경") and "만원" in h.text for h in hits)


@pytest.mark.timeout(60)  # before the bound, PII detection, follow-up planning and analysis ran on all of it
def test_a_huge_question_is_refused_before_any_analysis(services: Services) -> None:
    from seoulai.errors import InputError

    for question in ("가" * 200_000, "연가 " * 50_000 + "며칠인가요?"):
        with pytest.raises(InputError) as refused:
            list(services.manuals.ask(STAFF, question, use_model=False))
        assert refused.value.code == "query_too_long" and "2,000자" in refused.value.message


def test_a_question_is_analysed_once(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """New topic after earlier turns, and a question nothing answers (its 담당 부서 suggestion): one analysis each.
    Before, the follow-up check and the search analysed the same question twice, and the suggestion a third time."""
    import seoulai.answer.engine
    import seoulai.answer.followup
    import seoulai.retrieval.index
    import seoulai.services.departments
    from seoulai.answer.followup import Turn
    from seoulai.retrieval.query import analyze_query

    analysed: list[str] = []

    def counting(text: str, *args: object, **kwargs: object):
        analysed.append(text)
        return analyze_query(text, *args, **kwargs)  # type: ignore[arg-type]  # passed through

    for module in (seoulai.answer.engine, seoulai.answer.followup, seoulai.retrieval.index,
                   seoulai.services.departments):
        if hasattr(module, "analyze_query"):
            monkeypatch.setattr(module, "analyze_query", counting)
    history = [Turn("user", "연가는 며칠인가요?"), Turn("assistant", "재직기간에 따라 다릅니다 [1].")]
    for question in ("금연구역에서 담배 피우다 걸리면 과태료 얼마 나와요?", "손흥민 이번 시즌 골 몇 개예요?"):
        analysed.clear()
        answer = list(services.manuals.ask(STAFF, question, history, use_model=False))[-1].answer
        assert answer is not None and analysed == [question], analysed
