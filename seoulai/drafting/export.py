"""Write a draft's layout (seoulai/drafting/layout.py) as DOCX (python-docx) and HWPX (python-hwpx): A4, margins as
한글's 공문서 default (top 20 mm, sides 20 mm, bottom 15 mm).

Opened in 한글 or Word the file must read as the form a 과 files: the title (and a 공문's 기관명, 발신 명의) in a
style of its own, larger, bold and centred; every other line in the normal style (바탕글 / Normal) with the □ ○ - ·
or 1. 가. 1) 가) symbols as text and a hanging indent by level. Never an outline or list style: 한글 would number
each line ("개요 1"), and the symbols are already in the text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from seoulai.drafting.draft import Draft
from seoulai.drafting.layout import _MARKER as MARKER  # layout's one rule for [n] markers
from seoulai.drafting.layout import Piece, layout

MARGINS_MM = {"top": 20.0, "bottom": 15.0, "left": 20.0, "right": 20.0}
BODY_PT = 12
STEP_PT, HANG_PT = 24, 20  # each level indents two characters; an item's symbol hangs in the first 20 pt
# Styles of their own (name, size pt, alignment); the rest is 바탕글.
_HWPX_STYLES = {"issuer": ("기관명", 20, "CENTER"), "title": ("제목", 18, "CENTER"), "subtitle": ("부제", 14, "LEFT"),
                "closing": ("발신명의", 16, "CENTER")}


def _indent_pt(piece: Piece) -> tuple[int, int]:
    """Left margin and first-line indent (negative: hanging) of a line, in points, as Word reads them: the first
    line starts ``hang`` left of the margin. 한글 starts the first line at the margin and moves the others
    (to_hwpx shifts the margin back)."""
    hang = HANG_PT if piece.item else 0
    return STEP_PT * piece.level + hang, -hang


def to_docx(draft: Draft) -> bytes:
    return write_docx(draft.title, layout(draft))


def write_docx(title: str, pieces: list[Piece]) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = title
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    for name, size in (("Normal", BODY_PT), ("Title", 18), ("Subtitle", 14)):
        style = document.styles[name]
        style.font.name, style.font.size = "맑은 고딕", Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        if name != "Normal":
            style.font.bold, style.font.italic = True, False
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for piece in pieces:
        if piece.kind == "table":
            _docx_table(document, piece)
            continue
        style = {"title": "Title", "subtitle": "Subtitle"}.get(piece.kind, "Normal")
        paragraph = document.add_paragraph(style=style)
        run = paragraph.add_run(piece.text)
        if piece.kind in ("issuer", "closing"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold, run.font.size = True, Pt(_HWPX_STYLES[piece.kind][1])
        elif piece.kind in ("heading", "label"):
            run.bold = True
        elif piece.kind == "note":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run.font.size = Pt(9)
        left, first = _indent_pt(piece)
        if left or first:
            paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent = Pt(left), Pt(first)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document: Any, piece: Piece) -> None:
    rows = piece.rows
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell


class _HwpxShapes:
    """The paragraph and character shapes an export uses, made once per document in header.xml (python-hwpx
    reuses a shape that already exists). Every paraPr is 바탕글's with ``heading`` NONE: no outline numbering."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.header = document.oxml.headers[0]
        self.body_char = document.styles.ensure_run(size=BODY_PT)
        self.bold_char = document.styles.ensure_run(size=BODY_PT, bold=True)
        self.small_char = document.styles.ensure_run(size=9)
        for kind, (name, size, align) in _HWPX_STYLES.items():
            self.header.ensure_style(name, para_pr_id_ref=self.para(align=align, after=6 if kind == "title" else 0),
                                     char_pr_id_ref=document.styles.ensure_run(size=size, bold=True),
                                     next_style_id_ref=0)

    def para(self, *, align: str | None = None, left: int = 0, first: int = 0, after: int = 0) -> str:
        """A paraPr in HWPUNIT (1 pt = 100)."""
        return self.header.ensure_paragraph_format(
            base_para_pr_id=0, alignment=align, heading={"type": "NONE", "idRef": "0", "level": "0"},
            margins={"left": left * 100, "intent": first * 100, "next": after * 100})


def to_hwpx(draft: Draft) -> bytes:
    return write_hwpx(layout(draft))


def write_hwpx(pieces: list[Piece]) -> bytes:
    from hwpx import HwpxDocument

    document = HwpxDocument.new()
    document.page.setup(paper_size="A4", margins_mm=MARGINS_MM)
    shapes = _HwpxShapes(document)
    for piece in pieces:
        if piece.kind == "table":
            rows = piece.rows
            table = document.add_table(len(rows), max(len(r) for r in rows), style="바탕글",
                                       para_pr_id_ref=shapes.para(), char_pr_id_ref=shapes.body_char)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.set_cell_text(r, c, cell)
        elif piece.kind in _HWPX_STYLES:
            document.add_paragraph(piece.text, style=_HWPX_STYLES[piece.kind][0])
        else:
            left, first = _indent_pt(piece)
            align = "RIGHT" if piece.kind == "note" else None
            char = {"heading": shapes.bold_char, "label": shapes.bold_char, "note": shapes.small_char}.get(
                piece.kind, shapes.body_char)
            para = shapes.para(align=align, left=left + first, first=first)  # 한글: the symbol at the margin
            document.add_paragraph(piece.text, style="바탕글", para_pr_id_ref=para, char_pr_id_ref=char)
    return document.to_bytes()


def report_pieces(title: str, text: str, sources: Sequence[str],
                  sections: Sequence[tuple[str, Sequence[str]]] = ()) -> list[Piece]:
    """A summary or comparison as the drafts are laid out: the title in its style, the text in 바탕글 with its [n]
    markers taken out, optional headed parts (a □ heading and its lines), and the sources under "참고"."""
    pieces = [Piece("title", title)]
    pieces += [Piece("line", line.strip()) for line in MARKER.sub("", text).splitlines() if line.strip()]
    for heading, lines in sections:
        pieces.append(Piece("heading", f"□ {heading}", item=True))
        pieces += [Piece("line", line, 1, item=True) for line in lines if line.strip()]
    if sources:
        pieces.append(Piece("label", "참고"))
        pieces += [Piece("reference", f"{i}. {source}", item=True) for i, source in enumerate(sources, 1)]
    return pieces
