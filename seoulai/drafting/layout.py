"""What an exported draft shows, in order: one layout for the DOCX and HWPX writers and the wizard's text view,
so the file a 과 files says exactly what the wizard showed.

A 보도자료 opens with the standard head block (보도 시점, 배포 일시, 담당 부서·담당자·연락처, 사진·붙임), then the
title, subtitles, lead, body; a 보고서 prints each part's title as its □ line; a 공문 reads 두문 (기관명, 수신, 경유)
→ 본문 (제목, 1. 가. 1) 가) items, 붙임, 끝.) → 결문 (발신 명의, 기안자·검토자·결재권자, 시행·접수, 주소, 연락처, 공개
구분). Section labels used only in the wizard ("리드 문단", "본문") are never printed. The [n] grounds markers the
model writes are taken out of the sentences and the grounds they point to listed under "참고" at the end (one rule
for every form: a 과 never files a bare [1]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.drafting.content import DraftContent
from seoulai.drafting.symbols import item_level

PieceKind = Literal["issuer", "title", "subtitle", "info", "heading", "line", "table", "note", "closing", "signoff",
                    "label", "reference"]

# A grounds marker with the space before it: [1], [1, 2], [1-3], full-width brackets (as answer.citations reads them).
# A match starts only where a run of spaces starts (the look-behind): a long run without a marker is read once.
_MARKER = re.compile(r"(?<!\s)\s*[\[［]\s*\d{1,3}(?:\s*[,~\-–]\s*\d{1,3})*\s*[\]］]")
# What a blank head field says (a 보도자료 with no embargo is released at once).
_BLANK_HEAD = {"release_time": "즉시"}
# The 결문 of a 공문 (행정업무의 운영 및 혁신에 관한 규정 시행규칙 별지 서식): each line's labels, filled from the
# template's field of that name where there is one, else left blank to fill in by hand.
_SIGNOFF = [[("기안자", "drafter"), ("검토자", "reviewer"), ("결재권자", "approver")],
            [("시행", "doc_number"), ("접수", "received")],
            [("우편번호", "postcode"), ("주소", "address"), ("홈페이지", "homepage")],
            [("전화", "phone"), ("팩스", "fax"), ("전자우편", "email"), ("공개 구분", "disclosure")]]
_BLANK = "(        )"
_BLANKS = {"시행": "처리과-      (    .    .    .)", "접수": "처리과-      (    .    .    .)",
           "공개 구분": "(공개 / 부분공개 / 비공개)"}


@dataclass
class Piece:
    kind: PieceKind
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    item: bool = False  # the line starts with an item symbol: it hangs (wrapped lines align after the symbol)


def layout(draft: DraftContent) -> list[Piece]:
    template, fmt = draft.template, draft.template.format
    pieces: list[Piece] = []
    if fmt.issuer:
        pieces.append(Piece("issuer", fmt.issuer))
    if fmt.head:
        pieces += _head_block(draft)
    if not fmt.issuer:
        pieces.append(Piece("title", draft.title))
    symbols = fmt.hierarchy
    cited: list[int] = []
    for section in template.sections:
        text = draft.sections.get(section.id, "").strip()
        if not text or not section.in_export:
            continue
        if section.kind == "fields" and text == draft.title:
            continue  # the document's title, already placed
        if section.kind == "contact_table":
            pieces.append(Piece("table", rows=[row.split(" | ") for row in text.splitlines()]))
            continue
        if section.kind == "generated":  # a marker with no reference behind it goes too (the checks flag it)
            cited += [n for n in check_citations(text, len(draft.references)).cited if n not in cited]
            text = _MARKER.sub("", text)
        # 붙임's later items keep the spaces that line them up under the first ("붙임  1. …" / "      2. …").
        keep = str.rstrip if section.kind == "attachments" else str.strip
        lines = [keep(line) for line in text.splitlines() if line.strip()]
        if section.heading:
            marker = f"{symbols[0]} {section.title}" if symbols else section.title
            pieces.append(Piece("heading", marker, item=bool(symbols)))
            if lines and lines[0].lstrip(" □").strip() == section.title:
                lines = lines[1:]  # the model wrote the heading itself
        kind: PieceKind = {"field_list": "subtitle", "fields": "info"}.get(section.kind, "line")  # type: ignore[assignment]  # get() widens to str
        for line in lines:
            level = item_level(line, symbols) if symbols and kind == "line" else None
            pieces.append(Piece(kind, line, level or 0, item=level is not None or kind == "subtitle"))
    if fmt.closing:
        pieces.append(Piece("closing", fmt.closing))
        pieces += [Piece("signoff", "   ".join(f"{label} {draft.fields.get(name, '').strip() or _BLANKS.get(label, _BLANK)}"
                                                for label, name in line)) for line in _SIGNOFF]
    if cited:
        pieces.append(Piece("label", "참고"))
        pieces += [Piece("reference", f"{i}. {_reference(draft, n)}", item=True) for i, n in enumerate(cited, 1)]
    return pieces


def _head_block(draft: DraftContent) -> list[Piece]:
    """보도자료: the table of 보도 시점, 배포 일시, 담당 부서·담당자·연락처, and the count of photos and attachments."""
    template = draft.template
    rows = [[template.field(name).label, draft.fields.get(name, "").strip() or _BLANK_HEAD.get(name, "")]
            for name in template.format.head]
    photos = [p for p in draft.fields.get("photos", "").splitlines() if p.strip()]
    attached = [a for a in draft.fields.get("attachments", "").splitlines() if a.strip()]
    count = f"사진 {f'{len(photos)}매' if photos else '없음'} · 붙임 {f'{len(attached)}건' if attached else '없음'}"
    return [Piece("table", rows=[r for r in rows if r[1]]), Piece("note", count)]


def _reference(draft: DraftContent, number: int) -> str:
    hit = draft.references[number - 1]
    return " ".join(part for part in (hit.title.strip(), (hit.section or "").strip()) if part)


def visible_text(draft: DraftContent) -> str:
    """The draft as plain text, exactly the lines an export shows (the wizard's '텍스트로 복사')."""
    lines: list[str] = []
    for piece in layout(draft):
        if piece.kind == "table":
            lines += [" | ".join(row) for row in piece.rows]
        else:
            lines.append("　" * piece.level + piece.text)
    return "\n".join(lines)
