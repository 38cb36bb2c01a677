"""Do questions wait behind indexing? Search p95 and an answer's first token, quiet vs while vectors fill and
uploads arrive, in one run, in process, with the product's own SearchIndex, VectorFiller, embedder and answer
engine (the chat model is the protocol-faithful fake Ollama server answering at once, so the first-token time is
the product's own work: question analysis, query embedding, keyword and vector search, prompt; a question with no
evidence counts at its notice).

Setup: the Seoul rules of demo/manuals are indexed and their vectors filled; then the national laws of
demo/manuals are indexed by keyword only into a second collection, so the filler has thousands of passages left to
embed. Every search covers both collections.
Phases, each with its own unique questions (no query cache can help), the same mix of Seoul dev, KoBLEX and
fire-safety dev questions in each:
  quiet   filler stopped, no uploads
  busy    filler embedding the laws, and a 33-page PDF re-uploaded (a changed copy, so it is re-read,
          re-indexed and re-embedded) every 3 s into a person's collection
Reported: search p95 busy / quiet (target <= 2), first token busy / after the fill (target <= 1.5).

Usage: SEOULAI_SHARED=../shared python benchmarks/search_under_indexing.py [--questions 60] [--threads 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.answer.engine import AnswerEngine  # noqa: E402 - after the sys.path set-up
from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.llm import ChatModel, build_embedder, build_llm  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.backfill import VectorFiller  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up
from tests.fakes.ollama_server import FakeOllama  # noqa: E402 - after the sys.path set-up


COLLECTIONS = ["공통", "법령"]  # the Seoul rules (vectors complete) and the national laws (being filled)


def questions(shared: Path) -> list[str]:
    """Unique questions of the three sets, taken in turn (one of each kind, again and again): every phase gets the
    same mix of short Seoul questions and long scenarios (phases cut in file order compared Seoul questions alone,
    quiet, with KoBLEX and fire-safety scenarios, busy)."""
    sets: list[list[str]] = []
    for name in ("seoul_dev.jsonl", "koblex_dev.jsonl", "firesafety_dev.jsonl"):
        sets.append([json.loads(line)["question"][:400]
                     for line in (shared / "eval" / name).read_text(encoding="utf-8").splitlines() if line.strip()])
    found = [q for turn in itertools.zip_longest(*sets) for q in turn if q]
    seen: set[str] = set()
    return [q for q in found if not (q in seen or seen.add(q))]  # type: ignore[func-returns-value]  # add()'s None


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def timed_searches(index: SearchIndex, asked: list[str], threads: int) -> list[float]:
    """Each question searched once, by ``threads`` people at a time; milliseconds per search."""
    times: list[float] = []
    lock = threading.Lock()
    todo = list(asked)

    def person() -> None:
        while True:
            with lock:
                if not todo:
                    return
                question = todo.pop()
            started = time.perf_counter()
            index.search(question, COLLECTIONS, 5, floor=False)
            with lock:
                times.append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=person) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times


def first_tokens(engine: AnswerEngine, asked: list[str]) -> list[float]:
    times = []
    for question in asked:
        started = time.perf_counter()
        for event in engine.ask(question, COLLECTIONS):
            if event.kind in ("delta", "done"):  # the first word, or the no-evidence notice (no model call)
                times.append((time.perf_counter() - started) * 1000)
                break
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60, help="unique questions per phase")
    parser.add_argument("--threads", type=int, default=2, help="people searching at once")
    parser.add_argument("--keep", type=Path, help="index folder to keep (default: a temporary one)")
    args = parser.parse_args()
    shared = Path(os.environ.get("SEOULAI_SHARED", ROOT.parent / "shared"))
    pdf = shared / "samples" / "pdf" / "경희규정0.pdf"
    pool = questions(shared)
    n = args.questions
    if len(pool) < 5 * n:
        raise SystemExit(f"need {5 * n} unique questions, have {len(pool)}: lower --questions")
    quiet_q, busy_q, after_q, ft_busy_q, ft_after_q = (pool[i * n:(i + 1) * n] for i in range(5))
    work = args.keep or Path(tempfile.mkdtemp(prefix="seoulai-load-"))
    with FakeOllama() as fake:
        settings = Settings(index_dir=work / "idx", data_dir=work / "data", ollama_url=fake.url,
                            llm={"backend": "ollama", "model": "seoulai"})
        index = SearchIndex(settings, build_embedder(settings))
        assert index.dense is not None, "this benchmark needs the embedder (SEOULAI_EMBED__BACKEND)"
        engine = AnswerEngine(index, ChatModel(lambda: build_llm(settings), name="seoulai"))
        started = time.perf_counter()
        index.ingest([ROOT / "demo" / "manuals" / "서울특별시"], "공통", vectors=False)
        filler = VectorFiller(index, interval=0.5)
        seoul = filler.fill_once()
        print(f"Seoul rules: {seoul} passages embedded in {time.perf_counter() - started:.0f} s", flush=True)
        laws = [p for p in (ROOT / "demo" / "manuals").iterdir() if p.name != "서울특별시"]
        report = index.ingest(laws, "법령", vectors=False)
        left = report.vectors_pending
        print(f"laws indexed by keyword; {left} passages left for the filler", flush=True)

        timed_searches(index, pool[-10:], 1)  # warm-up: Kiwi, the views, the embedder sessions
        quiet = timed_searches(index, quiet_q, args.threads)

        stop = threading.Event()
        uploads = [0]

        def uploader() -> None:
            folder = work / "upload"
            folder.mkdir(exist_ok=True)
            round_ = 0
            while not stop.is_set():
                copy = folder / "경희규정0.pdf"
                shutil.copyfile(pdf, copy)
                with copy.open("ab") as out:  # a changed file: read, indexed and embedded again
                    out.write(f"\n% round {round_}\n".encode())
                index.ingest([copy], "user:bench", sources={copy: copy.name})
                uploads[0] += 1
                round_ += 1
                stop.wait(3)

        filler.start()  # defers every ingest's vectors to it, like the app server
        upload_thread = threading.Thread(target=uploader, daemon=True)
        upload_thread.start()
        time.sleep(3)
        busy = timed_searches(index, busy_q, args.threads)
        ft_busy = first_tokens(engine, ft_busy_q)
        filling = filler.status.busy
        stop.set()
        upload_thread.join()
        print(f"busy phase: {uploads[0]} uploads, filler {filler.status.done}/{filler.status.total} "
              f"(still filling at the end: {filling})", flush=True)
        while filler.status.busy or filler.status.total == 0:
            time.sleep(2)
        filler.stop()
        after = timed_searches(index, after_q, args.threads)
        ft_after = first_tokens(engine, ft_after_q)
        index.dense.close()

    rows = [("search, quiet", quiet), ("search, filler + uploads", busy), ("search, after the fill", after),
            ("first token, filler + uploads", ft_busy), ("first token, after the fill", ft_after)]
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}, {args.threads} people searching at once, {n} unique questions per row\n")
    print("| phase | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, values in rows:
        print(f"| {name} | {statistics.median(values):.0f} | {p95(values):.0f} |")
    print(f"\nsearch p95 busy / quiet = {p95(busy) / p95(quiet):.2f} (target <= 2)")
    print(f"first token p50 busy / after = {statistics.median(ft_busy) / statistics.median(ft_after):.2f}, "
          f"p95 {p95(ft_busy) / p95(ft_after):.2f} (target <= 1.5)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
