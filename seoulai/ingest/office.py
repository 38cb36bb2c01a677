"""DOCX, XLSX and PPTX through python-docx, openpyxl and python-pptx."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from seoulai.ingest.failures import IngestError
from seoulai.ingest.types import Block, Document


def read_docx(path: Path, max_chars: int) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError/ValueError/BadZipFile alike
        raise IngestError("corrupt", type(exc).__name__) from exc
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            level = _heading_level(item.style.name if item.style is not None else "")
            blocks.append(Block(text, kind="heading" if level else "paragraph", heading_level=level))
        elif isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells = _dedupe([cell.text.strip() for cell in row.cells])
                if any(cells):
                    rows.append(" | ".join(cells))
            if rows:
                blocks.append(Block("\n".join(rows), kind="table"))
        _check_size(blocks, max_chars)
    for section in document.sections:
        for part, label in ((section.header, "머리말"), (section.footer, "꼬리말")):
            text = " ".join(p.text.strip() for p in part.paragraphs if p.text.strip())
            if text:
                blocks.append(Block(f"{label}: {text}", kind="note"))
    title = (document.core_properties.title or "").strip()
    return Document(source=str(path), format="docx", title=title, blocks=blocks)


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 1
    match = re.match(r"(?:Heading|제목)\s*(\d)", style)
    return int(match.group(1)) if match else None


def _dedupe(cells: list[str]) -> list[str]:
    # Merged cells repeat the same text in every grid position they cover.
    out: list[str] = []
    for cell in cells:
        if not out or cell != out[-1]:
            out.append(cell)
    return out


def read_xlsx(path: Path, max_chars: int) -> Document:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError("corrupt", type(exc).__name__) from exc
    blocks: list[Block] = []
    try:
        for sheet in workbook.worksheets:
            # The rows as stored, not the grid the file declares: one cell at XFD1048576 (or a forged dimension) made
            # a read-only sheet pad a million rows to 16,384 cells each.
            sheet.reset_dimensions()
            rows = ([("" if v is None else str(v)).strip() for v in row] for row in sheet.iter_rows(values_only=True))
            blocks.append(Block(sheet.title, kind="heading", heading_level=1))
            blocks.extend(rows_as_blocks(rows, max_chars - sum(len(b.text) for b in blocks)))
            _check_size(blocks, max_chars)
    finally:
        workbook.close()
    return Document(source=str(path), format="xlsx", title="", blocks=[b for b in blocks if b.text])


def rows_as_blocks(rows: "Iterable[list[str]]", max_chars: int) -> list[Block]:
    """Each data row as "header: value, ..." text, so a row is retrievable on its own.

    A value whose column has no header name stands alone: inventing "열N: " for it turned a wide sheet with an empty
    header row into several times its size. The text is counted as it is built and refused past ``max_chars``."""
    header: list[str] | None = None
    blocks = []
    size = 0
    for row in rows:
        if not any(row):
            continue
        if header is None:
            header = list(row)
            continue
        pairs = [f"{header[i]}: {v}" if i < len(header) and header[i] else v for i, v in enumerate(row) if v]
        text = ", ".join(pairs)
        size += len(text)
        if size > max_chars:
            raise IngestError("too_large", f"본문이 {max_chars:,}자를 넘습니다")
        blocks.append(Block(text, kind="table"))
    if header is not None and not blocks:
        blocks.append(Block(", ".join(h for h in header if h), kind="table"))
    return blocks


def read_pptx(path: Path, max_chars: int) -> Document:
    import pptx

    try:
        deck = pptx.Presentation(str(path))
    except Exception as exc:
        raise IngestError("corrupt", type(exc).__name__) from exc
    blocks: list[Block] = []
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                text = shape.text_frame.text.strip()
                if text:
                    blocks.append(Block(text, page=number))
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [" | ".join(c.text.strip() for c in row.cells) for row in shape.table.rows]
                blocks.append(Block("\n".join(rows), page=number, kind="table"))
        _check_size(blocks, max_chars)
    title = (deck.core_properties.title or "").strip()
    return Document(source=str(path), format="pptx", title=title, blocks=blocks, pages=len(deck.slides))


def _check_size(blocks: list[Block], max_chars: int) -> None:
    if sum(len(b.text) for b in blocks) > max_chars:
        raise IngestError("too_large", f"본문이 {max_chars:,}자를 넘습니다")
