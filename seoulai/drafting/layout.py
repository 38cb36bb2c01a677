"""What an exported draft shows, in order: one layout for the DOCX and HWPX writers and the wizard's text view,
so the file a 과 files says exactly what the wizard showed.

A 보도자료 opens with the standard head block (보도 시점, 배포 일시, 담당 부서·담당자·연락처, 사진·붙임), then the
title, subtitles, lead, body; a 보고서 prints each part's title as its □ line; a 공문 reads 수신 → 제목 → 본문 → 붙임
→ 끝. → 발신 명의. Section labels used only in the wizard ("리드 문단", "본문") are never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from seoulai.drafting.checks import _level
from seoulai.drafting.draft import Draft

PieceKind = Literal["issuer", "title", "subtitle", "info", "heading", "line", "table", "note", "closing"]


@dataclass
class Piece:
    kind: PieceKind
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def layout(draft: Draft) -> list[Piece]:
    template, fmt = draft.template, draft.template.format
    pieces: list[Piece] = []
    if fmt.issuer:
        pieces.append(Piece("issuer", fmt.issuer))
    if fmt.head:
        rows = [[template.field(name).label, draft.fields.get(name, "").strip()] for name in fmt.head]
        pieces.append(Piece("table", rows=[r for r in rows if r[1]]))
        photos = draft.fields.get("photos", "").strip()
        attached = [a for a in draft.fields.get("attachments", "").splitlines() if a.strip()]
        pieces.append(Piece("note", f"사진 {'있음' if photos else '없음'} · 붙임 {'있음' if attached else '없음'}"))
    if not fmt.issuer:
        pieces.append(Piece("title", draft.title))
    symbols = fmt.hierarchy
    for section in template.sections:
        text = draft.sections.get(section.id, "").strip()
        if not text or not section.in_export:
            continue
        if section.kind == "fields" and text == draft.title:
            continue  # the document's title, already placed
        if section.kind == "contact_table":
            rows = [row.split(" | ") for row in text.splitlines()]
            pieces.append(Piece("table", rows=rows))
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if section.heading:
            marker = f"{symbols[0]} {section.title}" if symbols else section.title
            pieces.append(Piece("heading", marker))
            if lines and lines[0].lstrip(" □").strip() == section.title:
                lines = lines[1:]  # the model wrote the heading itself
        kind: PieceKind = {"field_list": "subtitle", "fields": "info"}.get(section.kind, "line")  # type: ignore[assignment]
        for line in lines:
            level = (_level(line, symbols) or 0) if symbols and kind == "line" else 0
            pieces.append(Piece(kind, line, level))
    if fmt.closing:
        pieces.append(Piece("closing", fmt.closing))
    return pieces


def visible_text(draft: Draft) -> str:
    """The draft as plain text, exactly the lines an export shows (the wizard's '텍스트로 복사')."""
    lines: list[str] = []
    for piece in layout(draft):
        if piece.kind == "table":
            lines += [" | ".join(row) for row in piece.rows]
        else:
            lines.append("　" * piece.level + piece.text)
    return "\n".join(lines)
