"""Retrieval quality, speed and scale, with the baselines in the same run.

1. Eval scope (shared/eval/scope_dirs.txt: 228 law files): index with our pipeline, run
   firesafety_dev.jsonl, score with shared/eval/score_hits.py; whitespace (regex) and Kiwi BM25 baselines from
   shared/eval/retrieval_baseline.py on the same files; an ablation of our query-time choices.
2. KorQuAD 1.0 dev paragraph retrieval (Hit@1, Hit@5) against the same baselines.
3. --full: all 3,061 laws (5,674 files): build time and peak RSS (in a child process), query latency over 200
   queries, and fire-safety Recall@5 with every other law as a distractor.
4. --nts: an out-of-domain check that the statute factors were not fitted to 72 fire petitions: the titles of the
   National Tax Service rulings (shared/corpus/nts_rulings.jsonl) as questions, the article their "related_law"
   line names as gold, over the laws those lines name (with their decrees). Plain BM25 vs the product ranking.

Keyword side only (no embedder here: no embedding model can be downloaded on the build machines).
Usage: python benchmarks/retrieval.py [--shared ../shared] [--full] [--nts] [--skip-baselines] [--skip-korquad]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.config import Settings  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.collection import Collection  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.keyword import Ranking  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.query import analyze_query  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.dense import passage_text  # noqa: E402 - after the sys.path set-up
from seoulai.retrieval.index import SearchIndex  # noqa: E402 - after the sys.path set-up

REF = re.compile(r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
# BM25 over our chunks with none of the statute factors: the first row of every comparison.
PLAIN = Ranking(gram=0, citation_prior=0, family=0, addenda=1, cited_article=0, collapse_articles=False)


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def service(index_dir: Path, char_bigrams: bool = False) -> SearchIndex:
    settings = Settings(index_dir=index_dir, embed={"backend": "none"}, llm={"backend": "none"},
                        retrieval={"char_bigrams": char_bigrams})
    return SearchIndex(settings)


def passage_texts(collection: Collection) -> list[str]:
    """What the dense side embeds for every chunk of a collection (the vector cache's keys), in document order."""
    return [passage_text(c) for d in collection.documents() for c in collection.chunks_of([d.doc])]


def law_files(corpus: Path, dirs: "list[str] | set[str]") -> list[Path]:
    """The Markdown files of these law directories, in a stable order."""
    return [f for d in sorted(dirs) for f in sorted((corpus / d).glob("*.md"))]


def scope_files(shared: Path, corpus: Path) -> list[Path]:
    """The eval scope: the law directories listed in shared/eval/scope_dirs.txt (228 files)."""
    dirs = [d.strip() for d in (shared / "eval" / "scope_dirs.txt").read_text().splitlines() if d.strip()]
    return law_files(corpus, dirs)


def build(index_dir: Path, name: str, root: Path, files: list[Path], char_bigrams: bool = False) -> dict[str, float]:
    svc = service(index_dir, char_bigrams)
    started = time.perf_counter()
    report = svc.ingest(files, name, sources={f: f.relative_to(root).as_posix() for f in files})
    seconds = time.perf_counter() - started
    view = svc.collection(name).view()
    assert view is not None
    return {"files": len(files), "failed": len(report.failed), "chunks": view[0].size, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# -- scoring (the rules of shared/eval/score_hits.py, strict mode) -----------------------------------------
def _key(article: str) -> tuple[int, int | None]:
    m = re.fullmatch(r"제(\d+)조(?:의(\d+))?", article)
    assert m
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def _first_ref(text: str) -> tuple[int, int | None] | None:
    m = REF.search(text or "")
    return (int(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else None


def score(rows: list[dict], hits: dict[str, list[dict]]) -> dict[str, float]:
    r5 = h5 = mrr = 0.0
    for row in rows:
        golds = [(g["file"], _key(g["article"])) for g in row["gold"]]
        found: set[int] = set()
        first = None
        for rank, hit in enumerate(hits.get(row["id"], [])[:10], 1):
            ref = _first_ref(hit["section"]) or _first_ref(hit["text"][:120])
            for gi, (file, key) in enumerate(golds):
                if (hit["source"] == file or hit["source"].endswith("/" + file)) and ref == key:
                    first = first or rank
                    if rank <= 5:
                        found.add(gi)
                    break
        r5 += len(found) / len(golds)
        h5 += 1.0 if found else 0.0
        mrr += 1.0 / first if first else 0.0
    n = len(rows)
    return {"recall@5": r5 / n, "hit@5": h5 / n, "mrr@10": mrr / n}


def run_queries(svc: SearchIndex, name: str, rows: list[dict], k: int = 10) -> dict[str, list[dict]]:
    return {row["id"]: [h.to_json() for h in svc.search(row["question"], [name], k)] for row in rows}


def ablation(svc: SearchIndex, name: str, rows: list[dict]) -> list[tuple[str, dict[str, float]]]:
    """Each step adds one choice of the product's keyword ranking, in the order they were adopted."""
    steps = [
        ("Kiwi morpheme BM25 over our chunks (b=0.5)", PLAIN, False, False, False),
        ("+ one passage per article", replace(PLAIN, collapse_articles=True), False, False, False),
        ("+ addenda (부칙) x0.3", replace(PLAIN, collapse_articles=True, addenda=0.3), False, False, False),
        ("+ petition boilerplate removed", replace(PLAIN, collapse_articles=True, addenda=0.3), True, False, False),
        ("+ citation prior (log 1+cited-by)",
         replace(PLAIN, collapse_articles=True, addenda=0.3, citation_prior=0.2), True, False, False),
        ("+ law-family score",
         replace(PLAIN, collapse_articles=True, addenda=0.3, citation_prior=0.2, family=0.35), True, False, False),
        ("+ thesaurus, abbreviations, cited articles", replace(Ranking(), gram=0), True, True, False),
        ("+ repeated words saturated, 1 + ln n (= product default)", replace(Ranking(), gram=0), True, True, True),
        ("+ character bigrams x0.1 (optional: SEOULAI_RETRIEVAL__CHAR_BIGRAMS)", Ranking(), True, True, True),
    ]
    view = svc.collection(name).view()
    assert view is not None
    return [(label, score(rows, keyword_hits(view, rows, ranking, cleanup, expand, saturate)))
            for label, ranking, cleanup, expand, saturate in steps]


def keyword_hits(view: tuple, rows: list[dict], ranking: Ranking, cleanup: bool, expand: bool,
                 saturate: bool) -> dict[str, list[dict]]:
    """Top 10 of the keyword index alone, with the query-side choices switched on or off."""
    from seoulai.retrieval.statute import article_refs_with_titles

    index, store = view
    hits = {}
    for row in rows:
        query = analyze_query(row["question"], cleanup, expand, saturate)
        cited: list[int] = []
        if expand:
            mentioned = query.text + " " + " ".join(query.named_titles)
            cited = store.cited_positions(article_refs_with_titles(mentioned, index.titles))
        top = index.search(query, 10, ranking, cited)
        chunks = store.chunks_at([pos for pos, _ in top])
        hits[row["id"]] = [{"source": chunks[p].source, "section": chunks[p].section, "text": chunks[p].text}
                           for p, _ in top]
    return hits


def official_score(hits: dict[str, list[dict]], eval_file: Path, shared: Path, tmp: Path) -> str:
    path = tmp / "hits.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for qid, hit_list in hits.items():
            handle.write(json.dumps({"id": qid, "hits": hit_list}, ensure_ascii=False) + "\n")
    out = subprocess.run([sys.executable, str(shared / "eval" / "score_hits.py"), str(path), str(eval_file)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def baselines(shared: Path, corpus: Path, tmp: Path) -> str:
    out = subprocess.run([sys.executable, str(shared / "eval" / "retrieval_baseline.py"), str(corpus),
                          str(shared / "eval" / "firesafety_dev.jsonl"), "--scope-dirs",
                          str(shared / "eval" / "scope_dirs.txt"), "--tokenizers", "regex,kiwi"],
                         capture_output=True, text=True, check=True)
    return "\n".join(line for line in out.stdout.splitlines() if "R@5" in line or "tokenize" in line)


def korquad_docs(shared: Path, tmp: Path) -> tuple[list[dict], Path, Callable[[dict], set[str]]]:
    """KorQuAD dev as files to index: (questions, folder, the paragraph ids that answer a question: identical
    duplicate texts count, as in retrieval_baseline.py)."""
    paragraphs = load_jsonl(shared / "eval" / "korquad_paragraphs.jsonl")
    questions = load_jsonl(shared / "eval" / "korquad_dev.jsonl")
    folder = tmp / "korquad"
    folder.mkdir()
    text_of = {p["paragraph_id"]: p["text"] for p in paragraphs}
    same_text: dict[str, set[str]] = {}
    for p in paragraphs:
        same_text.setdefault(p["text"], set()).add(str(p["paragraph_id"]))
        (folder / f"{p['paragraph_id']}.txt").write_text(f"{p['title']}\n\n{p['text']}", encoding="utf-8")
    return questions, folder, lambda q: same_text[text_of[q["gold_paragraph_id"]]]


def korquad_hits(questions: list[dict], gold: Callable[[dict], set[str]],
                 search: Callable[[str], list]) -> dict[str, float]:
    """Hit@1 and Hit@5 of a search function returning hits whose source is '<paragraph id>.txt'."""
    h1 = h5 = 0
    for q in questions:
        ok = gold(q)
        got = [h.source.removesuffix(".txt") for h in search(q["question"])]
        h1 += bool(got[:1] and got[0] in ok)
        h5 += any(g in ok for g in got[:5])
    return {"hit@1": h1 / len(questions), "hit@5": h5 / len(questions)}


def korquad(shared: Path, tmp: Path, with_baselines: bool) -> list[str]:
    questions, folder, gold = korquad_docs(shared, tmp)
    svc = service(tmp / "idx_korquad")
    svc.ingest([folder], "korquad")
    m = korquad_hits(questions, gold, lambda q: svc.search(q, ["korquad"], 5))
    lines = [f"| ours (keyword) | {m['hit@1']:.3f} | {m['hit@5']:.3f} |"]
    if with_baselines:
        out = subprocess.run([sys.executable, str(shared / "eval" / "retrieval_baseline.py"), "--paragraphs",
                              str(shared / "eval" / "korquad_paragraphs.jsonl"),
                              str(shared / "eval" / "korquad_dev.jsonl"), "--tokenizers", "regex,kiwi"],
                             capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            m = re.search(r"(regex|kiwi)\s+n=\s*\d+ Hit@1=([\d.]+) Hit@5=([\d.]+)", line)
            if m:
                lines.append(f"| baseline {m.group(1)} BM25 | {m.group(2)} | {m.group(3)} |")
    return lines


_RELATED = re.compile(r"([가-힣]+(?:\s*(?:시행령|시행규칙))?)\s*제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")


def nts_questions(shared: Path) -> tuple[list[dict], set[str]]:
    """Tax rulings as retrieval questions: title -> the articles named on the first line of related_law."""
    title_map = json.loads((shared / "eval" / "law_title_map.json").read_text(encoding="utf-8"))["title_to_file"]
    rows, dirs = [], set()
    for number, ruling in enumerate(load_jsonl(shared / "corpus" / "nts_rulings.jsonl")):
        gold = []
        for law, article, sub in _RELATED.findall(ruling.get("related_law", "").split("\n")[0]):
            path = title_map.get(law.replace(" ", ""))
            if path:
                gold.append({"file": path, "article": f"제{article}조" + (f"의{sub}" if sub else "")})
                dirs.add(path.split("/")[0])
        if gold and ruling.get("title", "").strip():
            rows.append({"id": f"nts-{number}", "question": ruling["title"].strip(), "gold": gold})
    return rows, dirs


def nts_check(shared: Path, corpus: Path, tmp: Path) -> list[str]:
    rows, dirs = nts_questions(shared)
    files = law_files(corpus, dirs)
    stats = build(tmp / "idx_nts", "laws", corpus, files)
    view = service(tmp / "idx_nts").collection("laws").view()
    assert view is not None
    lines = [f"{len(rows):,} rulings with a parsable related_law, {stats['files']} files, {stats['chunks']:,} chunks",
             "", "| variant (NTS rulings) | Recall@5 | Hit@5 | MRR@10 |", "|---|---|---|---|"]
    for label, ranking, saturate in (("Kiwi BM25 (b=0.5) without the statute factors", PLAIN, False),
                                     ("product ranking without saturation", replace(Ranking(), gram=0), False),
                                     ("product default", replace(Ranking(), gram=0), True)):
        m = score(rows, keyword_hits(view, rows, ranking, True, True, saturate))
        lines.append(f"| {label} | {m['recall@5']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |")
    return lines


def latency(svc: SearchIndex, name: str, rows: list[dict], n: int = 200) -> tuple[float, float]:
    questions = [rows[i % len(rows)]["question"] for i in range(n)]
    svc.search(questions[0], [name], 10)  # load the index once
    times = []
    for q in questions:
        started = time.perf_counter()
        svc.search(q, [name], 10)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.environ.get("SEOULAI_SHARED", str(ROOT.parent / "shared")))
    parser.add_argument("--corpus", help="an extracted laws-kr/kr folder (default: untar to a temp folder)")
    parser.add_argument("--full", action="store_true", help="also index all 3,061 laws")
    parser.add_argument("--nts", action="store_true", help="also run the out-of-domain tax-ruling check")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--skip-korquad", action="store_true")
    parser.add_argument("--build-only", nargs=2, metavar=("INDEX_DIR", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        corpus = Path(args.build_only[1])
        files = sorted(corpus.rglob("*.md"))
        print(json.dumps(build(Path(args.build_only[0]), "laws", corpus, files)))
        return
    shared = Path(args.shared).resolve()
    rows = load_jsonl(shared / "eval" / "firesafety_dev.jsonl")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        corpus = Path(args.corpus) if args.corpus else None
        if corpus is None:
            with tarfile.open(shared / "corpus" / "laws-kr.tar.gz") as archive:
                archive.extractall(tmp, filter="data")
            corpus = tmp / "laws-kr" / "kr"
        files = scope_files(shared, corpus)
        # Built with the optional bigram field so the ablation can show it; the product default ignores it.
        stats = build(tmp / "idx_scope", "laws", corpus, files, char_bigrams=True)
        print(f"\n## Eval scope: {stats['files']} files, {stats['chunks']:,} chunks, built in "
              f"{stats['seconds']:.0f} s (with the optional bigram field)", flush=True)
        svc = service(tmp / "idx_scope")
        svc.ranking = replace(Ranking(), gram=0)
        hits = run_queries(svc, "laws", rows)
        print(f"ours (official score_hits.py): {official_score(hits, shared / 'eval' / 'firesafety_dev.jsonl', shared, tmp)}")
        if not args.skip_baselines:
            print(baselines(shared, corpus, tmp), flush=True)
        print("\n| variant (firesafety_dev, keyword only) | Recall@5 | Hit@5 | MRR@10 |\n|---|---|---|---|")
        for label, m in ablation(svc, "laws", rows):
            print(f"| {label} | {m['recall@5']:.3f} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} |", flush=True)
        median, p95 = latency(svc, "laws", rows)
        print(f"\nlatency (scope, 200 queries, keyword side incl. analysis and chunk fetch): median {median:.1f} ms, "
              f"p95 {p95:.1f} ms", flush=True)
        if not args.skip_korquad:
            print("\n| KorQuAD dev (5,774 questions, 964 paragraphs) | Hit@1 | Hit@5 |\n|---|---|---|")
            print("\n".join(korquad(shared, tmp, not args.skip_baselines)), flush=True)
        if args.nts:
            print("\n## Out-of-domain check: NTS tax rulings", flush=True)
            print("\n".join(nts_check(shared, corpus, tmp)), flush=True)
        if args.full:
            out = subprocess.run([sys.executable, __file__, "--build-only", str(tmp / "idx_full"), str(corpus)],
                                 capture_output=True, text=True, check=True)
            full = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"\n## All laws: {full['files']:,} files, {full['chunks']:,} chunks, built in "
                  f"{full['seconds']:.0f} s ({full['seconds'] / 60:.1f} min), peak RSS {full['peak_rss_mb']:,.0f} MB",
                  flush=True)
            svc_full = service(tmp / "idx_full")
            m = score(rows, run_queries(svc_full, "laws", rows))
            median, p95 = latency(svc_full, "laws", rows)
            print(f"firesafety_dev on all laws: Recall@5 {m['recall@5']:.3f}, Hit@5 {m['hit@5']:.3f}, "
                  f"MRR@10 {m['mrr@10']:.3f}; latency median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
