"""Do the statute sets fall? Fire-safety and KoBLEX dev, keyword side, with and without the relevance floor.

Run it for the code before a change and after, in one session, and compare the lines:
    git worktree add /tmp/before <commit>
    python benchmarks/statute_check.py --code /tmp/before --index /tmp/idx_before
    python benchmarks/statute_check.py --code . --index /tmp/idx_after
(the 228-file eval scope of shared/eval/scope_dirs.txt, extracted from the law tarball once to --corpus).
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import tarfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", default=str(Path(__file__).resolve().parents[1]), help="checkout to import from")
    parser.add_argument("--index", required=True, help="index folder (built on first use)")
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", "../shared"))
    parser.add_argument("--corpus", default="/tmp/laws-kr", help="where laws-kr.tar.gz is (or gets) extracted")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.code).resolve()))
    from benchmarks.retrieval import load_jsonl, scope_files, score
    from seoulai.config import Settings
    from seoulai.retrieval.index import SearchIndex

    shared, corpus = Path(args.shared).resolve(), Path(args.corpus) / "laws-kr" / "kr"
    if not corpus.is_dir():
        with tarfile.open(shared / "corpus" / "laws-kr.tar.gz") as archive:
            archive.extractall(args.corpus, filter="data")
    index = SearchIndex(Settings(index_dir=args.index, embed={"backend": "none"}, llm={"backend": "none"}))
    if not index.collections():
        files = scope_files(shared, corpus)
        started = time.perf_counter()
        index.ingest(files, "laws", sources={f: f.relative_to(corpus).as_posix() for f in files})
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    floors = (False, True) if "floor" in inspect.signature(index.search).parameters else (None,)
    for name in ("firesafety_dev.jsonl", "koblex_dev.jsonl"):
        rows = load_jsonl(shared / "eval" / name)
        for floor in floors:
            options = {} if floor is None else {"floor": floor}
            hits = {row["id"]: [{"source": h.source, "section": h.section, "text": h.text}
                                for h in index.search(row["question"], ["laws"], 10, **options)] for row in rows}
            metrics = {key: round(value, 3) for key, value in score(rows, hits).items()}
            print(f"{args.code} {name} {'floor' if floor else 'no floor'} {metrics}", flush=True)


if __name__ == "__main__":
    main()
