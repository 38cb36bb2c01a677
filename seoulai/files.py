"""Stored originals (personal uploads, the manual library) and the one file-name rule for all of them.

Files enter the store through one write-ahead transaction (:meth:`FileStore.put`), so the index and the stored
originals agree whatever happens to the process: a record of the intent is written (and locked) first, the files
are staged beside the store, the caller indexes them, and each staged file replaces the stored one only if the
index holds exactly its bytes. A failed re-upload leaves the stored original and its index as they were; after a
kill -9, :func:`sweep` (run when the services start) finishes every transaction a dead process left behind by the
same rule, and removes every staged copy nobody owns.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from seoulai.errors import DiskFullError, disk_full

log = logging.getLogger(__name__)
T = TypeVar("T")
# (collection, staged path -> stored name) -> the staged paths whose exact bytes the collection's index holds
Holds = Callable[[str, dict[Path, str]], set[Path]]
STAGING = ".staging"  # beside the owners' folders: same file system (atomic rename), never inside one
INTENT = ".intent"  # the write-ahead record of one transaction, next to its staging folder

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

    def put(self, collection: str, files: Sequence[tuple[IncomingFile, str]],
            ingest: Callable[[dict[Path, str]], T], holds: Holds) -> T:
        """Store ``files`` (incoming, cleaned unique name) that ``ingest`` indexes into ``collection``, crash-safely.

        ``ingest`` gets the staged paths and their names and returns its report; afterwards (or after it raised)
        each staged file the index holds replaces the stored one and the others are dropped. A full disk is told
        in Korean (:class:`DiskFullError`) with nothing half-written."""
        txid = uuid.uuid4().hex
        staging = self.root.parent / STAGING
        folder = staging / txid
        try:
            staging.mkdir(parents=True, exist_ok=True)
            with open(staging / f"{txid}{INTENT}", "x", encoding="utf-8") as intent:
                # Locked while this process lives: a sweep in another process leaves the transaction alone.
                fcntl.flock(intent, fcntl.LOCK_EX)
                staged: dict[Path, str] = {}
                try:
                    _write_intent(intent, {"collection": collection, "owner": self.root.name,
                                           "files": [name for _, name in files]})
                    folder.mkdir()  # after the record: a staging folder without one is always stale
                    for incoming, name in files:
                        staged[_stage(folder / name, incoming)] = name
                    return ingest(staged)
                finally:
                    self._settle(collection, staged, holds, folder, Path(intent.name))
        except OSError as error:
            if disk_full(error):
                raise DiskFullError() from error
            raise

    def _settle(self, collection: str, staged: dict[Path, str], holds: Holds, folder: Path, intent: Path) -> None:
        """Keep what the index holds, drop the rest, then the record. If this fails, the record stays for the next
        start-up's sweep."""
        try:
            kept = holds(collection, staged) if staged else set()
            for path, name in staged.items():
                if path in kept:
                    self.commit(path, name)
            shutil.rmtree(folder, ignore_errors=True)  # what is left of it is swept with no record to own it
            intent.unlink()
        except Exception:  # the error being raised (if any) is the one to report; the sweep finishes
            log.exception("upload to %s not settled; the next start finishes it", collection)

    def commit(self, staged: Path, name: str) -> Path:
        """Replace the stored file by the staged one, atomically."""
        final = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        return final

    def remove(self, names: Iterable[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)


def _stage(target: Path, incoming: IncomingFile) -> Path:
    """Write the bytes to disk (never over the stored file) before the index may name them."""
    with target.open("wb") as out:
        if isinstance(incoming.data, bytes):
            out.write(incoming.data)
        else:
            incoming.data.seek(0)
            shutil.copyfileobj(incoming.data, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    return target


def _write_intent(handle: TextIO, record: dict[str, object]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False))
    handle.flush()
    os.fsync(handle.fileno())


def sweep(area: Path, holds: Holds, grace: float = 60.0) -> int:
    """Finish every transaction a dead process left under ``area`` (the folder of the owners' folders) and remove
    every staged copy nobody owns; returns how many transactions were finished. Run when the services start.

    A staged file replaces the stored one only if the index holds exactly its bytes (the index switched to the
    new generation before the process died); otherwise it is dropped (the index still names the old version)."""
    staging = area / STAGING
    if not staging.is_dir():
        return 0
    finished = 0
    for record in sorted(staging.glob(f"*{INTENT}")):
        finished += _finish(area, record, holds, grace)
    for folder in staging.iterdir():
        if folder.is_dir() and not (staging / f"{folder.name}{INTENT}").exists():
            shutil.rmtree(folder, ignore_errors=True)  # staged before records existed, or its record is done
    return finished


def _finish(area: Path, record: Path, holds: Holds, grace: float) -> int:
    try:
        handle = open(record, "r+", encoding="utf-8")
    except FileNotFoundError:
        return 0  # finished meanwhile by its own process
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # a live process is in the middle of it
        try:
            intent = json.loads(handle.read())
        except ValueError:
            if time.time() - os.fstat(handle.fileno()).st_mtime < grace:
                return 0  # just created, its process about to write it
            intent = None
        folder = record.with_name(record.name.removesuffix(INTENT))
        if intent is not None:
            staged = {folder / name: name for name in intent["files"] if (folder / name).is_file()}
            try:
                kept = holds(intent["collection"], staged) if staged else set()
                store = FileStore(area / intent["owner"])
                for path, name in staged.items():
                    if path in kept:
                        store.commit(path, name)
            except Exception:  # one broken record must not stop the start; it stays for the next
                log.exception("interrupted upload %s not finished", record.name)
                return 0
            log.warning("upload interrupted in %s finished: %d file(s) kept, %d dropped", intent["collection"],
                        len(kept), len(staged) - len(kept))
        shutil.rmtree(folder, ignore_errors=True)
        record.unlink(missing_ok=True)  # its own process may have finished it just before we took the lock
    return 1
