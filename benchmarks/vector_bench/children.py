"""What runs inside the child processes (one per engine and phase): build, serve (queries, RSS, the concurrency
test), the kill -9 writer and the recovery check."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

from .data import BATCH, KILL_BASE, N_QUERIES, N_WARMUP, WRITER_BASE, Data, K, rss_mb
from .engines import (
    Engine,
    Hnswlib,
    Lance,
    NotInstallable,
    QdrantEdge,
    QdrantEdgeAcorn,
    QdrantLocal,
    USearch,
    _Snapshot,
)
from .sql_engines import DuckScan, DuckVss, SqliteVec

CLASSES: dict[str, type[Engine]] = {c.name: c for c in [QdrantLocal, QdrantEdge, QdrantEdgeAcorn, Lance, USearch,
                                                       Hnswlib, SqliteVec, DuckVss, DuckScan]}


# ---------------------------------------------------------------------------------------------------------------
# Child processes: one per engine and phase. Replies go to the original stdout as JSON lines; anything the libraries
# print goes to stderr (a log file).


def reply(proto, obj: dict) -> None:
    proto.write(json.dumps(obj) + "\n")
    proto.flush()


def child_build(eng: Engine, data: Data, proto, cap: float) -> None:
    started = time.perf_counter()
    eng.create()
    n = 0
    for start in range(0, data.n, BATCH):
        if time.perf_counter() - started > cap:
            break
        n = min(start + BATCH, data.n)
        eng.add(*data.batch(start, n))
    inserted = time.perf_counter()
    eng.finish()
    finished = time.perf_counter()
    eng.close()
    reply(proto, {"inserted": n, "insert_s": inserted - started, "finish_s": finished - inserted,
                  "build_s": finished - started, "build_rss_mb": rss_mb(),
                  "disk_mb": sum(f.stat().st_blocks * 512 for f in eng.path.rglob("*") if f.is_file()) / 2**20})


def valid(data: Data, ids: list[int], codes: list[int]) -> bool:
    return bool(ids) and all(data.code(int(i)) in codes for i in ids)


def concurrency(eng: Engine, data: Data, seconds: float, readers: int = 4) -> dict:
    stop = threading.Event()
    lat: list[float] = []
    errors: list[str] = []
    bad, short = [0], [0]
    stats = {"writes": 0, "deletes": 0, "maintain_s": None}

    def reader(r: int) -> None:
        j = r
        while not stop.is_set():
            q, cols, codes = data.query(j % N_QUERIES)
            j += readers
            t = time.perf_counter()
            try:
                ids = eng.search(q, cols, K)
            except Exception as exc:  # noqa: BLE001 - counting every failure is the point
                errors.append(f"reader: {exc!r}"[:200])
                continue
            lat.append(time.perf_counter() - t)
            if any(data.code(int(i)) not in codes for i in ids):
                bad[0] += 1
            elif len(ids) < K:
                short[0] += 1

    def writer() -> None:
        nxt, live, t0 = WRITER_BASE, [], time.perf_counter()
        while not stop.is_set():
            tick = time.perf_counter()
            batch = data.new_batch(nxt)
            nxt += BATCH
            try:
                eng.add(*batch)
                live.append(batch[0])
                stats["writes"] += 1
            except Exception as exc:  # noqa: BLE001 - every engine error is counted in the report, none ends the run
                errors.append(f"writer add: {exc!r}"[:200])
            if len(live) > 2:
                try:
                    eng.delete(live.pop(0)[:32])
                    stats["deletes"] += 1
                except Exception as exc:  # noqa: BLE001 - counted, run goes on
                    errors.append(f"writer delete: {exc!r}"[:200])
            if stats["maintain_s"] is None and time.perf_counter() - t0 > seconds / 2:
                m = time.perf_counter()
                try:
                    eng.maintain()
                except Exception as exc:  # noqa: BLE001 - counted, run goes on
                    errors.append(f"writer maintain: {exc!r}"[:200])
                stats["maintain_s"] = round(time.perf_counter() - m, 2)
            time.sleep(max(0.0, 0.05 - (time.perf_counter() - tick)))

    threads = [threading.Thread(target=reader, args=(r,), daemon=True) for r in range(readers)]
    threads.append(threading.Thread(target=writer, daemon=True))
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    hung = 0
    for t in threads:
        t.join(timeout=600)
        hung += t.is_alive()
    samples = {}
    for e in errors:
        samples.setdefault(e.split(":")[0], set()).add(e)
    return {"errors": len(errors) + bad[0], "exceptions": len(errors), "filter_violations": bad[0],
            "reader_exceptions": sum(e.startswith("reader") for e in errors),
            "writer_exceptions": sum(e.startswith("writer") for e in errors),
            "short_results": short[0], "reader_queries": len(lat), "hung_threads": hung,
            "reader_p50_ms": float(np.percentile(lat, 50) * 1000) if lat else None,
            "reader_p95_ms": float(np.percentile(lat, 95) * 1000) if lat else None,
            "elapsed_s": time.perf_counter() - started,
            "error_samples": {kind: sorted(v)[:3] for kind, v in samples.items()}, **stats}


def child_serve(eng: Engine, data: Data, proto, seconds: float) -> None:
    t = time.perf_counter()
    eng.open()
    open_s = time.perf_counter() - t
    count = eng.count()
    warm = []
    for i in range(N_QUERIES, N_QUERIES + N_WARMUP):
        q, cols, _ = data.query(i)
        t = time.perf_counter()
        eng.search(q, cols, K)
        warm.append(time.perf_counter() - t)
    reply(proto, {"open_s": open_s, "count": count, "first_query_ms": warm[0] * 1000})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "queries":
            out = []
            for i in range(cmd["start"], cmd["stop"]):
                q, cols, _ = data.query(i)
                t = time.perf_counter()
                ids = eng.search(q, cols, K)
                out.append([time.perf_counter() - t, [int(x) for x in ids]])
            reply(proto, {"results": out})
        elif cmd["cmd"] == "rss":
            reply(proto, {"rss_mb": rss_mb()})
        elif cmd["cmd"] == "concurrency":
            reply(proto, concurrency(eng, data, seconds))
        elif cmd["cmd"] == "close":
            eng.close()
            reply(proto, {"closed": True, "rss_after_concurrency_mb": rss_mb()})
            return


def child_killwriter(eng: Engine, data: Data, proto, round_: int) -> None:
    eng.open()
    count = eng.count()
    reply(proto, {"ready": True, "count": count})
    nxt, last = KILL_BASE + round_ * 10_000_000, time.perf_counter()
    while True:
        eng.add(*data.new_batch(nxt))
        nxt += BATCH
        count += BATCH
        if isinstance(eng, _Snapshot) and time.perf_counter() - last > 1:
            eng.checkpoint()
            last = time.perf_counter()
            reply(proto, {"acked": count, "durable": count})
        else:
            reply(proto, {"acked": count, "durable": None if isinstance(eng, _Snapshot) else count})
        time.sleep(0.02)


def child_recover(eng: Engine, data: Data, proto) -> None:
    t = time.perf_counter()
    eng.open()
    open_s = time.perf_counter() - t
    count = eng.count()
    ok = 0
    for i in range(20):
        q, cols, codes = data.query(i)
        ok += valid(data, eng.search(q, cols, K), codes)
    eng.close()
    reply(proto, {"open_s": open_s, "count": count, "queries_ok": ok})


def child_main(args: argparse.Namespace) -> None:
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    data = Data(Path(args.work), args.size)
    os.environ["BENCH_SIZE"] = str(args.size)
    eng = CLASSES[args.engine](Path(args.work) / "stores" / f"{args.engine}-{args.size}")
    try:
        if args.child == "build":
            child_build(eng, data, proto, args.insert_cap)
        elif args.child == "serve":
            child_serve(eng, data, proto, args.seconds)
        elif args.child == "killwriter":
            child_killwriter(eng, data, proto, args.round)
        elif args.child == "recover":
            child_recover(eng, data, proto)
    except NotInstallable as exc:
        reply(proto, {"not_installable": str(exc)})
    except Exception as exc:  # noqa: BLE001 - the parent reports it
        import traceback

        traceback.print_exc()
        reply(proto, {"error": f"{exc!r}"[:300]})
