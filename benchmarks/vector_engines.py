"""Embedded vector engines for concurrent in-process use, measured on this machine in one run.

Engines: qdrant-client local mode (``QdrantClient(path=...)``, the product's embedded store today), Qdrant Edge
(``qdrant-edge-py``), LanceDB, usearch, hnswlib, sqlite-vec, DuckDB VSS (its extension comes from
extensions.duckdb.org; when it cannot be installed the row says so) and plain DuckDB (exact scan, core SQL).

Data: seeded synthetic 384-d float32 unit vectors shaped like chunk embeddings (300 topics, documents of 5-60
chunks around a document centre, every chunk near its document), each point with a payload ``collection`` (one of
20 names, skewed, correlated with the topic) and ``chunk_id``. The smaller size is the head of the larger set.
300 unique queries (near a document, not equal to any chunk), each filtered on ``collection IN (3 names)``; the
filter is applied inside the engine before the top-k cut where the engine can (the ``filter`` note says how each
one does it; usearch cannot, so it over-fetches and filters after, growing the fetch until k hits remain).

Per engine and size, every engine in its own process:

- build: insert in batches of 64 (the product's filler), then the engine's own finishing step (optimize, index
  build, snapshot save), then a clean close; build s is both together.
- serve: a new process opens the store (persistence after clean close: the point count must match), then query
  p50/p95 (k=20, filtered, 300 queries after 10 warm-up ones) and recall@20 against exact numpy brute force on the
  same filter. Serve processes of all engines run side by side and take the queries in blocks of 30, round-robin,
  so a load spike from something else on the machine hits every engine alike. RSS MB is the serve process's peak
  RSS (``ru_maxrss``) after open and the 300 queries; memory-mapped files count when touched.
- concurrency: in the serve process, 4 reader threads query while 1 writer thread upserts 64 new points every
  50 ms and deletes 32 of its earlier points, for 20 s; halfway the writer runs the engine's maintenance step
  (Edge/LanceDB optimize, usearch/hnswlib snapshot, DuckDB CHECKPOINT). Errors are exceptions in any thread plus
  results that break the filter; reader p95 is over the queries made during the writes.
- kill -9: a process writes batches of 64 in a loop (usearch/hnswlib save an atomic snapshot every second, as an
  application would have to) and is SIGKILLed 1.5-4 s in; a new process reopens the store, counts the points
  against the acknowledged writes and runs 20 filtered queries. Repeated --kill-rounds times.

Licence and versions come from the installed package metadata; the latest release and its date from PyPI's JSON
API (one request per package, skipped with --offline). The load average is recorded around every phase, since
other benchmarks may share the machine.

Slow engines are capped and the table says so: an engine stops inserting after --insert-cap seconds (qdrant-local
after 300 s, --engine-cap; it commits to SQLite point by point) and recall is then against the head it holds; an
engine gets no more queries once its queries took --query-cap seconds. ``qdrant-edge-acorn`` (Edge searching with
ACORN and hnsw_ef=200) is available with --engines but not in the default list.

Usage: python benchmarks/vector_engines.py [--sizes 34000,318000] [--engines qdrant-edge,lancedb,...]
                                           [--json out.json] [--query-cap 60] [--kill-rounds 2] [--keep DIR]
"""


import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the vector_bench package beside this script

from vector_bench.children import CLASSES, child_main
from vector_bench.data import (
    BATCH,
    BLOCK,
    ENGINES,
    N_QUERIES,
    PACKAGES,
    ground_truth,
    load,
    make_data,
)
from vector_bench.harness import Child, kill_test, machine, package_info, recall, say


def kill_summary(k: dict | None) -> str:
    if not k or not k.get("rounds"):
        return "n/a"
    parts = []
    for r in k["rounds"]:
        if "writer" in r:
            return f"writer failed: {r['writer'].get('error', r['writer'])}"[:80]
        if "error" in r:
            parts.append(f"reopen FAILED ({r['error'][:60]})")
            continue
        acked, lost, extra = r["acked"] - r["before"], max(r["acked"] - r["count"], 0), r["count"] - r["acked"]
        parts.append(f"opens, {r['queries_ok']}/20 q ok, lost {lost}/{acked} acked"
                     + (f", +{extra} of the batch in flight" if 0 < extra < BATCH else "")
                     + (" (snapshot)" if r["durable_expected"] != r["acked"] and r["count"] >= r["durable_expected"]
                        else "") + (" BELOW LAST DURABLE STATE" if r["count"] < r["durable_expected"] else ""))
    return "; ".join(parts)


def fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def table(results: list[dict], info: dict[str, dict]) -> str:
    head = ["engine", "size", "build s", "p50 ms", "p95 ms", "recall@20", "RSS MB", "concurrent errors",
            "reader p95 under writes ms", "kill -9", "licence"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        lic = info.get(PACKAGES[r["engine"]], {}).get("licence", "?")
        if r.get("skipped"):
            lines.append(f"| {r['engine']} | {r['size']:,} | {r['skipped']} |" + " |" * (len(head) - 4) + f" {lic} |")
            continue
        c = r.get("concurrency") or {}
        if "error" in c:
            conc, rp95 = f"CRASHED: {c['error']}", "-"
        else:
            conc = "-" if not c else (f"{c['errors']} (reader exc {c['reader_exceptions']}, writer exc "
                                      f"{c['writer_exceptions']}, bad results {c['filter_violations']})"
                                      + (f", {c['hung_threads']} hung" if c.get("hung_threads") else "")
                                      + (f"; {c['short_results']} short" if c.get("short_results") else ""))
            rp95 = fmt(c.get("reader_p95_ms")) + (f" ({c['reader_queries']:,} q)" if c else "")
        q = r.get("queries_measured", 0)
        capped = f" ({q} q, capped)" if q and q < N_QUERIES else ""
        lines.append(" | ".join([
            f"| {r['engine']}", f"{r['size']:,}" + (f" (capped: {r['inserted']:,} in {r['insert_s']:.0f} s)"
                                                     if r.get("inserted", r["size"]) < r["size"] else ""),
            fmt(r.get("build_s")), fmt(r.get("p50_ms")) + capped,
            fmt(r.get("p95_ms")), fmt(r.get("recall"), 3), fmt(r.get("rss_mb"), 0), conc, rp95,
            kill_summary(r.get("kill")), lic]) + " |")
    return "\n".join(lines)


def run_size(work: Path, size: int, engines: list[str], args: argparse.Namespace, rng: random.Random) -> list[dict]:
    say(f"size {size:,}: exact ground truth")
    truths = {size: ground_truth(work, size)}
    results = {e: {"engine": e, "size": size, "filtering": CLASSES[e].filtering, "load": {}} for e in engines}
    for e in engines:
        say(f"{e} {size:,}: build")
        results[e]["load"]["build_start"] = load()
        caps = dict(c.split("=", 1) for c in args.engine_cap)
        b = Child(work, "build", e, size, insert_cap=float(caps.get(e, args.insert_cap)))
        res = b.recv(timeout=args.build_cap)
        b.wait()
        results[e]["load"]["build_end"] = load()
        if "not_installable" in res:
            results[e]["skipped"] = "not installable offline"
            results[e]["detail"] = res["not_installable"]
        elif "error" in res:
            results[e]["skipped"] = f"build failed: {res['error']}"[:100]
        else:
            results[e].update(res)
        say(f"{e} {size:,}: {res}")
    live = [e for e in engines if not results[e].get("skipped")]
    serve = {}
    for e in live:
        serve[e] = Child(work, "serve", e, size, seconds=args.seconds)
        res = serve[e].recv(timeout=900)
        say(f"{e} {size:,}: opened {res}")
        if "error" in res:
            results[e]["skipped"] = f"reopen failed: {res['error']}"[:100]
            serve.pop(e).wait()
            continue
        results[e].update(res)
        results[e]["persisted_ok"] = res["count"] == results[e]["inserted"]
        if results[e]["inserted"] not in truths:  # a capped build: recall against the head it holds
            truths[results[e]["inserted"]] = ground_truth(work, results[e]["inserted"])
    # Queries in rounds: each round gives every engine its next block, in a rotating order; an engine whose queries
    # took --query-cap seconds gets no more (a slow one gets a shorter last block so it stops near the cap).
    lat: dict[str, list[float]] = {e: [] for e in serve}
    rec: dict[str, list[float]] = {e: [] for e in serve}
    done = {e: 0 for e in serve}
    spent = {e: 0.0 for e in serve}
    loads, rnd = [], 0
    while True:
        todo = [e for e in serve if done[e] < N_QUERIES and spent[e] < args.query_cap
                and "query_error" not in results[e]]
        if not todo:
            break
        loads.append(load())
        for e in todo[rnd % len(todo):] + todo[: rnd % len(todo)]:
            n = BLOCK
            if lat[e]:
                n = max(1, min(BLOCK, int((args.query_cap - spent[e]) / np.mean(lat[e])) + 1))
            stop = min(N_QUERIES, done[e] + n)
            serve[e].send({"cmd": "queries", "start": done[e], "stop": stop})
            res = serve[e].recv(timeout=max(600, args.query_cap * 4))
            if "error" in res:
                results[e]["query_error"] = res["error"]
                continue
            truth = truths[results[e]["inserted"]]
            for i, (sec, ids) in enumerate(res["results"]):
                lat[e].append(sec)
                rec[e].append(recall(ids, truth[done[e] + i]))
                spent[e] += sec
            done[e] = stop
        rnd += 1
        say(f"{size:,}: query round {rnd}: " + ", ".join(f"{e} {done[e]}" for e in serve))
    for e in serve:
        if lat[e]:
            results[e].update(p50_ms=float(np.percentile(lat[e], 50) * 1000),
                              p95_ms=float(np.percentile(lat[e], 95) * 1000), recall=float(np.mean(rec[e])),
                              queries_measured=len(lat[e]))
        results[e]["load"]["queries"] = loads
    for e, child in serve.items():
        if "query_error" in results[e]:
            continue
        child.send({"cmd": "rss"})
        results[e]["rss_mb"] = child.recv(timeout=60).get("rss_mb")
        say(f"{e} {size:,}: concurrency {args.seconds:.0f} s")
        results[e]["load"]["concurrency"] = load()
        child.send({"cmd": "concurrency"})
        results[e]["concurrency"] = child.recv(timeout=args.seconds + 1200)
        say(f"{e} {size:,}: {results[e]['concurrency']}")
    for e, child in serve.items():
        child.send({"cmd": "close"})
        results[e]["closed"] = child.recv(timeout=300)
        child.wait()
    for e in live:
        if results[e].get("skipped"):
            continue
        say(f"{e} {size:,}: kill -9 x{args.kill_rounds}")
        results[e]["load"]["kill"] = load()
        results[e]["kill"] = kill_test(work, e, size, args.kill_rounds, rng)
        say(f"{e} {size:,}: {kill_summary(results[e]['kill'])}")
    return [results[e] for e in engines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="34000,318000")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--seconds", type=float, default=20, help="length of the concurrency test")
    parser.add_argument("--query-cap", type=float, default=60,
                        help="stop giving an engine query blocks once its queries took this many seconds")
    parser.add_argument("--insert-cap", type=float, default=900,
                        help="stop inserting after this many seconds (the store then holds a head of the data, and "
                             "recall is against that head)")
    parser.add_argument("--engine-cap", action="append", default=["qdrant-local=300"], metavar="ENGINE=SECONDS",
                        help="a lower insert cap for one engine (default qdrant-local=300: it commits to SQLite "
                             "point by point, a few hundred points a second)")
    parser.add_argument("--build-cap", type=float, default=1800, help="seconds before a build is given up")
    parser.add_argument("--kill-rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--offline", action="store_true", help="no PyPI look-up of the latest releases")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one, removed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(CLASSES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))} (known: {', '.join(CLASSES)})")
    work = args.keep or Path(tempfile.mkdtemp(prefix="vector-engines-"))
    (work / "logs").mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "stores", ignore_errors=True)
    started = time.time()
    env = machine()
    say(f"machine {env}")
    info = package_info(args.offline)
    say(f"make data: {max(sizes):,} points")
    make_data(max(sizes), work, args.seed)
    rng = random.Random(args.seed)
    results = []
    for size in sizes:
        results += run_size(work, size, engines, args, rng)
    env["uptime_end"] = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    env["total_min"] = round((time.time() - started) / 60, 1)
    print(table(results, info))
    print()
    print(f"Machine: {env['nproc']} cores, {env['cpu']}, {env['mem_gib']} GiB, Python {env['python']}, "
          f"{env['date']}; {env['total_min']} min. Load at start: {env['uptime']}; at end: {env['uptime_end']}")
    for e in engines:
        p = PACKAGES[e]
        i = info.get(p, {})
        print(f"- {e}: {p} {i.get('installed')} (latest {i.get('latest', '?')}, released {i.get('released', '?')}); "
              f"filter: {CLASSES[e].filtering}")
    for r in results:
        extra = {k: r.get(k) for k in ("insert_s", "finish_s", "open_s", "persisted_ok", "build_rss_mb", "disk_mb",
                                       "first_query_ms") if r.get(k) is not None}
        if extra or r.get("detail"):
            print(f"- {r['engine']} {r['size']:,}: " + ", ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in extra.items())
                + (f" {r['detail']}" if r.get("detail") else ""))
    if args.json:
        args.json.write_text(json.dumps({"machine": env, "packages": info, "results": results}, indent=1,
                                        default=str))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
