"""Retention of usage events: rows older than ``usage.retention_days`` leave every usage file, and no row keeps the
text of a 문서 Q&A question (a question about a person's own upload must not outlive the upload; events recorded
since this version hold none, older ones are cleared here).

- DuckDB: the rows are deleted and the file is rewritten (a fresh file swapped in), because DuckDB leaves deleted
  rows' bytes in free blocks of the old file.
- Parquet: each part holding such rows is rewritten without them (same name: the spool offset in the name still
  tells the next fold where to resume); a part left empty is deleted once its spool file is gone, and kept empty
  until then so that offset is not lost.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

SCRUB = "feature = 'doc_qa' AND query IS NOT NULL"


def expire_duckdb(db: Any, cutoff: datetime) -> bool:
    """Delete old rows and 문서 Q&A question text in the open database; True when anything was removed (then the
    caller rewrites the file, see ``compact``)."""
    old, text = db.execute(f"SELECT count(*) FILTER (WHERE ts < ?), count(*) FILTER (WHERE {SCRUB}) FROM events",  # noqa: S608 - SCRUB is a constant
                           [cutoff]).fetchone()
    if not old and not text:
        return False
    db.execute("BEGIN TRANSACTION")
    try:
        db.execute("DELETE FROM events WHERE ts < ?", [cutoff])
        db.execute(f"UPDATE events SET query = NULL WHERE {SCRUB}")  # noqa: S608 - SCRUB is a constant
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return True


def compact(db: Any, path: Path, schema: str) -> None:
    """Copy the live rows into a fresh file and swap it in (the caller closes ``db`` and reconnects after)."""
    fresh = path.with_name(f".{path.name}.compact")
    fresh.unlink(missing_ok=True)
    main = db.execute("SELECT current_database()").fetchone()[0]
    db.execute("ATTACH ? AS fresh", [str(fresh)])
    try:
        db.execute("USE fresh")
        db.execute(schema)
        # The database's own name (DuckDB binds no identifiers).
        db.execute(f'INSERT INTO fresh.events BY NAME SELECT * FROM "{main}".events')  # noqa: S608 - see above
        db.execute(f'INSERT INTO fresh.spool_offsets SELECT * FROM "{main}".spool_offsets')  # noqa: S608 - see above
    finally:
        db.execute(f'USE "{main}"')
        db.execute("DETACH fresh")
    db.close()
    os.replace(fresh, path)


def expire_parquet(parquet_dir: Path, spool_dir: Path, cutoff: datetime) -> int:
    """Rewrite every part under ``parquet_dir/replica=*/`` that holds old rows or question text; rows removed."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    removed = 0
    for part in sorted(parquet_dir.glob("replica=*/*.parquet")):
        try:
            table = pq.read_table(part)
        except FileNotFoundError:
            continue
        old = pc.less(table["ts"], cutoff)
        text = pc.and_(pc.equal(table["feature"], "doc_qa"), pc.is_valid(table["query"]))
        if not pc.any(pc.or_(old, text)).as_py() and (table.num_rows or _spooled(part, spool_dir)):
            continue
        kept = table.filter(pc.invert(pc.fill_null(old, False)))
        scrub = pc.and_(pc.equal(kept["feature"], "doc_qa"), pc.is_valid(kept["query"]))
        query = pc.if_else(pc.fill_null(scrub, False), None, kept["query"])
        kept = kept.set_column(kept.schema.get_field_index("query"), "query", query)
        removed += table.num_rows - kept.num_rows
        if kept.num_rows == 0 and not _spooled(part, spool_dir):
            part.unlink(missing_ok=True)
            continue
        tmp = part.with_name(f".expire-{os.getpid()}-{part.name}.tmp")
        pq.write_table(kept, tmp)
        os.replace(tmp, part)
    return removed


def _spooled(part: Path, spool_dir: Path) -> bool:
    """Whether the spool file a part was folded from is still there (its offset must then be kept)."""
    if not part.name.startswith("part-"):
        return False
    stem = part.stem.removeprefix("part-").rsplit("-", 1)[0]
    return any(spool_dir.glob(f"replica=*/{stem}.jsonl"))
