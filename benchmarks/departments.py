"""담당 부서 찾기 on the Seoul rules: does the finder's top unit equal the unit the gold answer names?

All 71 rules of corpus/seoul are indexed (keyword only) twice: once as the product chunks them (each unit's
사무분장 its own chunk) and once without that split (whole articles, split by paragraph when long: the plain
baseline). For the department rows of eval/seoul_dev.jsonl it prints

- per question: the gold unit ("행정국 총무과", read from the row's answer) and the finder's top three;
- the share of questions whose top unit is the gold one (target >= 85 %), at every MIN_COVERAGE tried (with how
  many off-topic department questions still get a unit) and every SEARCH_WEIGHT x PRECISION_WEIGHT; SEARCH_WEIGHT 1
  is the plain baseline (BM25 over the unit chunks alone);
- Recall@5 of plain article search (its ranking: no relevance floor) before and after the split, scored like
  shared/eval/score_hits.py (strict: the hit's first article reference in its section must be the gold article).

Usage: python benchmarks/departments.py [--shared ../shared] [--weights 0,0.25,0.5,0.75,1] [--precision 0,0.3,0.6]
[--coverage 0,0.2,0.3,0.4,0.5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.ingest import chunking  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.sources import expand_paths  # noqa: E402 - after the sys.path set-up
from seoulai.services import Services, build_services  # noqa: E402 - after the sys.path set-up
from seoulai.services.departments import DepartmentMatch  # noqa: E402 - after the sys.path set-up

# Department questions no unit of the city handles (written for this benchmark, not from the dev set): the finder
# should return nothing rather than a unit that shares one word.
OFF_TOPIC = ["양자역학 슈뢰딩거 방정식은 어느 과예요?", "화성 탐사 로버 운영은 어디 소관이에요?",
             "남극 세종기지 보급은 어느 부서에서 해요?", "심해 잠수정 정비는 어느 과 담당이에요?",
             "고대 이집트 상형문자 해독은 어느 과가 맡아요?", "아이돌 오디션 심사는 어느 부서가 해요?",
             "우주정거장 도킹 절차는 어디서 담당해요?", "비트코인 채굴기 수입 통관은 어느 과 업무예요?"]

_REF = re.compile(r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
_PARTICLE = re.compile(r"(?:이|가|은|는|을|를|에서)$")


def gold_unit(answer: str) -> tuple[str, str]:
    """ "행정국 총무과가 서울광장 …" -> ("행정국", "총무과")."""
    parent, unit = answer.split()[:2]
    return parent, _PARTICLE.sub("", unit)


def first_ref(text: str) -> tuple[int, int | None] | None:
    match = _REF.search(text or "")
    return (int(match.group(1)), int(match.group(2)) if match.group(2) else None) if match else None


def article_hit(hit: dict[str, Any], gold: dict[str, str]) -> bool:
    """score_hits.py's strict rule: same file, and the section's first article reference is the gold one."""
    source = hit["source"].replace("\\", "/")
    if not (source == gold["file"] or source.endswith("/" + gold["file"])):
        return False
    ref = first_ref(hit["section"]) or first_ref(hit["text"][:120])
    return ref == first_ref(gold["article"])


def build(root: Path, corpus: Path, split: bool) -> Services:
    settings = Settings(index_dir=root / "idx", data_dir=root / "data", embed={"backend": "none"},
                        llm={"backend": "none"}, usage={"enabled": False})
    files = {path: source for path, source in expand_paths([corpus]).items() if path.name != "README.md"}
    # Without the split: the chunker as it was, whole articles (long ones by paragraph).
    patch = mock.patch.object(chunking, "split_duties", lambda title, body: (body, [])) if not split else None
    if patch:
        patch.start()
    try:
        SearchIndex(settings).ingest(list(files), "공통", sources=files)
    finally:
        if patch:
            patch.stop()
    return build_services(settings)


def recall_at_5(services: Services, rows: list[dict[str, Any]]) -> float:
    found = 0.0
    for row in rows:
        hits = [h.to_json() for h in services.index.search(row["question"], ["공통"], 5, floor=False)]
        found += sum(any(article_hit(h, g) for h in hits) for g in row["gold"]) / len(row["gold"])
    return found / len(rows)


def top_share(services: Services, rows: list[dict[str, Any]], weight: float, precision: float,
              show: bool = False) -> tuple[int, list[str]]:
    services.departments.search_weight = weight
    services.departments.precision_weight = precision
    right, misses = 0, []
    for row in rows:
        parent, unit = gold_unit(row["answer"])
        found: list[DepartmentMatch] = services.departments.find_shared(row["question"], 5)
        ok = bool(found) and (found[0].name, found[0].parent) == (unit, parent)
        right += ok
        if not ok:
            misses.append(row["id"])
        if show:
            rank = next((i for i, m in enumerate(found, 1) if (m.name, m.parent) == (unit, parent)), None)
            print(f"{'O' if ok else 'X'} {row['id']} {row['question']}\n    정답 {parent} {unit}"
                  f" (순위 {rank or '-'}) | 찾음: " + "; ".join(f"{m.parent} {m.name} [{m.score:.2f}] {m.duty}"
                                                          for m in found[:3]))
    return right, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--weights", default="0,0.25,0.5,0.75,1", help="SEARCH_WEIGHT values to compare")
    parser.add_argument("--precision", default="0,0.3,0.6", help="PRECISION_WEIGHT values to compare")
    parser.add_argument("--coverage", default="0,0.2,0.3,0.4,0.5", help="MIN_COVERAGE values to compare")
    args = parser.parse_args()
    shared = Path(args.shared)
    corpus = shared / "corpus" / "seoul"
    rows = [json.loads(line) for line in (shared / "eval" / "seoul_dev.jsonl").open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r["kind"] == "department"]
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; {len(expand_paths([corpus])) - 1} rules, "
          f"{len(rows)} department questions")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        before = build(Path(tmp) / "before", corpus, split=False)
        after = build(Path(tmp) / "after", corpus, split=True)
        print(f"indexed twice in {time.perf_counter() - started:.0f} s")
        try:
            print(f"Recall@5, article search: before the split {recall_at_5(before, rows):.3f}, "
                  f"after {recall_at_5(after, rows):.3f}")
            default = after.departments.search_weight, after.departments.precision_weight
            started = time.perf_counter()
            after.departments.find_shared(rows[0]["question"])
            cold = time.perf_counter() - started
            started = time.perf_counter()
            right, misses = top_share(after, rows, *default, show=True)
            took = (time.perf_counter() - started) / len(rows)
            print(f"top unit = gold: {right}/{len(rows)} ({right / len(rows):.0%}) at SEARCH_WEIGHT {default[0]}, "
                  f"PRECISION_WEIGHT {default[1]}, MIN_COVERAGE {after.departments.min_coverage}; misses: {misses}")
            print(f"time: first question {cold:.1f} s (reads every unit's duty lines once), then "
                  f"{took * 1000:.0f} ms per question")
            finder = after.departments
            chosen = finder.min_coverage
            for floor in (float(c) for c in args.coverage.split(",")):
                finder.min_coverage = floor
                right, misses = top_share(after, rows, *default)
                answered = [q for q in OFF_TOPIC if finder.find_shared(q, 1)]
                print(f"  MIN_COVERAGE {floor:.2f}: {right}/{len(rows)}, off-topic questions answered "
                      f"{len(answered)}/{len(OFF_TOPIC)} {answered}")
            finder.min_coverage = chosen
            for weight in (float(w) for w in args.weights.split(",")):
                for precision in (float(p) for p in args.precision.split(",")):
                    right, misses = top_share(after, rows, weight, precision)
                    print(f"  SEARCH_WEIGHT {weight:.2f} PRECISION_WEIGHT {precision:.2f}: {right}/{len(rows)}"
                          f"  misses {misses}")
        finally:
            before.close()
            after.close()


if __name__ == "__main__":
    main()
