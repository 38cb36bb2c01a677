"""PDF text per page with pdfplumber (MIT; pdfminer.six underneath).

Chosen by `benchmarks/pdf_compare.py` on the Korean sample PDFs: pypdfium2 and pypdf are 13-30x faster
but put article numbers out of reading order ("제 조1" for "제1조", 786 and 791 lost numbers), while
pdfplumber's layout keeps them (551 articles found, 54 lost). Citations need the numbers.
"""

from __future__ import annotations

import logging
from pathlib import Path

from seoulai.ingest.failures import IngestError
from seoulai.ingest.types import Block, Document

# pdfminer logs every odd object at WARNING; the person gets our message instead.
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def read_pdf(path: Path, max_chars: int, max_pages: int) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(str(path), password="")
    except Exception as exc:  # pdfplumber wraps pdfminer's many error types in one
        if _caused_by(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(exc).lower():
            raise IngestError("encrypted") from exc
        raise IngestError("corrupt", type(_root(exc)).__name__) from exc
    blocks: list[Block] = []
    chars = 0
    with pdf:
        count = len(pdf.pages)
        if count > max_pages:
            raise IngestError("too_large", f"{count}쪽 (한도 {max_pages}쪽)")
        images = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                page_blocks = _page_blocks(page, number)
            except Exception as exc:  # noqa: BLE001 - one bad page should not lose the document
                logging.getLogger(__name__).warning("page %d of %s unreadable: %s", number, path.name, exc)
                continue
            images += len(page.images)
            chars += sum(len(b.text) for b in page_blocks)
            if chars > max_chars:
                raise IngestError("too_large", f"본문이 {max_chars:,}자를 넘습니다")
            blocks.extend(page_blocks)
            page.flush_cache()  # keep memory flat on long documents
        title = str((pdf.metadata or {}).get("Title") or "").strip()
    if not blocks:
        raise IngestError("no_text_layer" if count else "empty", f"{count}쪽" if images else "")
    return Document(source=str(path), format="pdf", title=title, blocks=blocks, pages=count)


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if isinstance(item, BaseException) and item not in seen:
            seen.append(item)
            todo += [item.__cause__, item.__context__, *item.args]
    return seen


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(e, kinds) for e in _causes(exc))


def _root(exc: BaseException) -> BaseException:
    return _causes(exc)[-1]


def _page_blocks(page: "object", number: int) -> list[Block]:
    """Ruled tables become table blocks (rows as "a | b"); the rest of the page is read as lines."""
    tables = [t for t in page.find_tables() if len(t.rows) >= 2]  # type: ignore[attr-defined]  # a pdfplumber Page
    if not tables:
        return [Block(line, page=number) for line in _paragraphs(page.extract_text() or "")]  # type: ignore[attr-defined]  # a pdfplumber Page
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    # Reading order: text above each table, then the table, by vertical position.
    items: list[tuple[float, Block]] = []
    rest = page.filter(lambda obj: obj.get("object_type") != "char" or outside(obj))  # type: ignore[attr-defined]  # a pdfplumber Page
    for line in rest.extract_text_lines():
        text = line["text"].strip()
        if text:
            items.append((line["top"], Block(text, page=number)))
    for table in tables:
        rows = []
        for row in table.extract():
            cells = [" ".join((c or "").split()) for c in row]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))  # ruled layouts leave many empty cells
        if rows:
            items.append((table.bbox[1], Block("\n".join(rows), page=number, kind="table")))
    items.sort(key=lambda item: item[0])
    return [block for _, block in items]


def _paragraphs(text: str) -> list[str]:
    """Lines of a PDF page; the chunker joins them, so keep each line (they carry 제N조 starts)."""
    return [line.strip() for line in text.splitlines() if line.strip()]
