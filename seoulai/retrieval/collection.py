"""A collection's keyword index, kept as immutable generations switched atomically.

Layout: ``<index_dir>/collections/<name>/CURRENT`` names the live generation directory (``gen-000007``),
which holds ``chunks.sqlite`` and one bm25s model per field. A change (add, replace, delete documents)
builds the next generation in ``gen-000008.tmp`` from the live one's stored tokens plus the new chunks,
renames it, then replaces CURRENT with an atomic rename. A crash at any point leaves CURRENT naming a
complete generation. Writers take a file lock; readers never block.

Only the live generation stays on disk: the one before it goes as soon as CURRENT names its successor, so a
deleted or expired document's text leaves the disk with the change that removed it. A reader that had the old
generation open keeps reading it through its open files; one that read CURRENT just before the switch opens
the new generation instead.
"""

from __future__ import annotations

import fcntl
import json
from array import array
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from seoulai.progress import Progress
from seoulai.ingest.types import Chunk
from seoulai.retrieval.generation import new_generation, publish
from seoulai.retrieval.keyword import BODY_B, FieldBuilder, KeywordIndex, write_meta
from seoulai.retrieval.statute import article_key, citations, compact, family_of, is_addenda
from seoulai.retrieval.store import ChunkStore, DocumentRecord, StoredChunk
from seoulai.text.korean import ANALYSIS_VERSION as ANALYSIS
from seoulai.text.korean import bigrams, morphs_batch


_NAME = re.compile(r"^[\w가-힣.:@-]{1,80}$")


def valid_collection_name(name: str) -> bool:
    return bool(_NAME.match(name)) and ".." not in name


@dataclass
class PreparedDocument:
    """A parsed and chunked document ready to enter a collection."""

    record: DocumentRecord
    chunks: list[Chunk]


@dataclass
class ChangeReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    removed_chunk_ids: list[str] = field(default_factory=list)
    generation: str | None = None

    rebuilt: bool = False  # a new generation from the same documents (new ranking build parameters)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed or self.rebuilt)


class Collection:
    def __init__(self, index_dir: Path, name: str, char_bigrams: bool = False) -> None:
        if not valid_collection_name(name):
            raise ValueError(f"invalid collection name {name!r}")
        self.name = name
        self.root = index_dir / "collections" / _dir_name(name)
        self.char_bigrams = char_bigrams
        self._view: tuple[str, KeywordIndex, ChunkStore] | None = None
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------------------------
    def current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def view(self) -> tuple[KeywordIndex, ChunkStore] | None:
        """The live generation's index and store, reopened when another process switched generations (and read
        again when that process removed the generation between our reading CURRENT and opening it)."""
        for attempt in range(3):
            generation = self.current()
            if generation is None:
                return None
            with self._lock:
                if self._view is None or self._view[0] != generation:
                    path = self.root / generation
                    try:
                        self._view = (generation, KeywordIndex(path), ChunkStore(path / "chunks.sqlite", readonly=True))
                    except (OSError, sqlite3.Error):
                        if attempt == 2 or self.current() == generation:
                            raise
                        continue
                return self._view[1], self._view[2]
        return None

    def documents(self) -> list[DocumentRecord]:
        view = self.view()
        return view[1].documents() if view else []

    def chunks_of(self, docs: Iterable[str]) -> Iterator[Chunk]:
        view = self.view()
        if view is not None:
            for doc in docs:
                yield from view[1].chunks_of(doc)

    # -- writing -----------------------------------------------------------------------------------------
    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def apply(self, add: Iterable[PreparedDocument], remove: set[str] | None = None,
              progress: Progress | None = None, gone: Callable[[Iterator[Chunk]], None] | None = None) -> ChangeReport:
        """Add or replace documents (by ``record.doc``) and remove others, as one new generation.

        ``add`` is consumed once, as a stream, so a whole law corpus never sits in memory. ``gone`` receives, once
        the new generation is live and before the old one is removed, the passages that left the collection (every
        passage of a removed document, and those of a replaced one its new version no longer has), so stores
        derived from them (the vector cache) can forget them too.
        """
        remove = set(remove or ())
        report = ChangeReport()
        with self._write_lock():
            view = self.view()
            old_docs = {d.doc: d for d in view[1].documents()} if view else {}
            report.removed = sorted(d for d in remove if d in old_docs)
            incoming: list[DocumentRecord] = []

            def changed_docs() -> Iterator[PreparedDocument]:
                for prepared in add:
                    doc = prepared.record.doc
                    previous = old_docs.get(doc)
                    if previous is not None and previous.sha256 == prepared.record.sha256 and doc not in remove:
                        report.unchanged.append(doc)
                        continue
                    (report.replaced if previous else report.added).append(doc)
                    incoming.append(prepared.record)
                    yield prepared

            def old_rows() -> Iterator[StoredChunk]:
                # Runs after the stream above is exhausted, so every replaced document is known.
                if view is not None:
                    yield from view[1].stored(exclude_docs=set(report.removed) | set(report.replaced))

            def records() -> list[DocumentRecord]:
                dropped = set(report.removed) | set(report.replaced)
                return [d for doc, d in old_docs.items() if doc not in dropped] + incoming

            if view is not None:
                for doc in report.removed:
                    report.removed_chunk_ids += view[1].chunk_ids(doc)
            generation = self._build(_analyse(changed_docs(), progress), old_rows(), records, report)
            if generation is None:
                return report
            try:
                if view is not None:
                    for doc in report.replaced:
                        report.removed_chunk_ids += view[1].chunk_ids(doc)
                    if gone is not None:
                        gone(_departed(view[1], self.root / generation, report))
            finally:
                self._cleanup(generation)
            report.generation = generation
        return report

    def _build(self, new_rows: Iterator[StoredChunk], old_rows: Iterator[StoredChunk],
               records: Callable[[], list[DocumentRecord]], report: ChangeReport) -> str | None:
        number = int((self.current() or "gen-000000").split("-")[1]) + 1
        generation = f"gen-{number:06d}"
        # On any failure nothing of the new generation stays; a full disk is told in Korean (generation.py).
        with new_generation(self.root, generation, self.current) as tmp, \
                closing(ChunkStore(tmp / "chunks.sqlite")) as store:
            return self._write(generation, tmp, store, new_rows, old_rows, records, report)

    def _write(self, generation: str, tmp: Path, store: ChunkStore, new_rows: Iterator[StoredChunk],
               old_rows: Iterator[StoredChunk], records: Callable[[], list[DocumentRecord]],
               report: ChangeReport) -> str | None:
        body = FieldBuilder(b=BODY_B)
        gram = FieldBuilder() if self.char_bigrams else None
        graph = _CitationGraph()

        def both() -> Iterator[StoredChunk]:
            yield from new_rows
            if report.changed:  # nothing new and nothing removed: do not copy the old rows at all
                yield from old_rows

        def indexed() -> Iterator[StoredChunk]:
            for row in both():
                body.add(row.tok_body.split())  # noqa: F821 - bound above; "del body" after the build only frees it
                if gram is not None:
                    gram.add(bigrams(row.chunk.text))
                graph.add(row.chunk)
                yield row

        count = store.write_chunks(indexed())
        if not report.changed:
            store.close()
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        docs = records()
        store.write_documents(docs)
        body.save(tmp / "body")
        del body  # free each field's postings before the next is built
        if gram is not None:
            gram.save(tmp / "gram")
            del gram
        families = FieldBuilder()
        names: list[str] = []
        for family, counts in store.family_counts():
            names.append(family)
            families.add_counts(counts)
        families.save(tmp / "family")
        store.close()
        graph.save(tmp, {name: i for i, name in enumerate(names)})
        write_meta(tmp, {"collection": self.name, "chunks": count, "documents": len(docs), "body_b": BODY_B,
                         "analysis": ANALYSIS, "built_at": datetime.now(timezone.utc).isoformat()})
        publish(tmp, self.root, generation)
        return generation

    def _cleanup(self, live: str) -> None:
        """Remove every generation but the live one (and any half-built one a crash left)."""
        for path in self.root.iterdir():
            if path.name.startswith("gen-") and path.name != live:
                shutil.rmtree(path, ignore_errors=True)

    def _meta(self) -> dict[str, object] | None:
        generation = self.current()
        if generation is None:
            return None
        try:
            return dict(json.loads((self.root / generation / "meta.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def outdated(self) -> bool:
        """Built with other build-time ranking parameters (keyword.BODY_B) or another word analysis
        (korean.ANALYSIS_VERSION) than this version's."""
        meta = self._meta()
        if meta is None:
            return False
        return meta.get("body_b", 0.5) != BODY_B or meta.get("analysis", 1) != ANALYSIS

    def rebuild(self) -> ChangeReport:
        """A new generation from the stored rows: no file is parsed again, and words are analysed again from
        the stored chunk texts only when the stored tokens come from another analysis version."""
        report = ChangeReport(rebuilt=True)
        with self._write_lock():
            view = self.view()
            meta = self._meta()
            if view is None or meta is None:
                return report
            records = view[1].documents()
            rows = view[1].stored()
            if meta.get("analysis", 1) != ANALYSIS:
                rows = _reanalyse(rows)
            report.generation = self._build(iter(()), rows, lambda: records, report)
            if report.generation is not None:
                self._cleanup(report.generation)
        return report

    def move_to(self, root: Path) -> None:
        """Rename the whole collection folder (a department collection keyed anew); readers of the old name
        find nothing afterwards, never a half-moved index."""
        with self._write_lock():
            root.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.root, root)
        self._view = None



def _departed(old: ChunkStore, new_generation: Path, report: ChangeReport) -> Iterator[Chunk]:
    """The passages of the old generation the new one no longer holds: all of a removed document's, and those of
    a replaced document whose (title, heading, text) its new version lacks. One document in memory at a time."""
    for doc in report.removed:
        yield from old.chunks_of(doc)
    if not report.replaced:
        return
    new = ChunkStore(new_generation / "chunks.sqlite", readonly=True)
    try:
        for doc in report.replaced:
            kept = {(c.title, c.section, c.text) for c in new.chunks_of(doc)}
            yield from (c for c in old.chunks_of(doc) if (c.title, c.section, c.text) not in kept)
    finally:
        new.close()


def _analyse(incoming: Iterable[PreparedDocument], progress: Progress | None = None) -> Iterator[StoredChunk]:
    """Tokenise new chunks."""
    return _tokenised(((prepared.record.doc, chunk) for prepared in incoming for chunk in prepared.chunks), progress)


def _reanalyse(rows: Iterable[StoredChunk]) -> Iterator[StoredChunk]:
    """Stored rows with their tokens made again from the stored chunk text."""
    return _tokenised((row.doc, row.chunk) for row in rows)


def _tokenised(pairs: Iterable[tuple[str, Chunk]], progress: Progress | None = None) -> Iterator[StoredChunk]:
    """(document, chunk) pairs as stored rows, tokenised in batches by Kiwi's worker threads."""
    batch: list[tuple[str, Chunk]] = []
    done = 0
    last = time.monotonic()

    def flush() -> Iterator[StoredChunk]:
        for (doc, chunk), tokens in zip(batch, morphs_batch([c.text for _, c in batch])):
            yield StoredChunk(chunk, doc, " ".join(tokens))
        batch.clear()

    for pair in pairs:
        batch.append(pair)
        if len(batch) >= 256:
            done += len(batch)
            yield from flush()
            if progress and time.monotonic() - last > 0.5:
                last = time.monotonic()
                progress(f"형태소 분석 {done:,}개", 0.5)
    if batch:
        yield from flush()


class _CitationGraph:
    """Per-chunk statute facts gathered while streaming, turned into ranking arrays at the end."""

    def __init__(self) -> None:
        self.keys: list[tuple[str, str | None]] = []  # (compact title, article) per chunk
        self.families = array("I")
        self.family_names: list[str] = []
        self.addenda = array("B")
        self.duty = array("B")
        self.groups = array("I")
        self.group_ids: dict[tuple[str, str, str], int] = {}
        self.cited: dict[tuple[str, str], int] = {}
        self.titles: set[str] = set()

    def add(self, chunk: Chunk) -> None:
        title = compact(chunk.title)
        article = article_key(chunk.section)
        self.keys.append((title, article))
        self.family_names.append(family_of(chunk.title))
        self.titles.add(title)
        self.addenda.append(1 if is_addenda(chunk.section) else 0)
        self.duty.append(1 if chunk.metadata.get("unit") else 0)
        group = (chunk.source, chunk.section, "") if article else (chunk.source, chunk.section, chunk.id)
        self.groups.append(self.group_ids.setdefault(group, len(self.group_ids)))
        for target, cited_article in citations(chunk.text, chunk.title):
            if (target, cited_article) != (title, article):
                self.cited[(target, cited_article)] = self.cited.get((target, cited_article), 0) + 1

    def save(self, path: Path, family_index: dict[str, int]) -> None:
        counts = np.array([self.cited.get((title, article), 0) if article else 0 for title, article in self.keys],
                          dtype=np.float32)
        np.save(path / "prior.npy", np.log1p(counts).astype(np.float32))
        np.save(path / "addenda.npy", np.frombuffer(self.addenda, dtype=np.uint8).astype(bool))
        np.save(path / "duty.npy", np.frombuffer(self.duty, dtype=np.uint8).astype(bool))
        np.save(path / "group.npy", np.frombuffer(self.groups, dtype=np.uint32).astype(np.int64))
        np.save(path / "family_index.npy", np.array([family_index[f] for f in self.family_names], dtype=np.int32))
        (path / "titles.json").write_text(json.dumps(sorted(self.titles), ensure_ascii=False), encoding="utf-8")


def _dir_name(name: str) -> str:
    # Collection names may hold Korean and ':'; keep them readable but filesystem-safe.
    return name.replace(":", "__").replace("/", "_")

