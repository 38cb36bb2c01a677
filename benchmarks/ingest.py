"""Ingestion throughput: extraction (in the limited parser subprocesses) plus chunking.

Reports files/s, MB/s, chunks and peak RSS (this process and the largest parser process) for
1. the real samples in shared/samples (HWP, HWPX, PDF, broken files), and
2. all 3,061 laws of shared/corpus/laws-kr.tar.gz (5,674 Markdown files, 277 MB), extracted to a temp folder.
Targets (issue "Document ingestion"): the law corpus chunks in under 3 minutes with peak RSS under 1.5 GB.

Usage: python benchmarks/ingest.py [--shared ../shared] [--skip-corpus]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.config import IngestSettings  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.chunking import ChunkParams, chunk_document  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.failures import IngestError  # noqa: E402 - after the sys.path set-up
from seoulai.ingest.pool import ParserPool  # noqa: E402 - after the sys.path set-up


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run(files: list[Path], root: Path, label: str) -> dict[str, float]:
    limits = IngestSettings()
    params = ChunkParams(limits.chunk_chars, limits.article_max_chars)
    size = sum(f.stat().st_size for f in files)
    start = time.perf_counter()
    chunks = errors = 0
    with ParserPool(limits) as pool:
        for path, result in pool.extract_many(files):
            if isinstance(result, IngestError):
                errors += 1
                continue
            chunks += len(chunk_document(result, str(path.relative_to(root)), "bench", params))
    seconds = time.perf_counter() - start
    own, children = peak_rss_mb()
    row = {"files": len(files), "mb": size / 1e6, "seconds": seconds, "files_per_s": len(files) / seconds,
           "mb_per_s": size / 1e6 / seconds, "chunks": chunks, "errors": errors, "rss_main_mb": own,
           "rss_parser_mb": children}
    print(f"| {label} | {len(files):,} | {size / 1e6:,.1f} | {seconds:,.1f} | {row['files_per_s']:,.1f} | "
          f"{row['mb_per_s']:,.2f} | {chunks:,} | {errors} | {own:,.0f} | {children:,.0f} |", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    shared = Path(args.shared)
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print("| set | files | MB | seconds | files/s | MB/s | chunks | errors | peak RSS main MB | peak RSS parser MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    samples = shared / "samples"
    files = sorted(p for p in samples.glob("*/*") if p.is_file() and p.name != "README.md")
    run(files, samples, "samples (hwp, hwpx, pdf, broken)")
    if args.skip_corpus:
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with tarfile.open(shared / "corpus" / "laws-kr.tar.gz") as archive:
            archive.extractall(tmp, filter="data")
        print(f"(untar: {time.perf_counter() - started:.1f} s, not counted)", flush=True)
        root = Path(tmp) / "laws-kr" / "kr"
        laws = sorted(root.rglob("*.md"))
        row = run(laws, root, "all laws (laws-kr.tar.gz)")
        ok = row["seconds"] < 180 and max(row["rss_main_mb"], row["rss_parser_mb"]) < 1536
        print(f"target (< 180 s, < 1.5 GB peak RSS): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
