"""Several app servers on one shared state store: answers per second and p95 with 1 server vs 2 servers on the same
machine, and how many state-store queries one answer costs.

Each "server" is a separate process built exactly as the app builds its services (`build_services`, the
settings from SEOULAI_* variables), sharing one data folder, one index folder (the demo manuals) and one state
store: a throwaway PostgreSQL cluster from Debian's binaries, or (reference) the embedded SQLite file. In each
server, S sessions (threads) repeat what one run of 매뉴얼 검색 does for a question: look up the sign-in
session, list the person's conversations, stream a grounded answer (retrieval, the model-call quota, the usage
event) and save the turn to the conversation. The model is the protocol-faithful fake Ollama answering
instantly, so the servers' own work (Kiwi analysis, BM25, state store) is what is measured. Same total
number of sessions in every configuration; loopback only; bounded by --seconds per configuration.

Usage: python benchmarks/multi_server.py [--sessions 8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ["민원의 처리기간은 어떻게 계산하나요?", "처분의 사전 통지는 언제 하나요?", "행정심판은 언제까지 청구하나요?",
             "개인정보를 제3자에게 제공할 수 있는 경우는?", "정보공개 청구는 어떻게 하나요?", "민원 이송은 어떻게 하나요?"]

SERVER = r"""
import json, sys, threading, time
from seoulai.services import build_services
sessions, seconds, out, account = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
questions = json.loads(sys.argv[5])
services = build_services()
signed = services.accounts.sign_in(account, "bench-pass-2026")
cookie = signed.cookie
for event in services.manuals.ask(signed.person, questions[0]):  # warm: Kiwi loaded, the index opened
    pass
start_queries = services.state.db.queries
latencies, errors, lock = [], [], threading.Lock()
print("ready", flush=True)
begin = float(sys.stdin.readline())
stop = begin + seconds
def session(n):
    i = n
    while time.time() < stop:
        t0 = time.perf_counter()
        try:
            person = services.accounts.session_person(cookie)
            services.conversations.list(person, limit=15)
            answer = None
            for event in services.manuals.ask(person, questions[i % len(questions)]):
                if event.kind == "done":
                    answer = event.answer
            services.conversations.add(person, "manual", None, answer)
            with lock:
                latencies.append(time.perf_counter() - t0)
        except Exception as error:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(repr(error))
        i += 1
while time.time() < begin:
    time.sleep(0.01)
threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
for t in threads: t.start()
for t in threads: t.join()
queries = services.state.db.queries - start_queries
services.close()
json.dump({"latencies": latencies, "errors": errors[:5], "error_count": len(errors), "queries": queries},
          open(out, "w"))
"""


def run(config: str, servers: int, sessions: int, seconds: float, env: dict[str, str], work: Path) -> dict:
    procs, outs = [], []
    for n in range(servers):
        out = work / f"{config}-{n}.json"
        server_env = dict(env, SEOULAI_STATE__SERVER_ID=f"bench-{n}", SEOULAI_USAGE__REPLICA_ID=f"bench-{n}")
        procs.append(subprocess.Popen([sys.executable, "-c", SERVER, str(sessions // servers), str(seconds), str(out),
                                       f"bench{n}", json.dumps(QUESTIONS, ensure_ascii=False)], cwd=ROOT,
                                      env=server_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        outs.append(out)
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    begin = time.time() + 1
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(f"{begin}\n")
        proc.stdin.close()
    for proc in procs:
        proc.wait(timeout=seconds + 300)
        proc.stdout.close()  # type: ignore[union-attr]  # started with stdout=PIPE: never None
    results = [json.loads(out.read_text()) for out in outs]
    latencies = sorted(x for r in results for x in r["latencies"])
    answers = len(latencies)
    return {"config": config, "servers": servers, "sessions": sessions, "answers": answers,
            "errors": sum(r["error_count"] for r in results), "per_s": answers / seconds,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (answers - 1))],
            "queries_per_answer": sum(r["queries"] for r in results) / max(answers, 1),
            "error_samples": [e for r in results for e in r["errors"]][:3]}


def main() -> None:
    from tests.fakes.ollama_server import FakeOllama, Reply
    from tests.servers import clean_env, cli, postgres_cluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    fake = FakeOllama()
    fake.default_reply = Reply(content="민원의 처리기간은 일 단위로 계산합니다 [1].")
    fake.start()
    rows = []
    with tempfile.TemporaryDirectory(prefix="seoulai-multi-") as tmp, postgres_cluster() as pg_url:
        work = Path(tmp)
        for state_url, configs in ((pg_url, [("PostgreSQL, 1 server", 1), ("PostgreSQL, 2 servers", 2)]),
                                   ("", [("SQLite (embedded), 1 server", 1)])):
            name = "pg" if state_url else "sqlite"
            env = clean_env(SEOULAI_DATA_DIR=str(work / name / "data"), SEOULAI_INDEX_DIR=str(work / "idx"),
                            SEOULAI_OLLAMA_URL=fake.url, SEOULAI_EMBED__BACKEND="none", SEOULAI_AUTH__MODE="local",
                            SEOULAI_USAGE__MODE="parquet", SEOULAI_LIMITS__PER_MINUTE="100000",
                            SEOULAI_LIMITS__PER_DAY="1000000", SEOULAI_STATE__URL=state_url)
            if not (work / "idx").exists():
                assert cli(env, "demo-library").returncode == 0
            for n in range(2):
                made = cli(env, "users", "add", f"bench{n}", "--name", f"bench{n}", "--department",
                           "서울특별시/행정국/총무과", "--password-stdin", stdin="bench-pass-2026\n")
                assert made.returncode == 0, made.stderr
            for config, servers in configs:
                rows.append(run(config, servers, args.sessions, args.seconds, env, work))
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    fake.stop()
    one = next(r for r in rows if r["config"] == "PostgreSQL, 1 server")
    print(f"\n{time.strftime('%Y-%m-%d')} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
          f"{args.sessions} sessions in total · {args.seconds:.0f} s per configuration\n")
    print("| configuration | answers | errors | answers/s | vs 1 server | p50 | p95 | state queries / answer |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['config']} | {r['answers']} | {r['errors']} | {r['per_s']:.2f} | {r['per_s'] / one['per_s']:.2f}× "
              f"| {r['p50'] * 1000:.0f} ms | {r['p95'] * 1000:.0f} ms | {r['queries_per_answer']:.1f} |")


if __name__ == "__main__":
    main()
