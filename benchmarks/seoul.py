"""Seoul City rules: a new employee's questions (shared/eval/seoul_dev.jsonl), per kind and overall.

One run gives, on the 71 본청 rules of shared/corpus/seoul (and, with --library, on the library `make run`
installs: those rules plus the national laws in demo/manuals):
- the issue's baseline: plain Kiwi BM25 over article chunks (shared/eval/retrieval_baseline.py, kiwi tokenizer),
- our keyword side and, with --dense, hybrid search (the embedded multilingual-e5-small), each without and
  with the relevance floor (what `seoulai search` returns; `--all` shows the rest),
- department questions: the top unit of `seoulai department` against the unit named in the row's answer,
- refusals (gold: []): how many get no evidence at all.

Recall@5 / Hit@5 / MRR@10 follow shared/eval/score_hits.py (strict: the first article reference in the hit's
section must be the gold article), on answerable rows only.
Usage: python benchmarks/seoul.py [--shared ../shared] [--dense] [--vector-cache FILE] [--library] [--json-out F]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import PLAIN, load_jsonl, score  # noqa: E402 - after the sys.path set-up
from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.hits import Hit  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up

KINDS = ("factual", "department", "procedure")


def build_index(index_dir: Path, root: Path, dense: bool, cache: Path | None) -> tuple[Settings, SearchIndex]:
    settings = Settings(index_dir=index_dir, data_dir=index_dir / "data", llm={"backend": "none"},
                        embed={"backend": "embedded" if dense else "none"},
                        retrieval={"vector_cache": cache} if cache else {})
    embedder = None
    if dense:
        from seoulai.llm import build_embedder

        embedder = build_embedder(settings)
    index = SearchIndex(settings, embedder)
    files = [f for f in sorted(root.rglob("*.md")) if f.name != "README.md"]
    started = time.perf_counter()
    index.ingest(files, "공통", sources={f: f.relative_to(root).as_posix() for f in files}, vectors=dense)
    print(f"indexed {len(files)} files in {time.perf_counter() - started:.1f} s", flush=True)
    return settings, index


def as_rows(hits: list[Hit]) -> list[dict[str, str]]:
    return [{"source": h.source, "section": h.section, "text": h.text} for h in hits]


def per_kind(rows: list[dict], hits: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    out = {kind: score([r for r in rows if r["kind"] == kind], hits) for kind in KINDS}
    out["overall"] = score([r for r in rows if r["gold"]], hits)
    return out


def baseline(shared: Path, rows: list[dict], work: Path) -> dict[str, dict[str, float]]:
    """The issue's baseline, by the shared script itself, on the answerable rows of each kind."""
    files = []
    for kind in (*KINDS, "overall"):
        path = work / f"seoul_{kind}.jsonl"
        chosen = [r for r in rows if r["gold"] and (kind == "overall" or r["kind"] == kind)]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
        files.append(path)
    out = work / "baseline.json"
    subprocess.run([sys.executable, str(shared / "eval" / "retrieval_baseline.py"), str(shared / "corpus" / "seoul"),
                    *map(str, files), "--scope", "full", "--tokenizers", "kiwi", "--json-out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    raw = json.loads(out.read_text(encoding="utf-8"))["results"]
    result = {}
    for key, value in raw.items():
        name = key.split("|")[0].removeprefix("seoul_").removesuffix(".jsonl")
        if isinstance(value, dict) and "recall@5" in value:
            result[name] = {m: value[m] for m in ("recall@5", "hit@5", "mrr@10")}
    return result


def run_side(index: SearchIndex, rows: list[dict], floor: bool) -> tuple[dict, int]:
    """Hits of every row (top 10); and how many refusal rows got no hit at all."""
    hits: dict[str, list[dict]] = {}
    refused = 0
    for row in rows:
        found = index.search(row["question"], ["공통"], 10, floor=floor)
        hits[row["id"]] = as_rows(found)
        # A refusal is judged on what a person is shown: the passages an answer gets (top 5, as `ask`).
        if not row["gold"] and not index.search(row["question"], ["공통"], 5, floor=floor):
            refused += 1
    return hits, refused


def departments(settings: Settings, rows: list[dict]) -> tuple[int, int, list[str]]:
    """Rows whose answer's unit ("행정국 총무과가 …") is the top unit of `seoulai department`."""
    from seoulai.services import build_services

    services = build_services(settings.model_copy(update={"embed": settings.embed.model_copy(
        update={"backend": "none"})}), embedder=None, usage_log=None)
    right, misses = 0, []
    chosen = [r for r in rows if r["kind"] == "department"]
    try:
        for row in chosen:
            parent, unit = row["answer"].split()[:2]
            unit = unit.removesuffix("가").removesuffix("이")
            found = services.departments.find_shared(row["question"], 3)
            top = (found[0].parent, found[0].name) if found else ("", "")
            if top == (parent, unit):
                right += 1
            else:
                misses.append(f"{row['id']}: {parent} {unit} <- {top[0]} {top[1]}")
    finally:
        services.close()
    return right, len(chosen), misses


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = ["| ranking | " + " | ".join(f"{k} R@5 / H@5 / MRR" for k in (*KINDS, "overall")) + " |",
             "|---|" + "---|" * (len(KINDS) + 1)]
    for name, kinds in results.items():
        cells = [f"{kinds[k]['recall@5']:.3f} / {kinds[k]['hit@5']:.3f} / {kinds[k]['mrr@10']:.3f}"
                 for k in (*KINDS, "overall")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--dense", action="store_true", help="also hybrid search (embeds every chunk once)")
    parser.add_argument("--vector-cache", help="a vectors.sqlite to reuse between runs")
    parser.add_argument("--library", action="store_true", help="also over demo/manuals (what make run installs)")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    shared = Path(args.shared).resolve()
    rows = load_jsonl(shared / "eval" / "seoul_dev.jsonl")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    cache = Path(args.vector_cache) if args.vector_cache else None
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict[str, dict[str, dict[str, float]]] = {"plain Kiwi BM25 (baseline script)": baseline(shared, rows, work)}
        corpora = [("Seoul rules", shared / "corpus" / "seoul")]
        if args.library:
            corpora.append(("library (make run)", ROOT / "demo" / "manuals"))
        for label, root in corpora:
            # The national laws of the library would take hours to embed here: the library rows are keyword only.
            dense = args.dense and root.name == "seoul"
            settings, index = build_index(work / label.replace(" ", "_"), root, dense, cache)
            plain, _ = run_side(SearchIndex(settings, None, PLAIN), rows, False)
            results[f"{label}: our chunks, plain BM25"] = per_kind(rows, plain)
            keyword = SearchIndex(settings, None)  # the same index, no dense side
            sides = [("keyword", keyword)] + ([("hybrid", index)] if dense else [])
            for side, searcher in sides:
                for floor in (False, True):
                    hits, refused = run_side(searcher, rows, floor)
                    name = f"{label}: {side}" + (" + floor" if floor else "")
                    results[name] = per_kind(rows, hits)
                    refusals = sum(1 for r in rows if not r["gold"])
                    report[f"{name} refusals without evidence"] = f"{refused}/{refusals}"
            right, total, misses = departments(settings, rows)
            report[f"{label}: department top unit"] = f"{right}/{total}"
            report[f"{label}: department misses"] = misses
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"results": results, **report}, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
        print(table(results))
        for key, value in report.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
