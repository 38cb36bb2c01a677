"""Choose the chunk size for non-statute documents by measurement, on KorQuAD 1.0 dev.

The 964 dev paragraphs are joined back into one document per article title (140 documents), chunked by our
generic chunker at several target sizes, indexed with our keyword retriever, and every dev question
(5,774) is searched. A question counts as found@k when one of the top-k chunks contains its answer text.
Bigger chunks contain more answers trivially but cost prompt space (the model gets 5 passages), so the
table also gives the characters the model would read; we take the smallest size within one point of the
best found@5.

Usage: python benchmarks/chunk_size.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up

SIZES = (300, 500, 700, 1000, 1500)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    args = parser.parse_args()
    shared = Path(args.shared)
    with (shared / "eval" / "korquad_paragraphs.jsonl").open(encoding="utf-8") as handle:
        paragraphs = [json.loads(line) for line in handle if line.strip()]
    with (shared / "eval" / "korquad_dev.jsonl").open(encoding="utf-8") as handle:
        questions = [json.loads(line) for line in handle if line.strip()]
    by_title: dict[str, list[str]] = defaultdict(list)
    for p in paragraphs:
        by_title[p["title"]].append(p["text"])
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}; "
          f"{len(by_title)} documents, {len(questions)} questions")
    print("| chunk_chars | chunks | found@1 | found@5 | mean chars in top 5 |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        for number, (title, texts) in enumerate(by_title.items()):
            (folder / f"{number:04d}.txt").write_text(title + "\n\n" + "\n\n".join(texts), encoding="utf-8")
        for size in SIZES:
            settings = Settings(index_dir=Path(tmp) / f"idx{size}", embed={"backend": "none"},
                                llm={"backend": "none"}, ingest={"chunk_chars": size})
            svc = SearchIndex(settings)
            svc.ingest([folder], "korquad")
            view = svc.collection("korquad").view()
            assert view is not None
            found1 = found5 = 0
            chars = 0
            for q in questions:
                hits = svc.search(q["question"], ["korquad"], 5)
                texts = [h.text for h in hits]
                found1 += bool(texts[:1] and q["answer"] in texts[0])
                found5 += any(q["answer"] in t for t in texts)
                chars += sum(len(t) for t in texts)
            n = len(questions)
            print(f"| {size} | {view[0].size:,} | {found1 / n:.3f} | {found5 / n:.3f} | {chars / n:,.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
