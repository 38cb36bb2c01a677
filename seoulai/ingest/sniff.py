"""Decide a file's real format from its bytes; the extension is only a hint for plain-text formats."""

from __future__ import annotations

import zipfile
from pathlib import Path

from seoulai.ingest.failures import IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
# Document-security wrappers seen on Korean government files: the original is encrypted inside.
DRM_MARKERS = (b"<MARKANY_DOCUMENTSAFER>", b"SCDSA00", b"<DOCUMENTSAFER", b"FASOO", b"<##SoftCamp")
TEXT_EXTENSIONS = {".txt": "txt", ".md": "md", ".markdown": "md", ".csv": "csv", ".tsv": "csv"}
SUPPORTED = ("hwp", "hwpx", "pdf", "docx", "xlsx", "pptx", "txt", "md", "csv")


def sniff(path: Path) -> str:
    """Return one of SUPPORTED, or raise IngestError(drm | not_a_document | unsupported | empty)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip(b"\x00 \t\r\n"):
        raise IngestError("empty")
    if any(head.startswith(marker) or marker in head[:256] for marker in DRM_MARKERS):
        raise IngestError("drm")
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(PDF_MAGIC) or PDF_MAGIC in head[:1024]:
        return "pdf"
    suffix = path.suffix.lower()
    if suffix in TEXT_EXTENSIONS and _looks_like_text(head):
        return TEXT_EXTENSIONS[suffix]
    if suffix in (".hwp", ".hwpx", ".pdf", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt"):
        # A document extension on bytes of another kind (an HTML stub saved as .hwp, for instance).
        raise IngestError("not_a_document", f"{path.name}")
    raise IngestError("unsupported", path.suffix or path.name)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp949"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True  # a multi-byte character cut by the 4 KB window
    return False


def _ole_kind(path: Path) -> str:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("FileHeader"):
                signature = ole.openstream("FileHeader").read(32)
                if signature.startswith(b"HWP Document File"):
                    return "hwp"
                if len(signature) < min(32, ole.get_size("FileHeader")):
                    raise IngestError("corrupt", "파일이 중간에 잘렸습니다")
            names = {"/".join(entry) for entry in ole.listdir()}
    except IngestError:
        raise
    except Exception as exc:  # olefile raises OSError, ValueError, struct errors on damage
        raise IngestError("corrupt", "파일이 중간에 잘렸습니다" if "incomplete" in str(exc) else type(exc).__name__) from exc
    if "EncryptedPackage" in names:  # OOXML encrypted by Office: an OLE wrapper around the zip
        raise IngestError("encrypted")
    if "WordDocument" in names or "Workbook" in names or "PowerPoint Document" in names:
        raise IngestError("unsupported", "DOC/XLS/PPT(97-2003) — DOCX/XLSX/PPTX로 저장해 주세요")
    raise IngestError("not_a_document")


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = ""
            # Read the mimetype entry only when it is small: this runs before the zip-bomb checks.
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 256:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise IngestError("corrupt", "zip") from exc
    if mimetype.startswith("application/hwp") or any(n.startswith("Contents/section") for n in names):
        return "hwpx"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    raise IngestError("unsupported", "zip")
