"""What an upgrade that changes the word analysis costs at start: the eval scope's collection, built as the
previous version built it (light words dropped, no analysis version in its meta), re-tokenised from its stored
chunk texts by Collection.rebuild() — against building the same collection from the files, in the same run.

Usage: python benchmarks/reanalyse.py --corpus DIR/laws-kr/kr [--shared ../shared]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import build, scope_files  # noqa: E402 - after the sys.path set-up

import seoulai.retrieval.collection as collection_module  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.collection import Collection  # noqa: E402 - after the sys.path set-up
from seoulai.text.korean import STOP_WORDS, morphs_batch  # noqa: E402 - after the sys.path set-up


def previous_analysis(texts: list[str]):
    for tokens in morphs_batch(texts):
        yield [t for t in tokens if t not in STOP_WORDS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", required=True, help="an extracted laws-kr/kr folder")
    args = parser.parse_args()
    shared, corpus = Path(args.shared).resolve(), Path(args.corpus)
    files = scope_files(shared, corpus)
    with tempfile.TemporaryDirectory(prefix="seoulai-reanalyse-") as name:
        tmp = Path(name)
        fresh = build(tmp / "fresh", "laws", corpus, files)
        current, analyse = collection_module.ANALYSIS, collection_module.morphs_batch
        collection_module.ANALYSIS, collection_module.morphs_batch = 1, previous_analysis
        try:
            build(tmp / "old", "laws", corpus, files)
        finally:
            collection_module.ANALYSIS, collection_module.morphs_batch = current, analyse
        old = Collection(tmp / "old", "laws")
        assert old.outdated()
        started = time.perf_counter()
        old.rebuild()
        seconds = time.perf_counter() - started
        assert not old.outdated()
    chunks = int(fresh["chunks"])
    print(f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} cores · Python "
          f"{platform.python_version()}")
    print(f"| eval scope ({fresh['files']} files, {chunks:,} chunks) | seconds | chunks/s |")
    print("|---|---|---|")
    print(f"| build from the files (parse, chunk, Kiwi, BM25) | {fresh['seconds']:.0f} | {chunks / fresh['seconds']:.0f} |")
    print(f"| re-analysis at start (stored texts, Kiwi, BM25) | {seconds:.0f} | {chunks / seconds:.0f} |")
    print(f"ratio re-analysis / build: {seconds / fresh['seconds']:.2f}; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
