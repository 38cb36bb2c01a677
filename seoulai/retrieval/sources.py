"""Where ingested documents come from: the files of the paths given, their content digest, their record."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from seoulai.errors import InputError
from seoulai.retrieval.store import DocumentRecord

EXTENSIONS = {".hwp", ".hwpx", ".pdf", ".docx", ".xlsx", ".pptx", ".txt", ".md", ".markdown", ".csv", ".tsv"}
# Bumped whenever chunking changes what a file's chunks are (v2: 삭제 articles left out, one chunk per 부칙,
# one per unit's 사무분장, 시행일 deferred by a 부칙).
CHUNKING = "c2"


def record(source: str, digest: str, document: Any, department: str | None, owner: str | None,
            now: str = "", chunks: int = 0) -> DocumentRecord:
    if document is None:  # unchanged: apply() keeps the stored record
        return DocumentRecord(source, "", digest, 0, None, None, department, owner, now, {})
    from seoulai.ingest.chunking import effective_date

    return DocumentRecord(source, document.title, digest, chunks, document.pages, effective_date(document),
                          department, owner, now, {**document.metadata, "format": document.format,
                                                   "chars": document.char_count})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: Sequence[Path]) -> dict[Path, str]:
    """Files to ingest and their source names: relative to the folder given, or the bare file name. With several
    folders each name starts with its folder's name (two laws' 법률.md stay apart); two files that would still
    share a name are refused before anything is written."""
    files: dict[Path, str] = {}
    owner: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            base = path.parent if len(paths) > 1 else path
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in EXTENSIONS and not any(
                        part.startswith(".") for part in file.relative_to(path).parts):
                    files[file] = file.relative_to(base).as_posix()
        elif path.is_file():
            files[path] = path.name
        else:
            raise InputError(f"파일이나 폴더를 찾을 수 없습니다: {path}", code="not_found")
    for file, name in files.items():
        if owner.setdefault(name, file) != file:
            raise InputError(f"같은 이름({name})으로 색인될 파일이 둘 있습니다: {owner[name]}, {file}. 이름을 바꾸거나 "
                             "한 번에 하나씩 올리세요.", code="duplicate_name")
    return files


def indexed_files(records: Iterable[DocumentRecord], files: dict[Path, str]) -> set[Path]:
    """Those of ``files`` (path -> document name) whose very bytes the records say were indexed under that name:
    a staged upload is kept exactly when its index holds it (seoulai.files), whatever became of its process."""
    known = {r.doc: r.sha256.split(":")[0] for r in records}  # "<content sha256>:<chunking version>"
    return {path for path, name in files.items() if path.is_file() and known.get(name) == sha256_of(path)}
