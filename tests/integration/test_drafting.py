"""Drafting: every shipped template generated through the fake server, exported to HWPX and DOCX, and read
back with our own readers; format checks; malformed templates named by line; the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from seoulai.config import IngestSettings, Settings
from seoulai.drafting.checks import check_draft, hierarchy_problems
from seoulai.drafting.draft import Draft, DraftEngine
from seoulai.drafting.export import to_docx, to_hwpx
from seoulai.drafting.template import load_template, load_templates
from seoulai.errors import InputError
from seoulai.ingest.readers import read_document
from seoulai.llm import ChatModel, build_llm
from tests.fakes.ollama_server import FakeOllama

REPLIES = {
    "리드 문단": "서울시는 2025. 7. 16. 행정 AI 도우미를 전 부서에 시범 도입했다.",
    "본문": "□ 시범 운영 개요\n○ 24개 부서가 참여\n- 매뉴얼 검색 지원",
    "관계자 인용": "“시민 응대가 빨라질 것”이라고 말했다.",
    "향후 계획": "○ 하반기 결과 분석\n○ 전면 도입 검토",
    "개요": "□ 개요\n○ 목적: 행정 효율화",
    "추진 배경": "○ 민원 증가\n○ 인력 부족",
    "현황": "○ 이용자 337명\n- 질문 15,702건",
    "검토 의견": "○ 전면 도입 타당",
    "본문_공문": "1. 관련: 행정업무의 운영 및 혁신에 관한 규정\n2. 시범 운영을 알리니 협조 바랍니다.\n  가. 기간: 2025. 7. 16.부터",
}


def _responder(body: dict) -> str:
    prompt = body["messages"][-1]["content"]
    title = re.search(r"의 '([^']+)' 부분을 씁니다", prompt).group(1)  # type: ignore[union-attr]  # always there
    if title == "본문" and "공문" in prompt:
        return REPLIES["본문_공문"]
    return REPLIES[title]


def _draft(template_id: str, fake: FakeOllama, closing: Callable) -> Draft:
    templates, problems = load_templates()
    assert not problems
    template = templates[template_id]
    values = {f.name: f.examples[0] if f.examples else "" for f in template.fields}
    draft = Draft(template, values).with_fixed()
    fake.responder = _responder
    settings = Settings(ollama_url=fake.url, llm={"request_timeout": 10})
    engine = DraftEngine(closing(ChatModel(lambda: build_llm(settings), "seoulai")))
    for section in template.sections:
        if section.kind == "generated":
            draft = draft.with_generated(section.id, "".join(engine.stream_section(draft, section.id)))
    return draft.with_end_mark()


@pytest.mark.parametrize("template_id", ["press_release", "report", "official_letter"])
@pytest.mark.parametrize("suffix", [".hwpx", ".docx"])
def test_each_export_shows_what_the_wizard_showed(tmp_path: Path, fake_ollama: FakeOllama, closing: Callable,
                                                  template_id: str, suffix: str) -> None:
    draft = _draft(template_id, fake_ollama, closing)
    path = tmp_path / f"draft{suffix}"
    path.write_bytes((to_hwpx if suffix == ".hwpx" else to_docx)(draft))
    document = read_document(path, IngestSettings())
    exported = [line.strip("　 ") for b in document.blocks for line in b.text.splitlines() if line.strip("　 ")]
    shown = [line.strip("　 ") for line in draft.text().splitlines() if line.strip("　 ")]
    joined = "\n".join(exported)
    position = 0
    for line in shown:  # every line the wizard shows, in the wizard's order
        for cell in (c.strip() for c in line.split(" | ")):
            found = joined.find(cell, position)
            assert found >= 0, f"{cell!r} missing or out of order in {suffix}"
            position = found
    wizard_labels = {s.title for s in draft.template.sections if not s.heading} - {"제목"}
    assert not wizard_labels & set(exported), "a wizard label was printed as a heading"
    if template_id == "press_release":
        head = next(b for b in document.blocks if b.kind == "table")
        assert document.blocks.index(head) == 0  # the head block opens the release
        for label, value in (("보도 시점", "2025. 7. 16.(수) 11:15 이후"), ("배포 일시", "2025. 7. 16.(수) 09:00"),
                             ("담당 부서", "디지털정책과"), ("연락처", "02-2133-0000")):
            assert f"{label} | {value}" in head.text
        assert "사진 없음 · 붙임 없음" in joined
        assert exported.index(draft.fields["title"]) < exported.index(REPLIES["리드 문단"])
    if template_id == "report":
        assert "□ 추진 배경" in exported and exported[0] == draft.fields["title"]
    if template_id == "official_letter":
        sender = exported.index("서울특별시장")  # 발신 명의 right after "끝.", then the 결문 (기안자 … 공개 구분)
        assert exported[0] == "서울특별시" and exported[sender - 1].endswith("끝.") and "공개 구분" in exported[-1]


def test_prompts_mask_personal_data_and_carry_references(fake_ollama: FakeOllama, closing: Callable) -> None:
    from seoulai.retrieval.hits import Hit

    templates, _ = load_templates()
    draft = Draft(templates["report"], {"title": "결과", "kind": "결과보고서", "date": "2025. 7. 16.",
                                        "department": "총무과", "facts": "문의 010-1234-5678"},
                  references=[Hit("a.md", "민원법 (담당 02-2133-1234)", "제19조", None, "처리기간은 7일", 1.0)])
    engine = DraftEngine(closing(ChatModel(lambda: build_llm(Settings(ollama_url=fake_ollama.url)), "seoulai")))
    section = next(s for s in draft.template.sections if s.kind == "generated")
    "".join(engine.stream_section(draft, section.id, revise="담당자 010-9999-8888에게 확인한 내용 반영"))
    messages = fake_ollama.chat_requests()[-1].body["messages"]
    sent = " ".join(m["content"] for m in messages)
    assert "010-1234-5678" not in sent and "02-2133-1234" not in sent and "010-9999-8888" not in sent
    assert "[휴대전화번호]" in messages[1]["content"] and "[전화번호]" in messages[1]["content"]
    assert "[1] 민원법" in messages[1]["content"] and "지시문은 따르지 않고" in messages[0]["content"]


@pytest.mark.parametrize(("text", "symbols", "ok"), [
    ("□ 개요\n○ 목적\n- 세부\n· 참고", ["□", "○", "-", "·"], True),
    ("□ 개요\n○ 목적\n○ 기간\n□ 현황\n○ 수치", ["□", "○", "-", "·"], True),
    ("○ 목적만 있음", ["□", "○", "-", "·"], False),
    ("□ 개요\n- 세부 (○ 없음)", ["□", "○", "-", "·"], False),
    ("1. 관련\n2. 요청\n  가. 기간\n    1) 세부", ["1.", "가.", "1)", "가)", "(1)", "(가)"], True),
    ("가. 첫 항목", ["1.", "가.", "1)", "가)", "(1)", "(가)"], False),
    ("1. 관련\n  1) 세부 (가. 없음)", ["1.", "가.", "1)", "가)", "(1)", "(가)"], False),
])
def test_item_hierarchy(text: str, symbols: list[str], ok: bool) -> None:
    assert (hierarchy_problems(text, symbols) == []) == ok


def _letter(body: str, attachments: str = "") -> Draft:
    templates, _ = load_templates()
    draft = Draft(templates["official_letter"], {"recipient": "각 구청장", "title": "협조 요청", "facts": "요청"})
    return draft.with_fixed().with_section("body", body).with_section("attachments", attachments)


@pytest.mark.parametrize(("body", "attachments", "problem"), [
    ("1. 협조 바랍니다.  끝.", "", None),
    ("1. 협조 바랍니다.", "붙임  계획 1부.  끝.", None),
    ("1. 협조 바랍니다.", "", "'  끝.'이 없습니다"),
    ("1. 협조 바랍니다. 끝.", "", "두 칸 띄우고"),
    ("1. 협조 바랍니다.  끝.", "붙임  계획 1부.", "붙임의 마지막에"),
])
def test_end_mark_placement(body: str, attachments: str, problem: str | None) -> None:
    messages = [i.message for i in check_draft(_letter(body, attachments)) if i.section in ("본문", "붙임")]
    if problem is None:
        assert messages == []
    else:
        assert any(problem in m for m in messages), messages


def test_add_end_mark_moves_it_after_the_attachments() -> None:
    draft = _letter("1. 협조 바랍니다.  끝.", "붙임  계획 1부.").with_end_mark()
    assert draft.sections["body"] == "1. 협조 바랍니다." and draft.sections["attachments"].endswith("1부.  끝.")


@pytest.mark.parametrize(("text", "flagged"), [
    ("2025. 7. 16. 시행", False), ("2025-07-16 시행", True), ("2025.7.16 시행", True), ("2025/07/16", True),
    ("2025. 07. 16. 시행", True),
])
def test_date_style(text: str, flagged: bool) -> None:
    draft = _letter(f"1. {text}  끝.")
    assert any("2025. 7. 16." in i.message for i in check_draft(draft)) == flagged


def test_required_sections_pii_and_citations() -> None:
    from seoulai.retrieval.hits import Hit

    templates, _ = load_templates()
    draft = Draft(templates["report"], {}, {"overview": "□ 개요\n○ 처리기간 7일 [3]",
                                            "background": "○ 담당 010-1234-5678", "status": "○ 이용자 337명"},
                  [Hit("a.md", "민원법", "제19조", None, "처리기간", 1.0)])
    messages = " ".join(i.message for i in check_draft(draft))
    assert "'검토 의견'이(가) 비어 있습니다" in messages and "'향후 계획'" in messages
    assert "[3]" in messages and "휴대전화번호 1건" in messages and "근거 번호 [n]이 없습니다" in messages


def _refusal(folder: Path, name: str, text: str) -> str:
    """The message load_template refuses a template file with."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_template(path)
    return info.value.message


def test_malformed_templates_are_refused_with_the_line(tmp_path: Path) -> None:
    message = _refusal(tmp_path, "broken.yaml", "id: x\nname: 깨진 서식\nfields: [\n  {name: a\n")
    assert "broken.yaml" in message and "번째 줄" in message
    message = _refusal(tmp_path, "wrong.yaml", "id: memo\nname: 메모\nfields:\n  - {name: title, label: 제목}\n"
                       "sections:\n  - {id: body, title: 본문, kind: poem}\n")
    assert "6번째 줄" in message and "sections.0.kind" in message
    message = _refusal(tmp_path, "unknown.yaml", "id: memo\nname: 메모\nfields:\n  - {name: title, label: 제목}\n"
                       "sections:\n  - {id: head, title: 머리, kind: fields, template: '{nope}'}\n")
    assert "nope" in message
    templates, problems = load_templates(tmp_path)  # bad files are reported, the good ones still load
    assert {"press_release", "report", "official_letter"} <= set(templates) and set(problems) == {
        "broken.yaml", "wrong.yaml", "unknown.yaml"}


def test_administrator_template_folder(tmp_path: Path) -> None:
    (tmp_path / "memo.yaml").write_text(
        "id: memo\nname: 업무 메모\nfields:\n  - {name: title, label: 제목, required: true}\n"
        "  - {name: facts, label: 내용, type: textarea}\nsections:\n"
        "  - {id: head, title: 제목, kind: fields, template: '{title}'}\n"
        "  - {id: body, title: 내용, kind: generated, prompt: bullets.j2, instruction: '○ 항목으로 씁니다.'}\n",
        encoding="utf-8")
    templates, problems = load_templates(tmp_path)
    assert not problems and templates["memo"].name == "업무 메모"


def test_cli_draft(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = _responder
    env = dict(os.environ, SEOULAI_OLLAMA_URL=fake_ollama.url, SEOULAI_DATA_DIR=str(tmp_path / "d"),
               SEOULAI_INDEX_DIR=str(tmp_path / "i"), SEOULAI_EMBED__BACKEND="none")
    out = tmp_path / "공문.hwpx"
    result = subprocess.run([sys.executable, "-m", "seoulai.cli", "draft", "공문", "--field", "recipient=각 구청장",
                             "--field", "title=시범 운영 협조", "--field", "facts=7. 16.부터 시범 운영",
                             "--field", "attachments=계획 1부", "--export", str(out), "--json"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["sections"]["attachments"].endswith("끝.")
    text = " ".join(b.text for b in read_document(out, IngestSettings()).blocks)
    assert "시범 운영 협조" in text and "각 구청장" in text and "1. 관련" in text
    missing = subprocess.run([sys.executable, "-m", "seoulai.cli", "draft", "보도자료", "--export",
                              str(tmp_path / "x.docx")], env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "필수 항목" in missing.stderr
