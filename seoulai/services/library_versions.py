"""The version history of the manual library: one record per new or replaced document (who, when, what changed).

Kept beside the library's stored originals, one JSON-lines file per collection under ``<data>/library-history``:
the same disk and lifetime as the files it describes (a collection that moves takes its history with it), outside
their folders, which hold nothing but the originals the index names (``seoulai.files``)."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

FOLDER = "library-history"


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a library document. ``added``/``removed``/``changed`` count its passages (articles in a rule)
    against the previous version, matched by heading and compared by text."""

    doc: str
    at: str  # ISO 8601, UTC; shown in KST
    who: str
    effective_date: str | None
    passages_before: int
    passages_after: int
    added: int
    removed: int
    changed: int

    @property
    def first(self) -> bool:
        return self.passages_before == 0 and self.removed == 0

    @property
    def summary(self) -> str:
        """Korean, for the 이력 list: "처음 등록 (조문·단락 3개)" or "추가 2 · 삭제 1 · 변경 1 (조문·단락 3→4개)"."""
        if self.first:
            return f"처음 등록 (조문·단락 {self.passages_after}개)"
        counts = " · ".join(f"{label} {n}" for label, n in (("추가", self.added), ("삭제", self.removed),
                                                           ("변경", self.changed)) if n)
        return f"{counts or '본문 변경 없음'} (조문·단락 {self.passages_before}→{self.passages_after}개)"


def by_section(passages: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(section, text) pairs as one text per heading path, in order (a long article split in parts is one)."""
    out: dict[str, str] = {}
    for section, text in passages:
        out[section] = out[section] + "\n" + text if section in out else text
    return out


def compare(before: dict[str, str], after: dict[str, str]) -> tuple[int, int, int]:
    """(added, removed, changed) headings from one version's passages to the next's."""
    added = sum(1 for s in after if s not in before)
    removed = sum(1 for s in before if s not in after)
    changed = sum(1 for s in after if s in before and before[s] != after[s])
    return added, removed, changed


class VersionLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, versions: Iterable[DocumentVersion]) -> None:
        lines = "".join(json.dumps(asdict(v), ensure_ascii=False) + "\n" for v in versions)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two servers appending at once write whole lines
            handle.write(lines)

    def forget(self, docs: Iterable[str]) -> None:
        """Drop deleted documents' records: a deleted manual leaves no trace of its name here (the audit log keeps
        the deletion itself). Rewritten beside the log and renamed over it, under the same lock as appends."""
        gone = set(docs)
        if not gone or not self.path.is_file():
            return
        with self.path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            kept = [v for v in self.read() if v.doc not in gone][::-1]
            temporary = self.path.with_name(self.path.name + ".new")
            temporary.write_text("".join(json.dumps(asdict(v), ensure_ascii=False) + "\n" for v in kept),
                                 encoding="utf-8")
            os.replace(temporary, self.path)

    def read(self, doc: str | None = None) -> list[DocumentVersion]:
        """Newest first; for one document or all."""
        if not self.path.is_file():
            return []
        out = []
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    version = DocumentVersion(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut by a crash mid-write is skipped, the rest still read
                if doc is None or version.doc == doc:
                    out.append(version)
        return out[::-1]
