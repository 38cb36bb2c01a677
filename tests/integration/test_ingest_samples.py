"""Every real sample extracts, with tables; every broken one gets its own error code. Phrases below were
read from the files (한글 previews, the NTS rulings data set parsed by another tool, the PDFs as printed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import olefile
import pytest

from seoulai.config import IngestSettings
from seoulai.ingest.failures import IngestError
from seoulai.ingest.pool import ParserPool
from seoulai.ingest.types import Document

# file -> [(phrase, block kind that must hold it or None for any)]
PHRASES: dict[str, list[tuple[str, str | None]]] = {
    "hwp/footnote-endnote.hwp": [("미주참조", None), ("각주:", "note")],
    "hwp/gov_award_forms_정부포상_추천_구비서류_서식.hwp": [("공적조서 (단체)", "table"),
                                                    ("추 천 인 : 성명(단체명)", None)],
    "hwp/headerfooter.hwp": [("이것은 머리말입니다", "note")],
    "hwp/lh_form7_power_of_attorney_위임장.hwp": [("행복주택 예비입주자 모집에 관한 일체를 위임", "table")],
    "hwp/lists.hwp": [("3-2-1", None), ("글머리표", None)],
    "hwp/msit_press_release_2018-09-03_noori.hwp": [("용찬재 사무관(☎ 02-2110-2428)", "table"),
                                                   ("네이미스트, 카피라이터, 국어교사", "paragraph"),
                                                   ("47.2 m", "table")],
    "hwp/sample-5017.hwp": [("table2", "table"), ("다음 문단", None)],
    "hwp/table-caption.hwp": [("왼쪽 위", "table")],
    "hwp/template_weekly_work_report.hwp": [("예상 문제점", "table")],
    "hwp/textbox.hwp": [("글상자", None)],
    "hwpx/mcst_press_release_2024-01-02.hwpx": [("장미란 제2차관", "table"), ("양궁", "paragraph")],
    "hwpx/public_data_provision_standard_2023.hwpx": [("국가통합교통체계효율화법", "table"),
                                                      ("환승센터명", "table")],
    "hwpx/seoul_gangnam_gu_legislative_notice_2023.hwpx": [("서울특별시 강남구 공고 제2023-745호", "paragraph"),
                                                           ("공무직 관리 규정", None)],
    "pdf/KorQuAD_2.0_paper_ko.pdf": [("38,496", "table"), ("KorQuAD", None)],
    "pdf/경희규정0.pdf": [("졸업학점의 1/4 이상", "table"), ("제1조(목적) 경희대학교", None)],
    "pdf/경희규정1.pdf": [("제 1 조 (목적) 이 규정은 경희대학교 미원학술상", None)],
    "pdf/경희규정2.pdf": [("R13 G50 B111", None)],
    "pdf/경희규정3.pdf": [("모든 문서의 심의는 전결권자의 결재로 갈음한다", None)],
    "pdf/경희규정4.pdf": [("기타 위원회에서 필요하다고 인정하는 사항", None)],
    "pdf/경희규정5.pdf": [("제1조", None)],
    "pdf/경희규정6.pdf": [("발명자 개인 비용으로 국외 출원한 발명", None)],
    "pdf/경희규정7.pdf": [("별지 제2호의 서식을 이용하여 작성", None)],
    "pdf/경희규정8.pdf": [("시범대학장의 요구", None)],
    "broken/nibr_rfp_2023_제안요청서_ACTUALLY_HWPX.hwp": [("야생동물 종합관리 시스템 고도화", "table")],
}

BROKEN = {
    "drm_markany_1.hwp": "drm",
    "drm_markany_2.hwp": "drm",
    "edge_empty_text_2022.hwpx": "empty",
    "password-12345.hwp": "encrypted",
    "stub_html_comment.hwp": "not_a_document",
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def extracted(shared_dir: Path) -> dict[str, Document | IngestError]:
    samples = shared_dir / "samples"
    files = sorted(p for p in samples.glob("*/*") if p.is_file() and p.name != "README.md")
    with ParserPool(IngestSettings()) as pool:
        return {str(p.relative_to(samples)): result for p, result in pool.extract_many(files)}


def test_every_sample_is_covered(extracted: dict[str, Document | IngestError]) -> None:
    # A new sample in shared/ must get phrases here (or an expected error), not slip through untested.
    covered = set(PHRASES) | {f"broken/{n}" for n in BROKEN} | {"hwp/table.hwp"}
    covered |= {k for k in extracted if k.startswith("hwp/nts_")}
    assert set(extracted) == covered


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_sample_text_and_tables(extracted: dict[str, Document | IngestError], name: str) -> None:
    result = extracted[name]
    assert isinstance(result, Document), f"{name}: {result}"
    assert result.char_count > 0
    for phrase, kind in PHRASES[name]:
        blocks = [b for b in result.blocks if kind is None or b.kind == kind]
        assert any(_norm(phrase) in _norm(b.text) for b in blocks), f"{name}: {phrase!r} not in {kind} blocks"
    if name.startswith("pdf/") or name.endswith(".hwpx") or name.endswith("noori.hwp"):
        assert result.pages and all(b.page for b in result.blocks), "paged formats give every block a page"


def test_really_hwpx_named_hwp_is_read_as_hwpx(extracted: dict[str, Document | IngestError]) -> None:
    result = extracted["broken/nibr_rfp_2023_제안요청서_ACTUALLY_HWPX.hwp"]
    assert isinstance(result, Document) and result.format == "hwpx"


def test_nts_rulings_match_an_independent_parse(extracted: dict[str, Document | IngestError],
                                               shared_dir: Path) -> None:
    rulings = {}
    with (shared_dir / "corpus" / "nts_rulings.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rulings[row["file"]] = row
    checked = 0
    for name, result in extracted.items():
        if not name.startswith("hwp/nts_"):
            continue
        assert isinstance(result, Document), f"{name}: {result}"
        row = rulings[name.removeprefix("hwp/nts_")]
        text = _norm(" ".join(b.text for b in result.blocks))
        assert _norm(row["title"]) in text, name
        assert _norm(row["summary"])[:40] in text, name
        assert any(b.kind == "table" for b in result.blocks)
        checked += 1
    assert checked == 30


def test_table_fixture_without_any_text_is_empty(extracted: dict[str, Document | IngestError],
                                                 shared_dir: Path) -> None:
    # table.hwp is an empty 2x2 grid: 한글's own preview text holds only the cell markers.
    preview = olefile.OleFileIO(str(shared_dir / "samples/hwp/table.hwp")).openstream("PrvText").read()
    assert not re.search(r"\w", preview.decode("utf-16-le"))
    result = extracted["hwp/table.hwp"]
    assert isinstance(result, IngestError) and result.code == "empty"


@pytest.mark.parametrize(("name", "code"), sorted(BROKEN.items()))
def test_broken_files_get_their_code(extracted: dict[str, Document | IngestError], name: str, code: str) -> None:
    result = extracted[f"broken/{name}"]
    assert isinstance(result, IngestError), f"{name} should fail"
    assert result.code == code
    assert re.search(r"[가-힣]", result.message) and "Traceback" not in result.message


@pytest.mark.parametrize(("name", "title"), [
    ("nts_02_010000000000008208.hwp", "영세율 첨부서류 미제출로 인한 영세율 과세표준 과소신고 가산세"),  # summary: "2003년도"
    ("msit_press_release_2018-09-03_noori.hwp", "우리가 독자 개발하여 최초 발사하는 한국형발사체"),  # no summary
    ("template_weekly_work_report.hwp", "주간업무보고서"),
    ("lh_form7_power_of_attorney_위임장.hwp", "위임장"),  # written letter-spaced: 위  임  장
    ("sample-5017.hwp", "한글 2005 예제 파일입니다."),  # summary "제목입니다." is the template's
    ("footnote-endnote.hwp", "각주참조"),  # a summary found in the body is kept
])
def test_hwp_title_comes_from_the_first_heading_when_the_summary_is_stale(shared_dir: Path, name: str,
                                                                            title: str) -> None:
    from seoulai.config import IngestSettings
    from seoulai.ingest.readers import read_document

    assert read_document(shared_dir / "samples" / "hwp" / name, IngestSettings()).title.startswith(title)
