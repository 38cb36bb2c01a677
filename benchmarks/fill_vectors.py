"""Fill the content-hash vector cache that benchmarks/hybrid.py reads, ahead of the run; resumable.

The statute sets need every chunk embedded before dense and hybrid rows can be measured: the eval scope's 33,718
chunks and the NTS laws' 20,901 (6,682 of them the same texts as the scope's, so stored once) take hours on 2
cores. This embeds what the cache lacks, 32 chunks at a time, each batch committed as it is done: stop it at any
point and the next run goes on from there. The chunk texts are the ones the current code makes (the indexes are
built here, or taken from --scope-index / --nts-index), so hybrid.py finds them by the same content hash.

Usage: python benchmarks/fill_vectors.py --corpus DIR/laws-kr/kr --vector-cache F [--nts] [--limit N]
[--scope-index D] [--nts-index D]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import build, law_files, nts_questions, passage_texts, scope_files, service  # noqa: E402 - after sys.path

from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.llm import build_embedder  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", type=Path, required=True, help="an extracted laws-kr/kr folder")
    parser.add_argument("--vector-cache", type=Path, required=True)
    parser.add_argument("--scope-index", type=Path, help="an index of the eval scope built by the current code")
    parser.add_argument("--nts-index", type=Path, help="an index of the NTS laws built by the current code")
    parser.add_argument("--nts", action="store_true", help="the NTS laws too, after the eval scope")
    parser.add_argument("--limit", type=int, default=0, help="stop after embedding this many chunks (0: all)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--background", action="store_true",
                        help="embed at the app's background priority (nice 15) instead of this process's own")
    args = parser.parse_args()
    if not args.background:  # a benchmark run waits for these vectors: not below everything else on the machine
        from seoulai.llm import e5_onnx

        e5_onnx.BACKGROUND_NICE = os.getpriority(os.PRIO_PROCESS, 0)
    shared, tmp = Path(args.shared), Path(tempfile.mkdtemp(prefix="seoulai-fill-"))
    settings = Settings(index_dir=tmp / "unused", llm={"backend": "none"}, embed={"backend": "embedded"},
                        retrieval={"vector_cache": args.vector_cache})
    embedder = build_embedder(settings)
    dense = SearchIndex(settings, embedder).dense  # the cache under the very key hybrid.py's searcher uses
    assert dense is not None
    sets = [("eval scope", args.scope_index or tmp / "scope", lambda: scope_files(shared, args.corpus))]
    if args.nts:
        sets.append(("NTS laws", args.nts_index or tmp / "nts",
                     lambda: law_files(args.corpus, nts_questions(shared)[1])))
    done = 0
    for label, index_dir, files in sets:
        if not (index_dir / "collections").exists():
            stats = build(index_dir, "laws", args.corpus, files())
            print(f"{label}: built {stats['chunks']:,} chunks in {stats['seconds']:.0f} s", flush=True)
        texts = passage_texts(service(index_dir).collection("laws"))
        have = dense.cache.get(texts)
        missing = list(dict.fromkeys(t for i, t in enumerate(texts) if i not in have))
        print(f"{label}: {len(texts):,} chunks, {len(missing):,} not in the cache", flush=True)
        started, last = time.perf_counter(), 0.0
        for start in range(0, len(missing), args.batch):
            if args.limit and done >= args.limit:
                print(f"stopped at --limit {args.limit:,}", flush=True)
                return
            part = missing[start:start + args.batch]
            dense.cache.put(part, embedder.get_text_embedding_batch(part))
            done += len(part)
            elapsed = time.perf_counter() - started
            if elapsed - last > 300 or start + args.batch >= len(missing):
                last = elapsed
                print(f"{time.strftime('%H:%M:%S')} {label}: {start + len(part):,} / {len(missing):,}, "
                      f"{(start + len(part)) / elapsed:.2f} passages/s", flush=True)
    print("all in the cache", flush=True)


if __name__ == "__main__":
    main()
