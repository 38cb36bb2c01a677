"""사무분장 paragraphs of the real 행정기구 설치 조례 시행규칙, split the way the chunker and the org chart use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from seoulai.ingest.duties import DutySection, article_name, split_duties, unit_of_head
from seoulai.ingest.plaintext import read_markdown

RULE = "corpus/seoul/규칙/서울특별시 행정기구 설치 조례 시행규칙.md"


@pytest.fixture(scope="module")
def articles(shared_dir: Path) -> dict[str, str]:
    """Article heading ("제17조의5 (행정국)") -> body, as the product's Markdown reader produces them."""
    document = read_markdown(shared_dir / RULE, 1_000_000)
    bodies: dict[str, list[str]] = {}
    current: str | None = None
    for block in document.blocks:
        if block.kind == "heading":
            current = block.text if block.heading_level == 5 else None
            if current is not None:
                bodies[current] = []
        elif current is not None:
            bodies[current].append(block.text)
    return {heading: "\n".join(texts) for heading, texts in bodies.items()}


def _by_unit(sections: list[DutySection]) -> dict[str, DutySection]:
    return {s.unit: s for s in sections}


def test_행정국_has_its_seven_과_with_their_duties(articles: dict[str, str]) -> None:
    rest, sections = split_duties("제17조의5 (행정국)", articles["제17조의5 (행정국)"])
    units = _by_unit(sections)
    assert list(units) == ["총무과", "인사과", "인력개발과", "자치행정과", "국제행사지원과", "시민협력과", "대외협력과"]
    assert {s.parent for s in sections} == {"행정국"}
    assert "서울광장 사용 및 관리에 관한 사항" in units["총무과"].duties
    assert "당직 및 보안에 관한 사항" in units["총무과"].duties
    assert units["총무과"].text.startswith("③ 총무과장은 다음 사항을 분장한다.")
    assert "<개정" not in units["총무과"].text
    # The rest keeps what is not a duty paragraph, and none of the duties.
    assert rest.startswith("① 행정국에 총무과")
    assert "서울광장" not in rest and "분장한다" not in rest


def test_deleted_items_are_dropped(articles: dict[str, str]) -> None:
    body = articles["제17조의5 (행정국)"]
    assert "7. 삭제 <2026.7.20>" in body
    section = _by_unit(split_duties("행정국", body)[1])["국제행사지원과"]
    assert not any(d.startswith("삭제") for d in section.duties)
    assert "삭제" not in section.text
    assert len(section.duties) == 6


def test_담당관_under_대변인(articles: dict[str, str]) -> None:
    _, sections = split_duties("제4조 (대변인)", articles["제4조 (대변인)"])
    assert [(s.unit, s.parent) for s in sections] == [("언론담당관", "대변인")]
    assert sections[0].duties[0] == "언론에 대한 보도계획의 총괄ㆍ조정"
    assert len(sections[0].duties) == 20


def test_기획관_over_paragraphs_is_no_unit_but_their_supervisor(articles: dict[str, str]) -> None:
    _, sections = split_duties("제11조 (경제실)", articles["제11조 (경제실)"])
    units = _by_unit(sections)
    assert not any(u.endswith("기획관") for u in units)
    assert units["경제정책과"].supervisor == "경제일자리기획관"
    assert units["금융투자과"].supervisor == "창조산업기획관"
    assert units["산업입지과"].supervisor == ""


def test_법무담당관_in_기획조정실(articles: dict[str, str]) -> None:
    units = _by_unit(split_duties("기획조정실", articles["제10조 (기획조정실)"])[1])
    assert "법무담당관" in units and "기획담당관" in units
    assert "규제혁신기획관" not in units


def test_paragraph_without_circled_number_and_other_chapters(articles: dict[str, str]) -> None:
    _, sections = split_duties("제38조의9 (출판부)", articles["제38조의9 (출판부)"])
    assert [(s.unit, s.paragraph) for s in sections] == [("출판부", 0)]
    _, sections = split_duties("제38조의10 (대학언론사)", articles["제38조의10 (대학언론사)"])
    assert [s.unit for s in sections] == ["대학언론사"]
    _, sections = split_duties("제42조 (운영기획부)", articles["제42조 (운영기획부)"])
    assert [s.unit for s in sections] == ["운영기획부"]


def test_no_space_in_다음사항을() -> None:
    body = "② 강서지소장은 다음사항을 분장한다.\n1. 농수산물 검사\n2. 삭제 <2020.1.1>"
    _, sections = split_duties("강남농수산물검사소", body)
    assert [(s.unit, s.duties) for s in sections] == [("강서지소", ("농수산물 검사",))]


def test_deleted_article_and_article_without_duties_come_back_unchanged(articles: dict[str, str]) -> None:
    assert split_duties("제6조의2", articles["제6조의2"]) == ("삭제 <2021.7.19>", [])
    body = articles["제3조 (보좌기관)"]
    assert split_duties("보좌기관", body) == (body, [])
    assert split_duties("", "") == ("", [])


def test_every_duty_paragraph_of_the_rule_is_found(articles: dict[str, str]) -> None:
    found = sum(len(split_duties(heading, body)[1]) for heading, body in articles.items())
    phrases = sum(body.count("다음 사항을 분장한다") + body.count("다음사항을 분장한다") for body in articles.values())
    assert found == phrases > 300


def test_names() -> None:
    assert article_name("제17조의5 (행정국)") == "행정국"
    assert article_name("행정국") == "행정국"
    assert unit_of_head("총무과장") == "총무과"
    assert unit_of_head("아리수정수센터소장") == "아리수정수센터"
    assert unit_of_head("시민감사옴부즈만위원장") == "시민감사옴부즈만위원회"
    assert unit_of_head("약제부장ㆍ과장") == "약제부"


def test_long_hostile_line_is_fast() -> None:
    import time

    body = ("은 " * 50_000) + "다음 사항을 분장한다.\n" + "1. " * 10_000
    started = time.perf_counter()
    split_duties("행정국", body)
    assert time.perf_counter() - started < 2.0
