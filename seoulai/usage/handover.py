"""Who folds a spool folder in parquet mode (several servers): its living owner, else any live server.

Each server holds an exclusive ``flock`` on ``<spool>/replica=<id>/.lock`` for as long as it runs; the kernel (or
the NFS lock manager) drops the lock when the process dies, kill -9 included. At every fold a server tries the
lock of each other folder without waiting: getting it means the owner is gone, so it folds what was left into
the owner's partition and removes the folder. The fold resumes from the spool offsets named in the parts already
written, so a fold cut short by a crash is finished by the next server without counting anything twice.

A server whose replica name is held by a live process (a second server given the same name, or a command run
beside the server with the server's settings) takes a name of its own, ``<name>-<pid>``, and says so in the log.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

LOCK = ".lock"
PREFIX = "replica="


class FolderLock:
    """An exclusive, process-lifetime lock on one replica's spool folder."""

    def __init__(self, folder: Path, fd: int) -> None:
        self.folder = folder
        self._fd: int | None = fd

    @classmethod
    def take(cls, folder: Path, make: bool = True) -> FolderLock | None:
        """The lock, or None while a live process holds it (or, with ``make=False``, when the folder is gone)."""
        while True:
            if make:
                folder.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            except FileNotFoundError:  # removed by a server that finished with it
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            except OSError as exc:  # e.g. an NFS mount without locking
                os.close(fd)
                raise OSError(exc.errno, f"이용 기록 폴더 {folder}에 파일 잠금(flock)을 걸 수 없습니다. 공유 폴더를 잠금이 "
                              "되게(NFSv4, 또는 NFSv3과 lockd; nolock 옵션 없이) 마운트하세요.") from exc
            # A server that finished with this folder unlinks the lock file while holding it: ours must still be
            # the file at that path, else someone else can lock a new one and two processes would fold one folder.
            try:
                here = os.stat(folder / LOCK)
                mine = os.fstat(fd)
                same = (here.st_ino, here.st_dev) == (mine.st_ino, mine.st_dev)
            except FileNotFoundError:
                same = False
            if same:
                return cls(folder, fd)
            os.close(fd)
            if not make:
                return None

    def release(self, remove: bool = False) -> None:
        """Let go; ``remove`` deletes the folder too when nothing but the lock is left in it."""
        if self._fd is None:
            return
        try:
            if remove and not [p for p in self.folder.iterdir() if p.name != LOCK]:
                (self.folder / LOCK).unlink(missing_ok=True)
                try:
                    self.folder.rmdir()
                except OSError:  # something arrived meanwhile: whoever takes the folder next folds it
                    pass
        finally:
            os.close(self._fd)
            self._fd = None


def own(base: Path, replica: str) -> tuple[str, FolderLock]:
    """This process's replica name and the lock on its spool folder ``base/replica=<name>``."""
    held = FolderLock.take(base / f"{PREFIX}{replica}")
    if held is not None:
        return replica, held
    unique = f"{replica}-{os.getpid()}"
    log.warning("usage replica %s is held by another live process; this one records as %s", replica, unique)
    held = FolderLock.take(base / f"{PREFIX}{unique}")
    if held is None:
        raise RuntimeError(f"usage spool folder {base / (PREFIX + unique)} is locked by another process")
    return unique, held


def orphans(base: Path, mine: str) -> Iterator[tuple[str, FolderLock]]:
    """Other replicas' spool folders whose owner is gone, one at a time, locked for this process to fold (the
    caller releases each)."""
    for folder in sorted(base.glob(f"{PREFIX}*")) if base.is_dir() else []:
        name = folder.name.removeprefix(PREFIX)
        if name == mine or not folder.is_dir():
            continue
        held = FolderLock.take(folder, make=False)
        if held is not None:
            yield name, held


def try_exclusive(path: Path) -> int | None:
    """A file descriptor holding an exclusive lock on ``path`` (made if missing), or None while another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
