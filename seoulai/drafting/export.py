"""Write a draft's layout (seoulai/drafting/layout.py) as DOCX (python-docx) and HWPX (python-hwpx): A4,
margins as 한글's 공문서 default (top 20 mm, sides 20 mm, bottom 15 mm), the title centred and bold, items
indented by their level, tables ruled."""

from __future__ import annotations

import io

from seoulai.drafting.draft import Draft
from seoulai.drafting.layout import Piece, layout

MARGINS_MM = {"top": 20.0, "bottom": 15.0, "left": 20.0, "right": 20.0}
FULL_WIDTH_SPACE = "　"  # the 개조식 indent 한글 users expect


def to_docx(draft: Draft) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = docx.Document()
    document.core_properties.title = draft.title
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    style = document.styles["Normal"]
    style.font.name = "맑은 고딕"
    style.font.size = Pt(11)

    def centred(text: str, size: int) -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = True
        run.font.size = Pt(size)

    for piece in layout(draft):
        if piece.kind in ("issuer", "title"):
            centred(piece.text, 16)
        elif piece.kind == "closing":
            centred(piece.text, 14)
        elif piece.kind == "heading":
            paragraph = document.add_paragraph()
            paragraph.add_run(piece.text).bold = True
        elif piece.kind == "table":
            _docx_table(document, piece)
        elif piece.kind == "note":
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.add_run(piece.text).font.size = Pt(9)
        else:
            paragraph = document.add_paragraph(piece.text)
            paragraph.paragraph_format.left_indent = Cm(0.6 * piece.level)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document, piece: Piece) -> None:  # type: ignore[no-untyped-def]
    rows = piece.rows
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell


def to_hwpx(draft: Draft) -> bytes:
    from hwpx import HwpxDocument

    document = HwpxDocument.new()
    document.page.setup(paper_size="A4", margins_mm=MARGINS_MM)
    for piece in layout(draft):
        if piece.kind in ("issuer", "title", "closing"):
            document.add_heading(piece.text, level=1)
        elif piece.kind == "heading":
            document.add_heading(piece.text, level=2)
        elif piece.kind == "table":
            rows = piece.rows
            table = document.add_table(len(rows), max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.set_cell_text(r, c, cell)
        else:
            document.add_paragraph(FULL_WIDTH_SPACE * piece.level + piece.text)
    return document.to_bytes()
