"""Search and ingestion across collections: keyword + dense hybrid with reciprocal-rank fusion.

Access control lives here: every search names the collections the person may read, and only those are
searched, on both sides, before any top-k cut.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seoulai.progress import Progress
from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.ingest.chunking import ChunkParams, chunk_document, effective_date
from seoulai.ingest.failures import IngestError
from seoulai.ingest.types import Chunk
from seoulai.ingest.pool import ParserPool
from seoulai.ingest.sniff import SUPPORTED
from seoulai.llm.failures import LLMError
from seoulai.retrieval.collection import Collection, PreparedDocument, valid_collection_name
from seoulai.retrieval.dense import DenseIndex, VectorStoreError
from seoulai.retrieval.floor import relevance, states_what_is_asked
from seoulai.retrieval.fusion import hybrid
from seoulai.retrieval.hits import Hit
from seoulai.retrieval.keyword import AnalyzedQuery, Ranking
from seoulai.retrieval.query import analyze_query, department_mode
from seoulai.retrieval.report import IngestReport
from seoulai.retrieval.references import Reference, cited_articles, defined_aliases
from seoulai.retrieval.sources import CHUNKING, expand_paths, record, sha256_of
from seoulai.retrieval.statute import article_key, article_refs_with_titles
from seoulai.retrieval.store import DocumentRecord

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)

_ARTICLE_NUMBER = re.compile(r"제\s*\d+\s*조")


class SearchIndex:
    def __init__(self, settings: Settings, embedder: "BaseEmbedding | None" = None,
                 ranking: Ranking | None = None) -> None:
        self.settings = settings
        self.index_dir = Path(settings.index_dir)
        self.ranking = ranking or Ranking()
        self.dense = DenseIndex(settings, embedder) if embedder is not None else None
        self._collections: dict[str, Collection] = {}
        self._lock = threading.Lock()
        self._background: Callable[[], None] | None = None

    def defer_vectors(self, wake: Callable[[], None]) -> None:
        """From now on an ingest leaves embedding to a background filler and calls ``wake`` (the app server)."""
        self._background = wake

    # -- collections ---------------------------------------------------------------------------------------
    def collection(self, name: str) -> Collection:
        if not valid_collection_name(name):
            raise InputError(f"컬렉션 이름이 올바르지 않습니다: {name!r}. 한글·영문·숫자와 : - _ 만 쓸 수 있습니다.",
                             code="bad_collection")
        with self._lock:
            if name not in self._collections:
                self._collections[name] = Collection(self.index_dir, name,
                                                     char_bigrams=self.settings.retrieval.char_bigrams)
            return self._collections[name]

    def collections(self) -> list[str]:
        root = self.index_dir / "collections"
        if not root.is_dir():
            return []
        names = []
        for path in sorted(root.iterdir()):
            if (path / "CURRENT").is_file():
                names.append(path.name.replace("__", ":"))
        return names

    def documents(self, name: str) -> list[DocumentRecord]:
        return self.collection(name).documents()

    def titles(self, collections: Sequence[str]) -> set[str]:
        """The (space-free) titles of every document in these collections."""
        found: set[str] = set()
        for name in collections:
            view = self.collection(name).view()
            if view is not None:
                found |= set(view[0].titles)
        return found

    # -- search ----------------------------------------------------------------------------------------------
    def search(self, query: "str | AnalyzedQuery", collections: Sequence[str], k: int | None = None,
               docs: Sequence[str] | None = None, floor: bool = True) -> list[Hit]:
        """Hybrid search over exactly ``collections`` (the caller's access list), or only their documents ``docs``.
        A question analysed once by the caller (``analyze_query``) is searched as it is; a string is analysed here.

        Only passages at or above the relevance floor are returned (seoulai.retrieval.floor); ``floor=False``
        returns the best ``k`` whatever their relevance (``seoulai search --all``). Each hit carries its relevance
        and the articles it cites that these collections hold."""
        k = self.settings.retrieval.top_k if k is None else k
        if not 1 <= k <= 100:
            raise InputError("결과 수(-k)는 1부터 100 사이로 지정하세요.", code="bad_k")
        text = self.check_question(query if isinstance(query, str) else query.raw)
        analyzed = analyze_query(text) if isinstance(query, str) else query
        cand = max(self.settings.retrieval.candidates, k)
        keyword = self._keyword(analyzed, collections, cand, docs)
        # "어느 과에서 해요?", where a 사무분장 can answer (department_mode): the keyword side matches its words (ranked
        # first); the embedder finds passages about the matter instead (Seoul dev: department R@5 0.857 -> 0.786 with it).
        indexes = (view[0] for name in dict.fromkeys(collections) if (view := self.collection(name).view()))
        dense = [] if department_mode(analyzed, docs, indexes) else self._dense(text, collections, cand, docs)
        hits = hybrid(self._scored(analyzed, keyword, {}) if dense else keyword, dense, cand,
                      self.settings.retrieval.rrf_k, self.settings.retrieval.dense_weight)
        hits = self._scored(analyzed, hits, {(h.collection, h.chunk_id): h.score for h in dense})
        hits = self._follow_references(hits, collections, k)
        chosen = self.evidence(text, hits, k) if floor else hits[:k]
        return self.with_references(chosen, collections, done=[(hits[0].collection, hits[0].chunk_id)] if hits else [])

    def _follow_references(self, hits: list[Hit], collections: Sequence[str], k: int) -> list[Hit]:
        """An article the best passage cites, itself a candidate for the question (a procedure's other step: "제9조에
        따라 의뢰받은 …"), takes the last of the ``k`` places when the cut would drop it."""
        if not hits:
            return hits
        first = self.with_references(hits[:1], collections)[0]
        hits = [first, *hits[1:]]  # keeps its references: search does not look them up again
        if k < 2:  # the one place is the best passage's own
            return hits
        later: dict[tuple[str, str, str | None], int] = {}
        for i in range(len(hits) - 1, k - 1, -1):  # the best piece of an article wins
            later[(hits[i].collection, hits[i].title, article_key(hits[i].section))] = i
        pulled = [later[key] for key in ((r.collection, r.title, article_key(r.section)) for r in first.references)
                  if key in later][:1]
        rest = [h for i, h in enumerate(hits) if i not in pulled]
        return rest[:k - 1] + [hits[i] for i in pulled] + rest[k - 1:]  # last of the k: those above keep their place

    def check_question(self, text: str) -> str:
        """A question within the length limit, checked before any analysis (a 200,000-character question must cost
        nothing); every path that analyses a person's question asks this first."""
        if not text.strip():
            raise InputError("검색어를 입력해 주세요.", code="empty_query")
        limit = self.settings.answer.max_question_chars
        if len(text) > limit:
            raise InputError(f"질문이 너무 깁니다 ({limit:,}자 이하). 핵심만 남겨 다시 입력해 주세요.", code="query_too_long")
        return text

    def evidence(self, question: str, hits: Sequence[Hit], k: int) -> list[Hit]:
        """The best ``k`` hits that count as evidence (the one place it is decided): at or above the relevance floor,
        and, when the question asks for an amount, none unless one of them states an amount of that kind."""
        kept = [h for h in hits if h.relevance >= self.settings.retrieval.relevance_floor][:k]
        return kept if states_what_is_asked(question, kept) else []

    def _scored(self, analyzed: AnalyzedQuery, hits: list[Hit], cosines: dict[tuple[str, str], float]) -> list[Hit]:
        """The hits with their relevance (seoulai.retrieval.floor): IDF from each hit's own collection."""
        terms = list(analyzed.content_terms())
        idf: dict[str, dict[str, float]] = {}
        unknown: dict[str, frozenset[str]] = {}
        out = []
        for hit in hits:
            if hit.collection not in idf:
                view = self.collection(hit.collection).view()
                idf[hit.collection] = view[0].idf(terms) if view else {}
                unknown[hit.collection] = view[0].unknown(terms) if view else frozenset()
            value = relevance(analyzed, hit, idf[hit.collection], cosines.get((hit.collection, hit.chunk_id)),
                              unknown[hit.collection])
            out.append(replace(hit, relevance=value))
        return out

    def with_references(self, hits: Sequence[Hit], collections: Sequence[str], per_hit: int = 8,
                        done: Iterable[tuple[str, str]] = ()) -> list[Hit]:
        """The hits, each with the articles it cites that these collections hold (in the order cited); hits whose
        (collection, chunk id) is in ``done`` already carry theirs."""
        views = [(name, view) for name in dict.fromkeys(collections) if (view := self.collection(name).view())]
        skip = set(done)
        aliases: dict[tuple[str, str], dict[str, str]] = {}  # one look-up per document, not per passage
        out: list[Hit] = []
        for hit in hits:
            if (hit.collection, hit.chunk_id) in skip:
                out.append(hit)
                continue
            document = (hit.collection, hit.source)
            if document not in aliases:
                own = self.collection(hit.collection).view() if hit.collection else None
                aliases[document] = defined_aliases(own[1].defining_texts(hit.source)) if own else {}
            cited = cited_articles(hit.text, hit.title, aliases[document])
            found: list[Reference] = []
            for name, (_, store) in views:
                if not cited or len(found) >= per_hit:
                    break
                positions = store.first_positions(cited)
                chunks = store.chunks_at(list(positions.values()))
                for key in cited:
                    chunk = chunks.get(positions.get(key, -1))
                    if chunk is not None and chunk.id != hit.chunk_id and len(found) < per_hit:
                        found.append(Reference(chunk.title, chunk.section, chunk.text, name, chunk.id))
                cited = [key for key in cited if key not in positions]
            out.append(replace(hit, references=tuple(found)) if found else hit)
        return out

    def _keyword(self, analyzed: AnalyzedQuery, collections: Sequence[str], k: int,
                 docs: Sequence[str] | None = None) -> list[Hit]:
        scored: list[tuple[float, str, int]] = []
        views = {}
        for name in dict.fromkeys(collections):
            view = self.collection(name).view()
            if view is None:
                continue
            views[name] = view
            index, store = view
            cited: list[int] = []
            if _ARTICLE_NUMBER.search(analyzed.text):
                mentioned = analyzed.text + " " + " ".join(analyzed.named_titles)
                cited = store.cited_positions(article_refs_with_titles(mentioned, index.titles))
            allowed = np.array(store.positions_of_docs(docs), dtype=np.int64) if docs is not None else None
            scored += [(score, name, pos) for pos, score in index.search(analyzed, k, self.ranking, cited, allowed)]
        scored.sort(key=lambda item: -item[0])
        top = scored[:k]
        hits: list[Hit] = []
        by_collection: dict[str, list[int]] = {}
        for _, name, pos in top:
            by_collection.setdefault(name, []).append(pos)
        rows = {name: views[name][1].chunks_at(positions) for name, positions in by_collection.items()}
        tokens = {name: views[name][1].tokens_at(positions) for name, positions in by_collection.items()}
        for score, name, pos in top:
            chunk = rows[name].get(pos)
            if chunk is not None:
                hits.append(_hit(chunk, score, name, tokens[name].get(pos, frozenset())))
        return hits

    def _dense(self, query: str, collections: Sequence[str], k: int, docs: Sequence[str] | None = None) -> list[Hit]:
        if self.dense is None:
            return []
        try:
            found = self.dense.search(query, collections, k, docs)
        except (LLMError, VectorStoreError) as error:
            log.warning("dense retrieval unavailable, keyword only: %s", getattr(error, "detail", "") or error.code)
            return []
        hits = []
        for name in {h.collection for h in found}:
            view = self.collection(name).view()
            if view is None:
                continue
            ids = [h.chunk_id for h in found if h.collection == name]
            positions = view[1].positions_of(ids)
            chunks = view[1].chunks_at(list(positions.values()))
            tokens = view[1].tokens_at(list(positions.values()))
            for dense_hit in found:
                pos = positions.get(dense_hit.chunk_id)
                if dense_hit.collection == name and pos is not None and pos in chunks:
                    hits.append(_hit(chunks[pos], dense_hit.score, name, tokens.get(pos, frozenset())))
        hits.sort(key=lambda h: -h.score)
        return hits

    # -- ingestion ---------------------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], collection: str, department: str | None = None,
               owner: str | None = None, progress: Progress | None = None,
               sources: dict[Path, str] | None = None, vectors: bool | None = None,
               effective: dict[str, str] | None = None) -> IngestReport:
        """Parse, chunk and index files (and folders) into a collection, in one keyword-index generation; unchanged
        files are skipped.

        The keyword index serves the new passages as soon as this returns. Their vectors are embedded here
        (``vectors=True``; the default where no background filler runs) or left to the filler (``False``; the
        default in the app server, which is woken at once), so a question never waits behind an embedding.
        """
        if vectors is None:
            vectors = self._background is None
        target = self.collection(collection)
        files = expand_paths(paths) if sources is None else {p: sources[p] for p in paths}
        if not files:
            raise InputError("올릴 문서가 없습니다. HWP·HWPX·PDF·DOCX·XLSX·CSV·PPTX·TXT·MD 파일이나 폴더를 지정하세요.",
                             code="no_files")
        limits = self.settings.ingest
        params = ChunkParams(limits.chunk_chars, limits.article_max_chars)
        failed: dict[str, IngestError] = {}
        partial: dict[str, str] = {}
        known = {d.doc: d.sha256 for d in target.documents()}
        # The digest names the chunking too: a file chunked by an earlier version is read again on its next ingest
        # (make run re-runs demo-library, so the installed library follows each release's chunking).
        digests = {path: f"{sha256_of(path)}:{CHUNKING}" for path in files}
        unchanged = [p for p in files if known.get(files[p]) == digests[p]]
        todo = [p for p in files if known.get(files[p]) != digests[p]]
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")

        def prepared() -> Iterator[PreparedDocument]:
            for path in unchanged:
                yield PreparedDocument(record(files[path], digests[path], None, department, owner), [])
            with ParserPool(limits) as pool:
                for index, (path, result) in enumerate(pool.extract_many(todo), start=1):
                    source = files[path]
                    if progress:
                        progress(f"문서 읽기 {index}/{len(todo)}", 0.8 * index / max(len(todo), 1))
                    if isinstance(result, IngestError):
                        failed[source] = result
                        continue
                    if (given := (effective or {}).get(source)) and effective_date(result) is None:
                        result.metadata["시행일자"] = given  # the 시행일 a person entered; one the file states wins
                    if result.metadata.get("partial"):
                        partial[source] = str(result.metadata["partial"])
                    chunks = chunk_document(result, source, collection, params)
                    yield PreparedDocument(record(source, digests[path], result, department, owner, now,
                                                   len(chunks)), chunks)

        def stage(label: str, fraction: float) -> None:
            if progress:
                progress(label, 0.8 + 0.1 * fraction)

        changes = target.apply(prepared(), progress=stage, gone=self._forget)
        report = IngestReport(collection, changes, failed, partial)
        if vectors:
            report = self._sync_vectors(report, progress)
        elif self.dense is not None and changes.changed:
            self._drop_vectors(report)
            report = replace(report, vectors_pending=sum(1 for _ in target.chunks_of(changes.added + changes.replaced)))
            if self._background is not None:
                self._background()
            else:
                report = replace(report, vector_error="의미 검색 색인은 앱이 실행되면 뒤에서 채웁니다.")
        if progress:
            progress("완료", 1.0)
        return report

    def remove_documents(self, collection: str, docs: Iterable[str]) -> IngestReport:
        changes = self.collection(collection).apply([], remove=set(docs), gone=self._forget)
        return self._sync_vectors(IngestReport(collection, changes), None)

    def reindex_vectors(self, collection: str, progress: Progress | None = None) -> int:
        """Embed every chunk of the collection that has no vector yet (after the embedder was down)."""
        if self.dense is None:
            raise InputError("임베딩 모델이 설정되지 않아 의미 검색 색인을 만들 수 없습니다 (SEOULAI_EMBED__BACKEND).",
                             code="no_embedder")
        target = self.collection(collection)
        known = self.dense.known_ids(collection)
        missing = [c for d in target.documents() for c in target.chunks_of([d.doc]) if c.id not in known]
        done = 0
        for start in range(0, len(missing), 256):
            done += self.dense.upsert(collection, missing[start : start + 256])
            if progress:
                progress(f"의미 검색 색인 {done:,}/{len(missing):,}", done / max(len(missing), 1))
        return done

    def rename_collection(self, old: str, new: str) -> None:
        """Move a collection to a new name (keyword index and vectors); refuses to overwrite one."""
        source, target = self.collection(old), self.collection(new)
        if target.current() is not None:
            raise InputError(f"이미 있는 문서함입니다: {new}", code="exists")
        source.move_to(target.root)
        with self._lock:
            self._collections.pop(old, None)
            self._collections.pop(new, None)
        if self.dense is not None:
            self.dense.rename_collection(old, new)

    def _forget(self, chunks: Iterator[Chunk]) -> None:
        """Passages gone from a collection leave the vector cache (their points leave in ``_sync_vectors``)."""
        if self.dense is not None:
            try:
                self.dense.forget(chunks)
            except sqlite3.Error as error:  # the change is live already; say so rather than undo it
                log.error("vector cache of removed passages not cleared: %r", error)

    def _drop_vectors(self, report: IngestReport) -> None:
        """Vectors of passages that are gone leave with them (the filler also sweeps what this could not reach)."""
        if self.dense is None or not report.changes.removed_chunk_ids:
            return
        try:
            self.dense.delete(report.changes.removed_chunk_ids)
        except (LLMError, VectorStoreError) as error:
            log.error("old vectors of %s not removed yet: %s", report.collection, error.code)

    def _sync_vectors(self, report: IngestReport, progress: Progress | None) -> IngestReport:
        """The report with the vectors written (or why not: the keyword index is live either way)."""
        if self.dense is None or not report.changes.changed:
            return report
        try:
            self.dense.delete(report.changes.removed_chunk_ids)
            new_docs = report.changes.added + report.changes.replaced
            if progress and new_docs:
                progress("의미 검색 색인", 0.92)
            chunks = list(self.collection(report.collection).chunks_of(new_docs))
            return replace(report, vectors=self.dense.upsert(report.collection, chunks))
        except (LLMError, VectorStoreError) as error:
            # The keyword index is already live; the app's background filler adds the vectors later.
            log.error("vectors not updated for %s: %s", report.collection, getattr(error, "detail", "") or error.code)
            return replace(report, vector_error=error.message)


def _hit(chunk: Any, score: float, collection: str, terms: frozenset[str] = frozenset()) -> Hit:
    return Hit(source=chunk.source, title=chunk.title, section=chunk.section, page=chunk.page, text=chunk.text,
               score=score, collection=collection, chunk_id=chunk.id, effective_date=chunk.effective_date,
               metadata=chunk.metadata, terms=terms)


__all__ = ["SUPPORTED", "IngestReport", "SearchIndex", "expand_paths"]
