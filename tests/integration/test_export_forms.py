"""Exported drafts a 과 can file as they are: each HWPX is read back as 한글 reads it (section0.xml's paragraphs, their
style and shapes resolved through header.xml), each DOCX through python-docx; and the form rules the templates
write by are the ones the checker applies."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from lxml import etree

from seoulai.drafting.checks import check_draft
from seoulai.drafting.draft import Draft
from seoulai.drafting.export import to_docx, to_hwpx
from seoulai.drafting.template import load_templates
from seoulai.retrieval.hits import Hit

NS = {"hh": "http://www.hancom.co.kr/hwpml/2011/head", "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
      "hc": "http://www.hancom.co.kr/hwpml/2011/core"}
REFERENCES = [Hit("a.md", "민원 처리에 관한 법률", "제19조 (처리기간)", None, "처리기간은 7일", 1.0),
              Hit("b.md", "행정업무의 운영 및 혁신에 관한 규정", "제7조", None, "공문서의 작성", 0.9)]
# What each generated part says, written as the template's instruction asks (□ big items, ○ details, [n] grounds).
SECTIONS = {
    "press_release": {"lead": "서울시는 2025. 7. 16. 행정 AI 도우미를 전 부서에 시범 도입했다 [1].",
                      "body": "□ 시범 운영 개요\n○ 24개 부서가 참여, 처리기간 7일 [1]\n- 매뉴얼 검색 지원\n· 문서 요약",
                      "quote": "“시민 응대가 빨라질 것”이라고 말했다.",
                      "plans": "○ 하반기 결과 분석\n○ 전면 도입 검토"},
    "report": {"overview": "○ 목적: 행정 효율화 [1]", "background": "○ 민원 증가\n○ 인력 부족",
               "status": "○ 이용자 337명\n- 질문 15,702건", "review": "○ 전면 도입 타당", "plans": "○ 결과 분석"},
    "official_letter": {"body": "1. 관련: 행정업무의 운영 및 혁신에 관한 규정 [2]\n2. 시범 운영을 알리니 협조 바랍니다.\n"
                                "  가. 기간: 2025. 7. 16.부터\n    1) 대상: 전 부서\n      가) 담당자 지정"},
}


def _draft(template_id: str, **fields: str) -> Draft:
    templates, _ = load_templates()
    template = templates[template_id]
    values = {f.name: f.examples[0] if f.examples else "" for f in template.fields} | fields
    draft = Draft(template, values, references=list(REFERENCES)).with_fixed()
    for section_id, text in SECTIONS[template_id].items():
        draft = draft.with_section(section_id, text)
    return draft.with_end_mark()


@dataclass
class Para:
    text: str
    style: str
    heading: str  # the paraPr's heading type: NONE, OUTLINE, NUMBER, BULLET
    align: str
    left: int
    indent: int
    height: int  # character height of the first run, 1/100 pt
    bold: bool
    in_table: bool


def _hwpx(data: bytes) -> list[Para]:
    """Every paragraph of section0.xml, in order, with what header.xml says its style and shapes are."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = etree.fromstring(archive.read("Contents/header.xml"))
        section = etree.fromstring(archive.read("Contents/section0.xml"))
    styles = {s.get("id"): s.get("name") for s in header.iterfind(".//hh:style", NS)}
    shapes = {}
    for pr in header.iterfind(".//hh:paraPr", NS):
        margin = pr.find(".//hh:margin", NS)  # hp:case's (as given; hp:default doubles it)
        heading = pr.find("hh:heading", NS)
        shapes[pr.get("id")] = (heading.get("type") if heading is not None else "NONE",
                                pr.find("hh:align", NS).get("horizontal"),
                                int(margin.find("hc:left", NS).get("value")), int(margin.find("hc:intent", NS).get("value")))
    chars = {c.get("id"): (int(c.get("height")), c.find("hh:bold", NS) is not None)
             for c in header.iterfind(".//hh:charPr", NS)}
    paragraphs = []
    for p in section.iter(f"{{{NS['hp']}}}p"):
        text = "".join(t.text or "" for t in p.iterfind("hp:run/hp:t", NS))
        run = p.find("hp:run", NS)
        height, bold = chars[run.get("charPrIDRef")] if run is not None else (0, False)
        in_table = any(a.tag == f"{{{NS['hp']}}}tc" for a in p.iterancestors())
        paragraphs.append(Para(text, styles[p.get("styleIDRef")], *shapes[p.get("paraPrIDRef")], height, bold, in_table))
    return paragraphs


def _find(paragraphs: list[Para], text: str) -> Para:
    return next(p for p in paragraphs if p.text.strip("　 ").startswith(text))


@pytest.mark.parametrize("template_id", ["press_release", "report", "official_letter"])
def test_hwpx_body_is_normal_text_with_hanging_indents_never_outline_numbering(template_id: str) -> None:
    paragraphs = _hwpx(to_hwpx(_draft(template_id)))
    numbered = [(p.text, p.style, p.heading) for p in paragraphs
                if p.style.startswith("개요") or p.heading in ("OUTLINE", "NUMBER")]
    assert numbered == [], "한글 would number these lines"
    items = {"press_release": ["□ 시범 운영 개요", "○ 24개 부서가 참여", "- 매뉴얼 검색 지원", "· 문서 요약"],
             "report": ["□ 추진 배경", "○ 민원 증가", "- 질문 15,702건"],
             "official_letter": ["1. 관련", "가. 기간", "1) 대상", "가) 담당자 지정"]}[template_id]
    found = [_find(paragraphs, text) for text in items]
    assert {p.style for p in found} == {"바탕글"}
    assert all(p.text.startswith(text) for p, text in zip(found, items)), "the symbol stays in the text"
    lefts = [p.left for p in found]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts), f"each level indents further: {lefts}"
    assert all(p.indent < 0 for p in found[1:]), "items hang: wrapped lines align after the symbol"


@pytest.mark.parametrize("template_id", ["press_release", "report"])
def test_hwpx_title_and_subtitle_have_styles_of_their_own(template_id: str) -> None:
    draft = _draft(template_id)
    paragraphs = _hwpx(to_hwpx(draft))
    title = _find(paragraphs, draft.fields["title"])
    assert title.style != "바탕글" and title.align == "CENTER" and title.bold and 1600 <= title.height <= 2000
    body = _find(paragraphs, "○ ")
    assert body.height < title.height
    if template_id == "press_release":
        subtitle = _find(paragraphs, "- 7월부터")
        assert subtitle.style not in ("바탕글", title.style) and subtitle.bold and body.height < subtitle.height


def _texts(draft: Draft) -> dict[str, str]:
    import docx

    paragraphs = _hwpx(to_hwpx(draft))
    document = docx.Document(io.BytesIO(to_docx(draft)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return {"hwpx": "\n".join(p.text for p in paragraphs),
            "docx": "\n".join([p.text for p in document.paragraphs] + cells), "text": draft.text()}


@pytest.mark.parametrize("template_id", ["press_release", "report", "official_letter"])
def test_sources_become_a_reference_list_never_bare_markers(template_id: str) -> None:
    draft = _draft(template_id)
    cited = {"official_letter": [REFERENCES[1]]}.get(template_id, [REFERENCES[0]])
    for kind, text in _texts(draft).items():
        assert not re.search(r"\[\d+\]", text), f"a bare [n] in the {kind}"
        lines = [line.strip("　 ") for line in text.splitlines() if line.strip("　 ")]
        assert "참고" in lines, kind
        listed = lines[lines.index("참고") + 1:]
        for hit in cited:
            assert any(hit.title in line and hit.section in line for line in listed), (kind, listed)
        uncited = [h for h in REFERENCES if h not in cited]
        assert not any(h.title in line for h in uncited for line in listed), "only the grounds the text cites"
    sentence = re.sub(r"\s*\[\d+\]", "", next(iter(SECTIONS[template_id].values())).splitlines()[0])
    assert sentence in draft.text(), "the sentence stays, without its marker"


def test_a_marker_pointing_nowhere_is_not_filed_either() -> None:
    draft = _draft("report").with_section("review", "○ 전면 도입 타당 [7]")
    assert any("[7]" in i.message for i in check_draft(draft)), "the wizard still says the number is wrong"
    for grounds in (draft, draft.changed(references=[])):  # a number beyond the references, or none at all
        assert "[7]" not in grounds.text() and "○ 전면 도입 타당" in grounds.text()


def test_press_release_opens_with_its_head_block() -> None:
    draft = _draft("press_release", attachments="시범 운영 계획\n이용 안내", photos="시연 장면")
    paragraphs = _hwpx(to_hwpx(draft))
    cells = [p.text for p in paragraphs if p.in_table]
    for label, value in (("보도 시점", "2025. 7. 16.(수) 11:15 이후"), ("배포 일시", "2025. 7. 16.(수) 09:00"),
                         ("담당 부서", "디지털정책과"), ("담당자", "팀장 홍길동, 주무관 김서울"), ("연락처", "02-2133-0000")):
        assert label in cells and value in cells, (label, cells)
    first_text = next(i for i, p in enumerate(paragraphs) if p.text.strip() and not p.in_table)
    assert paragraphs[first_text].text == "사진 1매 · 붙임 2건"
    assert paragraphs.index(_find(paragraphs, draft.fields["title"])) > first_text
    immediate = _draft("press_release", release_time="")
    assert "보도 시점 | 즉시" in immediate.text()  # the field left blank: released at once


def test_official_letter_follows_the_form() -> None:
    draft = _draft("official_letter", via="행정국장", attachments="시범 운영 계획 1부")
    lines = [line.strip("　 ") for line in draft.text().splitlines() if line.strip("　 ")]
    order = ["서울특별시", "수신  각 자치구청장(총무과장)", "(경유) 행정국장", "제목  행정 AI 도우미 시범 운영 협조 요청",
             "1. 관련", "2. 시범 운영", "가. 기간", "붙임  시범 운영 계획 1부  끝.", "서울특별시장", "기안자", "시행",
             "우편번호", "전화", "공개 구분", "참고"]
    positions = [next((i for i, line in enumerate(lines) if text in line), -1) for text in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))
    for label in ("검토자", "결재권자", "접수", "주소", "팩스", "전자우편"):
        assert label in draft.text()
    paragraphs = _hwpx(to_hwpx(draft))
    issuer, sender = _find(paragraphs, "서울특별시"), _find(paragraphs, "서울특별시장")
    assert issuer.align == sender.align == "CENTER" and issuer.bold and sender.bold and issuer.style != "바탕글"


def test_docx_uses_title_and_normal_styles_with_indents_and_no_numbering() -> None:
    import docx

    draft = _draft("press_release")
    data = to_docx(draft)
    document = docx.Document(io.BytesIO(data))
    by_text = {p.text: p for p in document.paragraphs}
    assert by_text[draft.fields["title"]].style.name == "Title"
    assert by_text["- 7월부터 전 부서 시범 운영, 매뉴얼 검색·문서 요약 지원"].style.name == "Subtitle"
    items = [next(p for t, p in by_text.items() if t.startswith(s)) for s in ("□ 시범", "○ 24개", "- 매뉴얼", "· 문서")]
    assert {p.style.name for p in items} == {"Normal"}
    lefts = [p.paragraph_format.left_indent or 0 for p in items]
    assert lefts == sorted(lefts) and len(set(lefts)) == 4
    assert all((p.paragraph_format.first_line_indent or 0) < 0 for p in items[1:])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<w:numPr>" not in archive.read("word/document.xml")
    table = document.tables[0]
    assert "담당 부서" in [c.text for row in table.rows for c in row.cells]


def _hierarchy_warnings(draft: Draft) -> list[str]:
    return [f"{i.section}: {i.message}" for i in check_draft(draft) if "항목 앞에" in i.message]


def test_text_written_as_the_press_template_asks_passes_the_checker() -> None:
    assert _hierarchy_warnings(_draft("press_release")) == []


@pytest.mark.parametrize(("template_id", "section_id", "text"), [
    ("press_release", "body", "- 매뉴얼 검색 지원"),  # a 보도자료 part may open at ○, never deeper
    ("report", "status", "- 질문 15,702건"),  # under the printed □ 현황, ○ comes before -
    ("report", "review", "○ 전면 도입 타당\n· 세부"),
])
def test_items_out_of_order_still_warn(template_id: str, section_id: str, text: str) -> None:
    draft = _draft(template_id).with_section(section_id, text)
    warnings = _hierarchy_warnings(draft)
    assert len(warnings) == 1, warnings


def test_a_report_part_without_its_heading_must_open_with_the_box() -> None:
    templates, _ = load_templates()
    report = templates["report"]
    sections = [s.model_copy(update={"heading": False}) if s.id == "overview" else s for s in report.sections]
    template = report.model_copy(update={"sections": sections})
    draft = Draft(template, dict(_draft("report").fields), dict(_draft("report").sections))
    assert [w for w in _hierarchy_warnings(draft) if w.startswith("개요")], "○ before any □ in a part with no □ line"


def test_every_template_asks_for_items_the_checker_accepts() -> None:
    """The instruction a template sends the model and the checker read the same rules (symbols.py)."""
    from seoulai.drafting.symbols import instruction_level, opening_level

    templates, _ = load_templates()
    asked = {}
    for template in templates.values():
        for section in template.sections:
            level = instruction_level(section.instruction, template.format.hierarchy)
            if level is not None:
                asked[(template.id, section.id)] = level
                assert level <= opening_level(template.id, section.heading), (template.id, section.id)
    assert asked[("press_release", "plans")] == 1 and asked[("press_release", "body")] == 0
    assert asked[("report", "overview")] == 1 and asked[("official_letter", "body")] == 0
