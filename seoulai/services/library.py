"""매뉴얼 관리: department admins and administrators keep the manual libraries up to date.

Also the operator's command-line ingestion, and the one-time move of department collections from the old
key (the 과 name alone, shared by same-named 과 under different 국) to the full org path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.auth.policy import DEPT, Policy
from seoulai.config import Settings
from seoulai.files import FileStore, IncomingFile, sweep, unique_names
from seoulai.progress import Progress
from seoulai.retrieval.index import SearchIndex
from seoulai.retrieval.report import IngestReport
from seoulai.retrieval.sources import indexed_files
from seoulai.retrieval.store import DocumentRecord
from seoulai.services.recording import Recorder

log = logging.getLogger(__name__)
FEATURE = "library"


@dataclass
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
               progress: Progress | None = None) -> IngestReport:
        """Store and index manuals; a failed new version leaves the stored file and its index untouched."""
        self._check(person, collection)
        names = unique_names(f.name for f in files)
        # Crash-safe: the stored originals follow the index whatever happens (seoulai.files).
        report = self._files(collection).put(collection, list(zip(files, names)), lambda staged: self.index.ingest(
            list(staged), collection, department=person.department, progress=progress, sources=staged), self._holds)
        changed = report.changes.added + report.changes.replaced
        self.recorder.event(person, FEATURE, "upload", sources=len(changed))
        self.recorder.audit(person, "library_upload", f"{collection}: {', '.join(changed)}")
        return report

    def delete(self, person: Person, collection: str, docs: Sequence[str]) -> IngestReport:
        self._check(person, collection)
        report = self.index.remove_documents(collection, docs)
        self._files(collection).remove(report.changes.removed)
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
        result = Migration()
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
                result.unresolved[name] = (f"부서가 여럿입니다({', '.join(sorted(recorded) or units)})"
                                           if recorded or units else "조직도에 없는 부서입니다")
                continue
            if target in self.index.collections():
                result.unresolved[name] = f"{target} 문서함이 이미 있습니다"
                continue
            self.index.rename_collection(name, target)
            old_files, new_files = self._files(name).root, self._files(target).root
            if old_files.is_dir() and not new_files.exists():
                old_files.rename(new_files)
            result.moved[name] = target
        for old, new in result.moved.items():
            log.warning("department collection %s moved to %s", old, new)
        for old, why in result.unresolved.items():
            log.error("department collection %s not migrated: %s", old, why)
        return result

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
