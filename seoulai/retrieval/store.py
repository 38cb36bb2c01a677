"""The chunk store of one index generation: chunk texts, metadata and analysed tokens in SQLite.

SQLite (standard library) serves the point look-ups of the top hits without holding the corpus in memory;
the BM25 arrays next to it hold only numbers. Rows are numbered 0..N-1 in index order (``pos``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seoulai.ingest.types import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    pos INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    effective_date TEXT,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    tok_body TEXT NOT NULL,
    family TEXT NOT NULL,
    title_key TEXT NOT NULL,
    article TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc);
CREATE INDEX IF NOT EXISTS chunks_family ON chunks(family);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(title_key, article);
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    pages INTEGER,
    effective_date TEXT,
    department TEXT,
    owner TEXT,
    ingested_at TEXT NOT NULL,
    metadata TEXT NOT NULL
);
"""


@dataclass
class StoredChunk:
    """A chunk row plus its analysed tokens (kept so a rebuild never re-tokenises)."""

    chunk: Chunk
    doc: str
    tok_body: str


@dataclass(frozen=True)
class DocumentRecord:
    doc: str
    title: str
    sha256: str
    chunks: int
    pages: int | None
    effective_date: str | None
    department: str | None
    owner: str | None
    ingested_at: str
    metadata: dict[str, Any]


class ChunkStore:
    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        # check_same_thread=False: look-ups come from Streamlit's session threads; sqlite serialises them.
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        if not readonly:
            self.db.executescript(SCHEMA)
            self.db.execute("PRAGMA journal_mode=OFF")  # the generation directory is the unit of atomicity
            self.db.execute("PRAGMA synchronous=OFF")

    def close(self) -> None:
        self.db.close()

    # -- writing (only into a new generation) -----------------------------------------------------------
    def write_chunks(self, rows: Iterable[StoredChunk]) -> int:
        from seoulai.retrieval.statute import article_key, compact, family_of

        count = 0
        batch: list[tuple[Any, ...]] = []
        sql = "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        for row in rows:
            c = row.chunk
            batch.append((count, c.id, row.doc, c.source, c.title, c.section, c.page, c.effective_date, c.text,
                          json.dumps(c.metadata, ensure_ascii=False), row.tok_body, family_of(c.title),
                          compact(c.title), article_key(c.section)))
            count += 1
            if len(batch) >= 5000:
                self.db.executemany(sql, batch)
                batch.clear()
        if batch:
            self.db.executemany(sql, batch)
        self.db.commit()
        return count

    def family_counts(self) -> Iterable[tuple[str, dict[str, int]]]:
        """Token counts of each law family (an act with its decrees), for the family field."""
        current: str | None = None
        counts: dict[str, int] = {}
        for family, tokens in self.db.execute("SELECT family, tok_body FROM chunks ORDER BY family, pos"):
            if family != current:
                if current is not None:
                    yield current, counts
                current, counts = family, {}
            for token in tokens.split():
                counts[token] = counts.get(token, 0) + 1
        if current is not None:
            yield current, counts

    def cited_positions(self, citations: Iterable[tuple[str, str]]) -> list[int]:
        out: list[int] = []
        for title_key, article in citations:
            out += [r[0] for r in self.db.execute(
                "SELECT pos FROM chunks WHERE title_key = ? AND article = ?", (title_key, article))]
        return out

    def defining_texts(self, doc: str, limit: int = 8) -> list[str]:
        """The first passages of a document that define short names ("(이하 "법"이라 한다)")."""
        return [r[0] for r in self.db.execute(
            "SELECT text FROM chunks WHERE doc = ? AND text LIKE '%이하%' ORDER BY pos LIMIT ?", (doc, limit))]

    def first_positions(self, citations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Where each cited (title key, article) begins in this generation, for those it holds."""
        out: dict[tuple[str, str], int] = {}
        for title_key, article in citations:
            row = self.db.execute("SELECT min(pos) FROM chunks WHERE title_key = ? AND article = ?",
                                  (title_key, article)).fetchone()
            if row and row[0] is not None:
                out[(title_key, article)] = int(row[0])
        return out

    def write_documents(self, records: Iterable[DocumentRecord]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(r.doc, r.title, r.sha256, r.chunks, r.pages, r.effective_date, r.department, r.owner, r.ingested_at,
              json.dumps(r.metadata, ensure_ascii=False)) for r in records])
        self.db.commit()

    # -- reading ----------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks_at(self, positions: list[int]) -> dict[int, Chunk]:
        if not positions:
            return {}
        marks = ",".join("?" * len(positions))
        rows = self.db.execute(
            f"SELECT pos, id, source, title, section, page, effective_date, text, metadata FROM chunks "  # noqa: S608 - ? marks only
            f"WHERE pos IN ({marks})", positions).fetchall()
        return {r[0]: Chunk(id=r[1], source=r[2], title=r[3], section=r[4], page=r[5], effective_date=r[6],
                            text=r[7], position=r[0], metadata=json.loads(r[8])) for r in rows}

    def positions_of_docs(self, docs: Iterable[str]) -> list[int]:
        docs = list(docs)
        if not docs:
            return []
        marks = ",".join("?" * len(docs))
        return [r[0] for r in self.db.execute(f"SELECT pos FROM chunks WHERE doc IN ({marks})", docs)]  # noqa: S608 - ? marks only

    def tokens_at(self, positions: list[int]) -> dict[int, frozenset[str]]:
        """The analysed tokens of these chunks (kept at build time: a hit's words without running Kiwi again)."""
        if not positions:
            return {}
        marks = ",".join("?" * len(positions))
        rows = self.db.execute(f"SELECT pos, tok_body FROM chunks WHERE pos IN ({marks})", positions)  # noqa: S608 - ? marks only
        return {r[0]: frozenset(r[1].split()) for r in rows}

    def positions_of(self, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.db.execute(f"SELECT id, pos FROM chunks WHERE id IN ({marks})", ids).fetchall())  # noqa: S608 - ? marks only

    def stored(self, exclude_docs: Set[str] = frozenset()) -> Iterator[StoredChunk]:
        cursor = self.db.execute(
            "SELECT id, doc, source, title, section, page, effective_date, text, metadata, tok_body "
            "FROM chunks ORDER BY pos")
        for r in cursor:
            if r[1] in exclude_docs:
                continue
            chunk = Chunk(id=r[0], source=r[2], title=r[3], section=r[4], page=r[5], effective_date=r[6], text=r[7],
                          position=0, metadata=json.loads(r[8]))
            yield StoredChunk(chunk, r[1], r[9])

    def documents(self) -> list[DocumentRecord]:
        rows = self.db.execute("SELECT * FROM documents ORDER BY doc").fetchall()
        return [DocumentRecord(doc=r[0], title=r[1], sha256=r[2], chunks=r[3], pages=r[4], effective_date=r[5],
                               department=r[6], owner=r[7], ingested_at=r[8], metadata=json.loads(r[9])) for r in rows]

    def chunks_of(self, doc: str) -> list[Chunk]:
        rows = self.db.execute(
            "SELECT pos, id, source, title, section, page, effective_date, text, metadata FROM chunks "
            "WHERE doc = ? ORDER BY pos", (doc,)).fetchall()
        return [Chunk(id=r[1], source=r[2], title=r[3], section=r[4], page=r[5], effective_date=r[6], text=r[7],
                      position=r[0], metadata=json.loads(r[8])) for r in rows]

    def chunk_ids(self, doc: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc = ?", (doc,))]
