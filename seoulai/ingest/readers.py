"""Dispatch a sniffed file to its reader. Runs inside the parser subprocess (see worker.py)."""

from __future__ import annotations

from pathlib import Path

from seoulai.config import IngestSettings
from seoulai.ingest.failures import IngestError
from seoulai.ingest.guards import ZIP_KINDS, check_zip
from seoulai.ingest.rule_header import apply_rule_header
from seoulai.ingest.sniff import sniff
from seoulai.ingest.types import Document


def read_document(path: Path, limits: IngestSettings) -> Document:
    kind = sniff(path)
    if kind in ZIP_KINDS:
        # Reading a hostile zip's index (400,000 entries) costs seconds and hundreds of MB: here, in the
        # limited parser process, never in the app.
        check_zip(path, limits)
    document = _read(kind, path, limits)
    if not any(block.text.strip() for block in document.blocks):
        raise IngestError("empty")
    # A rule downloaded from law.go.kr / ELIS names its 종류, 시행일 and 과 in its first lines, whatever the format.
    apply_rule_header(document)
    document.title = pick_title(document.title, path)
    return document


def _read(kind: str, path: Path, limits: IngestSettings) -> Document:
    cap = limits.max_chars
    if kind == "hwp":
        from seoulai.ingest.hwp5 import read_hwp

        return read_hwp(path, cap)
    if kind == "hwpx":
        from seoulai.ingest.hwpx import read_hwpx

        return read_hwpx(path, cap)
    if kind == "pdf":
        from seoulai.ingest.pdf import read_pdf

        return read_pdf(path, cap, limits.max_pages)
    if kind == "docx":
        from seoulai.ingest.office import read_docx

        return read_docx(path, cap)
    if kind == "xlsx":
        from seoulai.ingest.office import read_xlsx

        return read_xlsx(path, cap)
    if kind == "pptx":
        from seoulai.ingest.office import read_pptx

        return read_pptx(path, cap)
    from seoulai.ingest.plaintext import read_csv, read_markdown

    if kind == "csv":
        return read_csv(path, cap)
    return read_markdown(path, cap, markdown=kind == "md")


def pick_title(candidate: str, path: Path) -> str:
    """A document's own title when it looks real; editors often leave "1" or a doubled template text."""
    title = " ".join(candidate.split())
    half = len(title) // 2
    junk = (len(title) < 3 or title.isdigit() or (len(title) % 2 == 0 and title[:half] == title[half:]))
    return path.stem if junk else title
