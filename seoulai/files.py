"""Stored originals (personal uploads, the manual library) and the one file-name rule for all of them.

A new version of a file is written to a staging folder first and replaces the stored one only after it was
parsed and indexed; a failed re-upload therefore leaves both the stored original and the index as they were.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_NAME_BYTES = 200  # under the file systems' 255, leaving room for the staging and temp prefixes
FALLBACK = "문서"


@dataclass
class IncomingFile:
    """One file a person sends: a name as the browser gave it and the bytes (or a readable stream)."""

    name: str
    data: bytes | BinaryIO
    size: int | None = None

    @property
    def length(self) -> int:
        if self.size is not None:
            return self.size
        if isinstance(self.data, bytes):
            return len(self.data)
        position = self.data.tell()
        self.data.seek(0, os.SEEK_END)
        end = self.data.tell()
        self.data.seek(position)
        return end


def clean_filename(name: str) -> str:
    """A safe stored name: NFC, no folders, no control or bidi-override characters, no leading dots, at
    most MAX_NAME_BYTES of UTF-8 with the extension kept."""
    text = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    # Cc: control characters (NUL, newlines); Cf: format characters, among them the bidi overrides
    # (U+202A-U+202E, U+2066-U+2069) that make "exe.pdf" display as "fdp.exe".
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    text = " ".join(text.split()).strip(". ")
    if not text or set(text) <= {"."}:
        return FALLBACK
    return _cut(text, MAX_NAME_BYTES)


def _cut(text: str, limit: int) -> str:
    if len(text.encode("utf-8")) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > 10 or not stem:
        stem, ext = text, ""
    suffix = f".{ext}" if ext else ""
    room = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(". ")
    return (cut or FALLBACK) + suffix


def unique_names(names: Iterable[str]) -> list[str]:
    """Clean every name; two files of one batch that clean to the same name become "x.pdf", "x (2).pdf"."""
    seen: dict[str, int] = {}
    out = []
    for raw in names:
        name = clean_filename(raw)
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            stem, dot, ext = name.rpartition(".")
            base, suffix = (stem, f".{ext}") if dot and stem else (name, "")
            tagged = f" ({seen[key]})"
            name = _cut(base, MAX_NAME_BYTES - len((tagged + suffix).encode("utf-8"))) + tagged + suffix
        else:
            seen[key] = 1
        out.append(name)
    return out


class FileStore:
    """The stored originals of one owner (a person's uploads, or one library collection)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / clean_filename(name)

    def stage(self, incoming: IncomingFile, name: str) -> Path:
        """Write the bytes under a staging folder (never over the stored file) and return that path."""
        # Beside the owners' folders (same file system, so the final rename is atomic), never inside one.
        folder = self.root.parent / ".staging" / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        with target.open("wb") as out:
            if isinstance(incoming.data, bytes):
                out.write(incoming.data)
            else:
                incoming.data.seek(0)
                shutil.copyfileobj(incoming.data, out, 1 << 20)
        return target

    def commit(self, staged: Path, name: str) -> Path:
        """Replace the stored file by the staged one, atomically, and drop the staging folder."""
        final = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        shutil.rmtree(staged.parent, ignore_errors=True)
        return final

    @staticmethod
    def discard(staged: Path) -> None:
        shutil.rmtree(staged.parent, ignore_errors=True)

    def remove(self, names: Iterable[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def remove_all(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
