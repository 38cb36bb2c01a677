"""Export a draft to DOCX (python-docx) and HWPX (python-hwpx): headings, item hierarchy, contact table."""

from __future__ import annotations

import io

from seoulai.drafting.checks import _level
from seoulai.drafting.draft import Draft


def _title(draft: Draft) -> str:
    return draft.fields.get("title", "").strip() or draft.template.name


def _blocks(draft: Draft) -> list[tuple[str, object]]:
    """("heading", text) | ("line", (level, text)) | ("table", rows), in document order."""
    blocks: list[tuple[str, object]] = [("title", _title(draft))]
    symbols = draft.template.format.hierarchy
    for section in draft.template.sections:
        text = draft.sections.get(section.id, "").strip()
        if not text or text == _title(draft):  # already the document's title
            continue
        if section.kind == "contact_table":
            blocks.append(("heading", section.title))
            blocks.append(("table", [row.split(" | ") for row in text.splitlines()]))
            continue
        if section.kind != "fields":
            blocks.append(("heading", section.title))
        for line in text.splitlines():
            if line.strip():
                level = _level(line.strip(), symbols) if symbols else None
                blocks.append(("line", (level or 0, line.strip())))
    return blocks


def to_docx(draft: Draft) -> bytes:
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    document.core_properties.title = _title(draft)
    style = document.styles["Normal"]
    style.font.name = "맑은 고딕"
    style.font.size = Pt(11)
    for kind, value in _blocks(draft):
        if kind == "title":
            document.add_heading(str(value), level=0)
        elif kind == "heading":
            document.add_heading(str(value), level=2)
        elif kind == "line":
            level, text = value  # type: ignore[misc]
            paragraph = document.add_paragraph(text)
            paragraph.paragraph_format.left_indent = Cm(0.6 * level)
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_hwpx(draft: Draft) -> bytes:
    from hwpx import HwpxDocument

    document = HwpxDocument.new()
    for kind, value in _blocks(draft):
        if kind == "title":
            document.add_heading(str(value), level=1)
        elif kind == "heading":
            document.add_heading(str(value), level=2)
        elif kind == "line":
            level, text = value  # type: ignore[misc]
            document.add_paragraph("　" * level + text)  # full-width spaces: the 개조식 indent 한글 users expect
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            table = document.add_table(len(rows), max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.set_cell_text(r, c, cell)
    return document.to_bytes()
