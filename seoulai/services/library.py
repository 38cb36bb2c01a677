"""매뉴얼 관리: department admins and administrators keep the manual libraries up to date.

Also the operator's command-line ingestion, and the one-time move of department collections from the old
key (the 과 name alone, shared by same-named 과 under different 국) to the full org path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.auth.policy import DEPT, Policy
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.files import FileStore, IncomingFile, sweep, unique_names
from seoulai.progress import Progress
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.report import IngestReport
from seoulai.retrieval.sources import indexed_files
from seoulai.retrieval.store import DocumentRecord
from seoulai.services.library_versions import FOLDER as HISTORY
from seoulai.services.library_versions import DocumentVersion, VersionLog, by_section, compare
from seoulai.services.recording import Recorder

log = logging.getLogger(__name__)
FEATURE = "library"


@dataclass(frozen=True)
class Migration:
    moved: dict[str, str] = field(default_factory=dict)  # old name -> new name
    unresolved: dict[str, str] = field(default_factory=dict)  # old name -> why it stays unreadable


class LibraryService:
    def __init__(self, settings: Settings, index: SearchIndex, policy: Policy, recorder: Recorder) -> None:
        self.settings = settings
        self.index = index
        self.policy = policy
        self.recorder = recorder

    def _files(self, collection: str) -> FileStore:
        return FileStore(Path(self.settings.data_dir) / "library" / re.sub(r"[^\w가-힣.-]", "_", collection))

    def _history(self, collection: str) -> VersionLog:
        return VersionLog(Path(self.settings.data_dir) / HISTORY / f"{self._files(collection).root.name}.jsonl")

    def _holds(self, collection: str, staged: dict[Path, str]) -> set[Path]:
        return indexed_files(self.index.documents(collection), staged)

    def recover(self) -> int:
        """Finish the uploads a killed process left half-done and remove stray staged copies (at start-up)."""
        return sweep(Path(self.settings.data_dir) / "library", self._holds)

    def collections(self, person: Person) -> list[tuple[str, str]]:
        """(collection, label) pairs this person may manage; empty when none."""
        return [(c, self.policy.collection_label(c)) for c in
                self.policy.manageable(person, self.index.collections())]

    def _check(self, person: Person, collection: str) -> None:
        self.policy.check_manage(person, collection, self.index.collections())

    def documents(self, person: Person, collection: str) -> list[DocumentRecord]:
        self._check(person, collection)
        return self.index.documents(collection)

    def upload(self, person: Person, collection: str, files: Sequence[IncomingFile],
               progress: Progress | None = None, effective_date: date | str | None = None) -> IngestReport:
        """Store and index manuals; a failed new version leaves the stored file and its index untouched.

        ``effective_date`` is the 시행일 the person entered, used for each file that states none itself (front
        matter or a rule header); every new or replaced document gets a version record (:meth:`versions`)."""
        self._check(person, collection)
        given = _iso_date(effective_date)
        names = unique_names(f.name for f in files)
        before = self._passages(collection, names)
        # Crash-safe: the stored originals follow the index whatever happens (seoulai.files).
        report = self._files(collection).put(collection, list(zip(files, names)), lambda staged: self.index.ingest(
            list(staged), collection, department=person.department, progress=progress, sources=staged,
            effective=dict.fromkeys(names, given) if given else None), self._holds)
        changed = report.changes.added + report.changes.replaced
        self._record_versions(person, collection, changed, before)
        self.recorder.event(person, FEATURE, "upload", sources=len(changed))
        self.recorder.audit(person, "library_upload", f"{collection}: {', '.join(changed)}")
        return report

    def versions(self, person: Person, collection: str, doc: str | None = None) -> list[DocumentVersion]:
        """이력: the versions of one document (or of all), newest first."""
        self._check(person, collection)
        return self._history(collection).read(doc)

    def _passages(self, collection: str, docs: Sequence[str]) -> dict[str, dict[str, str]]:
        """Each document's passages by heading, as indexed now (the version a re-upload is compared with)."""
        if collection not in self.index.collections():
            return {}
        out: dict[str, dict[str, str]] = {}
        for doc in docs:
            if passages := by_section((c.section, c.text) for c in self.index.collection(collection).chunks_of([doc])):
                out[doc] = passages
        return out

    def _record_versions(self, person: Person, collection: str, docs: Sequence[str],
                         before: dict[str, dict[str, str]]) -> None:
        if not docs:
            return
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        records = {d.doc: d for d in self.index.documents(collection)}
        after = self._passages(collection, docs)
        versions = []
        for doc in docs:
            old, new = before.get(doc, {}), after.get(doc, {})
            added, removed, changed = compare(old, new)
            record = records.get(doc)
            versions.append(DocumentVersion(doc, now, person.name, record.effective_date if record else None,
                                            len(old), len(new), added, removed, changed))
        self._history(collection).append(versions)

    def delete(self, person: Person, collection: str, docs: Sequence[str]) -> IngestReport:
        self._check(person, collection)
        report = self.index.remove_documents(collection, docs)
        self._files(collection).remove(report.changes.removed)
        self._history(collection).forget(report.changes.removed)
        self.recorder.event(person, FEATURE, "delete", sources=len(report.changes.removed))
        self.recorder.audit(person, "library_delete", f"{collection}: {', '.join(report.changes.removed)}")
        return report

    def reindex(self, person: Person, collection: str, progress: Progress | None = None) -> int:
        self._check(person, collection)
        return self.index.reindex_vectors(collection, progress)

    # -- operator ------------------------------------------------------------------------------------------
    def ingest_paths(self, paths: Sequence[Path], collection: str, department: str | None = None,
                     progress: Progress | None = None) -> IngestReport:
        """The command line's ingestion (the operator names the collection; ``dept:`` names are resolved), in the
        audit log like a 매뉴얼 관리 upload."""
        report = self.index.ingest(paths, self.policy.resolve(collection), department=department, progress=progress)
        operator = Person(id="cli", name="명령줄", department=self.policy.org.root, role=Role.ADMIN)
        changed = report.changes.added + report.changes.replaced
        self.recorder.audit(operator, "library_upload", f"{report.collection} (명령줄 ingest, 추가·교체 {len(changed)}건, "
                                                        f"실패 {len(report.failed)}건): {', '.join(changed)}")
        return report

    def migrate_department_collections(self) -> Migration:
        """Move ``dept:<과 name>`` collections to ``dept:<full path>``. The target is the department recorded on
        every document (the uploader's full path), else the only unit of that name; a name several units share
        with no recorded department stays where it is, readable by nobody, for an administrator to sort out."""
        moved: dict[str, str] = {}
        unresolved: dict[str, str] = {}
        keys = {self.policy.department_collection(u.path) for u in self.policy.org.units}
        for name in self.index.collections():
            if not name.startswith(DEPT) or name in keys:
                continue
            leaf = name.removeprefix(DEPT)
            recorded = {d.department for d in self.index.documents(name) if d.department}
            units = [u.path for u in self.policy.org.named(leaf)]
            if len(recorded) == 1:
                target = self.policy.department_collection(recorded.pop())
            elif not recorded and len(units) == 1:
                target = self.policy.department_collection(units[0])
            else:
                unresolved[name] = (f"부서가 여럿입니다({', '.join(sorted(recorded) or units)})"
                                    if recorded or units else "조직도에 없는 부서입니다")
                continue
            if target in self.index.collections():
                unresolved[name] = f"{target} 문서함이 이미 있습니다"
                continue
            self.index.rename_collection(name, target)
            old_files, new_files = self._files(name).root, self._files(target).root
            if old_files.is_dir() and not new_files.exists():
                old_files.rename(new_files)
            if self._history(name).path.is_file() and not self._history(target).path.exists():
                self._history(name).path.rename(self._history(target).path)
            moved[name] = target
        for old, new in moved.items():
            log.warning("department collection %s moved to %s", old, new)
        for old, why in unresolved.items():
            log.error("department collection %s not migrated: %s", old, why)
        return Migration(moved, unresolved)

    def rebuild_outdated(self) -> list[str]:
        """Collections built by an earlier version with other ranking parameters, rebuilt from their tokens."""
        rebuilt = []
        for name in self.index.collections():
            collection = self.index.collection(name)
            if collection.outdated():
                collection.rebuild()
                rebuilt.append(name)
                log.warning("collection %s rebuilt with the current ranking parameters and word analysis", name)
        return rebuilt

    def install_demo(self, folder: Path) -> IngestReport:
        """The demo manuals, keyword side at once; the app fills their vectors in the background."""
        return self.index.ingest([folder], self.policy.shared, vectors=False)


def _iso_date(value: date | str | None) -> str | None:
    """The 시행일 entered at upload as "YYYY-MM-DD"; a value that is no date is refused in Korean."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(f"시행일 {value!r}을(를) 날짜로 읽을 수 없습니다. 2025-01-31처럼 입력하세요.",
                         code="bad_effective_date") from None
