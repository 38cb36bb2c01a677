"""Checks made before any parser touches a file: its size (in the app, from the file system alone), and
zip bombs from the archive index (in the parser process, see readers.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from seoulai.config import IngestSettings
from seoulai.ingest.failures import IngestError

MB = 1024 * 1024
ZIP_KINDS = ("hwpx", "docx", "xlsx", "pptx")


def check_file(path: Path, limits: IngestSettings) -> None:
    """Raise IngestError before extraction when the file is empty or too big (one stat, nothing read)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError("corrupt", "파일을 열 수 없습니다") from exc
    if size == 0:
        raise IngestError("empty")
    if size > limits.max_file_mb * MB:
        raise IngestError("too_large", f"{size / MB:.1f} MB (한도 {limits.max_file_mb:g} MB)")


def check_zip(path: Path, limits: IngestSettings) -> None:
    """Read only the central directory: entry count, total uncompressed size, per-entry ratio."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("corrupt", "zip") from exc
    if len(entries) > limits.zip_max_entries:
        raise IngestError("too_large", f"압축 항목 {len(entries):,}개 (한도 {limits.zip_max_entries:,}개)")
    total = sum(e.file_size for e in entries)
    if total > limits.zip_max_uncompressed_mb * MB:
        raise IngestError("too_large", f"압축 해제 시 {total / MB:,.0f} MB (한도 {limits.zip_max_uncompressed_mb:g} MB)")
    for entry in entries:
        # Small entries compress well legitimately; only large ones can be bombs.
        if entry.file_size > MB and entry.file_size > limits.zip_max_ratio * max(entry.compress_size, 1):
            raise IngestError("too_large", f"비정상적인 압축 비율 ({entry.filename})")
