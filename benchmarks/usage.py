"""Usage analytics at pilot-wide scale: 10 million events.

1. Every query behind the 이용 현황 page together (KPIs, usage over time, adoption, feature mix, latency
   histogram, topics, comments, date range), median of 5 runs. Target: under 1 s.
2. The writer: events per second through UsageLog.record() (the queue and the writer thread) until flushed.
   Target: at least 5,000 events/s.

Usage: python benchmarks/usage.py [--events 10000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.auth.orgchart import OrgChart  # noqa: E402 - after the sys.path set-up
from seoulai.usage.demo import generate  # noqa: E402 - after the sys.path set-up
from seoulai.usage.log import UsageEvent as Event, UsageLog  # noqa: E402 - after the sys.path set-up
from seoulai.usage.queries import Filters  # noqa: E402 - after the sys.path set-up


def page_queries(log: UsageLog, org: OrgChart) -> float:
    started = time.perf_counter()
    analytics = log.analytics()
    first, last = analytics.date_range()
    filters = Filters(max(first, last - timedelta(days=29)), last, "서울특별시")
    headcounts = {u.path: u.headcount for u in org.units}
    analytics.kpis(filters)
    analytics.over_time(filters, 1)
    analytics.adoption(filters, 1, headcounts)
    analytics.feature_mix(filters)
    analytics.latency_histogram(filters)
    analytics.topics(filters)
    analytics.comments(filters)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--writer-events", type=int, default=200_000)
    args = parser.parse_args()
    org = OrgChart.load()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        log = UsageLog(Path(tmp) / "usage.duckdb", spool_dir=Path(tmp) / "spool")
        started = time.perf_counter()
        step = 1_000_000
        for offset in range(0, args.events, step):
            log.append_table(generate(min(step, args.events - offset), org, days=365, seed=offset))
        load = time.perf_counter() - started
        rows = log.query("SELECT count(*) FROM events")[0][0]
        print(f"loaded {rows:,} events in {load:.1f} s (bulk demo data, not the writer)")
        page_queries(log, org)  # warm: the first query reads the file from disk
        runs = [page_queries(log, org) for _ in range(5)]
        print(f"| all page queries, {rows:,} events | median of 5: {statistics.median(runs) * 1000:.0f} ms | "
              f"runs: {', '.join(f'{r * 1000:.0f}' for r in runs)} ms | target < 1000 ms |")
        log.close()

        writer = UsageLog(Path(tmp) / "writer.duckdb", spool_dir=Path(tmp) / "writer-spool")
        started = time.perf_counter()
        for i in range(args.writer_events):
            writer.record(Event("manual_search", "ask", user_id=f"u{i % 500}", department="서울특별시/행정국/총무과",
                                latency_ms=1000.0, query="민원 처리기간"))
        recorded = time.perf_counter() - started
        writer.flush()
        seconds = time.perf_counter() - started
        print(f"| record() into the spool: {args.writer_events:,} events | {args.writer_events / recorded:,.0f} "
              f"events/s |")
        print(f"| writer: {writer.written:,} events through record() + fold into DuckDB | {writer.written / seconds:,.0f} "
              f"events/s | target >= 5,000 events/s |")
        writer.close()


if __name__ == "__main__":
    main()
