"""Keyword retrieval: bm25s over Kiwi morphemes, memory-mapped on load, with statute-aware ranking.

A chunk's score for a question is

    (BM25 over Kiwi morphemes [k1 1.5, b 0.75] + 0.1 x BM25 over character bigrams, if built)
    x (1 + 0.35 x family score / best family score)        -- the act (with its decrees) as a whole
    x 0.3 for addenda (부칙)                                  -- transitional provisions rarely answer
    + the best score again for an article the question cites by law name and number,

then pieces of one article are collapsed to the best. Every factor kept earned its place on both dev sets
(fire-safety petitions, legal scenarios) and the tax-ruling check (ablation in BENCHMARKS.md); the citation
prior (articles others cite) stays available but off. Query-side cleanup, thesaurus, abbreviation expansion
and the weight of the asking sentence live in query.py.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seoulai.text.korean import QUESTION_WORDS, STOP_WORDS

FIELDS = ("body", "gram")  # "gram" only when the collection was built with character bigrams


@dataclass(frozen=True)
class Ranking:
    """Query-time ranking weights (the build-time ones are BODY_B and the field list)."""

    gram: float = 0.1
    citation_prior: float = 0.0  # helps petitions and tax rulings, hurts legal scenarios: off (BENCHMARKS.md)
    family: float = 0.35
    addenda: float = 0.3
    cited_article: float = 1.0
    collapse_articles: bool = True
    duty: float = 3.0  # a "어느 과" question: a unit's duty passage (사무분장) counts this many times


# Length normalisation of the body field. 0.75 (BM25's usual value): 0.5 helped the long fire-safety petitions
# but cost the legal-scenario questions far more (BENCHMARKS.md). Stored with each generation; a collection
# built with another value is rebuilt from its stored tokens at start.
BODY_B = 0.75


@dataclass
class AnalyzedQuery:
    """A question ready for scoring: weighted morphemes, bigrams, and explicit (title, article) citations."""

    terms: dict[str, float]
    grams: list[str]
    text: str = ""
    named_titles: list[str] = field(default_factory=list)  # full titles from abbreviations
    raw: str = ""  # the question as asked (the dense side embeds it)
    department: bool = False  # asks which unit handles something: the units' duty passages rank first
    synonyms: dict[str, frozenset[str]] = field(default_factory=dict)  # everyday word -> the statute's words

    def weighted(self, name: str) -> dict[str, float]:
        if name == "gram":
            counts: dict[str, float] = {}
            for gram in self.grams:
                counts[gram] = counts.get(gram, 0.0) + 1.0
            return counts
        return self.terms

    def content_terms(self) -> dict[str, float]:
        """The question's topic words, without light words such as "수", "있다", "경우": what is highlighted in
        the passages and checked for coverage. Words that only ask ("얼마", "며칠") are not topic words either."""
        return {token: weight for token, weight in self.terms.items()
                if token not in STOP_WORDS and token not in QUESTION_WORDS}


class FieldBuilder:
    """Streams one field's tokens for every chunk, then writes a bm25s model (BM25 Lucene, k1 1.5, b 0.75).

    bm25s' own builder walks Python lists of ints and goes through a COO matrix, which needs several GB
    for the 300,000 chunks of all laws. This one keeps (term, tf) pairs in compact arrays, computes the same
    Lucene scores with numpy and hands bm25s the finished CSC arrays to save; queries load them with
    bm25s, memory-mapped.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {"": 0}  # id 0: the empty token bm25s reserves
        self.terms = array("I")
        self.tfs = array("H")
        self.doc_offsets = array("Q", [0])
        self.doc_lengths = array("I")

    def add(self, tokens: Iterable[str]) -> None:
        self.add_counts(Counter(tokens))  # Counter counts in C: the hot loop of a corpus build

    def add_counts(self, counts: dict[str, int]) -> None:
        """One document given as token counts (used for the family field, a whole act per row)."""
        vocab = self.vocab
        ids = {vocab.setdefault(token, len(vocab)): n for token, n in counts.items()}
        self.terms.extend(ids.keys())
        self.tfs.extend(min(n, 65535) for n in ids.values())
        self.doc_offsets.append(len(self.terms))
        self.doc_lengths.append(sum(counts.values()))

    def __len__(self) -> int:
        return len(self.doc_lengths)

    def arrays(self, block: int = 1 << 20) -> dict[str, np.ndarray | int]:
        """The Lucene BM25 score of every (term, document) pair, as CSC arrays ordered by term.

        Filled block by block with a cursor per term, so no temporary the size of the whole index is
        made beyond the two output arrays (a full argsort would need 8 bytes per posting more).
        """
        n_docs = len(self.doc_lengths)
        terms = np.frombuffer(self.terms, dtype=np.uint32)
        tfs = np.frombuffer(self.tfs, dtype=np.uint16)
        offsets = np.frombuffer(self.doc_offsets, dtype=np.uint64).astype(np.int64)
        lengths = np.frombuffer(self.doc_lengths, dtype=np.uint32).astype(np.float32)
        vocab_size = len(self.vocab)
        df = np.bincount(terms, minlength=vocab_size)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n_docs else 1.0
        indptr = np.zeros(vocab_size + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(len(terms), dtype=np.float32)
        indices = np.empty(len(terms), dtype=np.int32)
        cursor = indptr[:-1].copy()
        doc_of_offset = np.searchsorted(offsets, np.arange(0, len(terms), block, dtype=np.int64), side="right") - 1
        for number, start in enumerate(range(0, len(terms), block)):
            stop = min(start + block, len(terms))
            first_doc = int(doc_of_offset[number])
            last_doc = int(np.searchsorted(offsets, stop, side="left"))
            bounds = np.clip(offsets[first_doc : last_doc + 1], start, stop)
            counts = bounds[1:] - bounds[:-1]  # np.diff, which numpy's stubs type as timedelta64 here
            docs = np.repeat(np.arange(first_doc, last_doc, dtype=np.int32), counts)
            t = terms[start:stop].astype(np.int64)
            tf = tfs[start:stop].astype(np.float32)
            norm = self.k1 * ((1 - self.b) + self.b * lengths[docs] / avg)
            scores = idf[t] * tf / (norm + tf)
            order = np.argsort(t, kind="stable")
            t_sorted = t[order]
            unique, first, counts_t = np.unique(t_sorted, return_index=True, return_counts=True)
            rank = np.arange(len(t_sorted)) - np.repeat(first, counts_t)
            target = cursor[t_sorted] + rank
            data[target] = scores[order]
            indices[target] = docs[order]
            cursor[unique] += counts_t
        return {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}

    def save(self, path: Path) -> None:
        import bm25s

        model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        model.scores = self.arrays()
        model.vocab_dict = self.vocab
        model.nonoccurrence_array = None  # only BM25L/BM25+ use one
        model.save(str(path))


class KeywordIndex:
    """One collection generation's BM25 models and ranking arrays (read-only, shared by all threads)."""

    def __init__(self, path: Path) -> None:
        import bm25s

        self.models = {name: bm25s.BM25.load(str(path / name), mmap=True) for name in FIELDS
                       if (path / name).is_dir()}
        self.size = int(self.models["body"].scores["num_docs"])
        self.family_model = bm25s.BM25.load(str(path / "family"), mmap=True)
        self.family_index = np.load(path / "family_index.npy", mmap_mode="r")
        self.prior = np.load(path / "prior.npy", mmap_mode="r")
        self.addenda = np.load(path / "addenda.npy", mmap_mode="r")
        self.group = np.load(path / "group.npy", mmap_mode="r")
        # Generations built before units' duties were their own passages have no duty array: no passage is one.
        duty = path / "duty.npy"
        self.duty = np.load(duty, mmap_mode="r") if duty.is_file() else np.zeros(self.size, dtype=bool)
        self.has_duty = bool(self.duty.any())
        self.titles = frozenset(json.loads((path / "titles.json").read_text(encoding="utf-8")))
        self._static: dict[tuple[float, float], np.ndarray] = {}

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """BM25's IDF of each token in this generation's body field; a word the library never uses gets the
        highest value (it is the most specific word of a question, and the library does not hold it)."""
        model = self.models["body"]
        vocab, indptr = model.vocab_dict, model.scores["indptr"]
        out: dict[str, float] = {}
        for token in tokens:
            term = vocab.get(token)
            df = int(indptr[term + 1] - indptr[term]) if term else 0
            out[token] = math.log1p((self.size - df + 0.5) / (df + 0.5))
        return out

    def unknown(self, tokens: Iterable[str]) -> frozenset[str]:
        """The tokens no passage of this generation holds."""
        vocab = self.models["body"].vocab_dict
        return frozenset(token for token in tokens if not vocab.get(token))

    def static_weight(self, ranking: Ranking) -> np.ndarray:
        """The query-independent factor of every chunk (addenda penalty x citation prior), computed once."""
        key = (ranking.addenda, ranking.citation_prior)
        if key not in self._static:
            weight = np.where(self.addenda, ranking.addenda, 1.0) * (1.0 + ranking.citation_prior * self.prior)
            self._static[key] = weight.astype(np.float64)
        return self._static[key]

    def _field(self, model: Any, weighted: dict[str, float], size: int) -> np.ndarray:  # bm25s.BM25: no types
        scores = model.scores
        data, idx, indptr = scores["data"], scores["indices"], scores["indptr"]
        vocab = model.vocab_dict
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for token, weight in weighted.items():
            term = vocab.get(token)
            if not term:
                continue
            start, end = int(indptr[term]), int(indptr[term + 1])
            indices.append(idx[start:end])
            values.append(data[start:end] * weight if weight != 1 else data[start:end])
        if not indices:
            return np.zeros(size, dtype=np.float64)
        # One bincount over all postings: several times faster than bm25s' per-term np.add.at.
        return np.bincount(np.concatenate(indices), weights=np.concatenate(values), minlength=size)

    def scores(self, query: AnalyzedQuery, ranking: Ranking, cited: Iterable[int] = ()) -> np.ndarray:
        scores = self._field(self.models["body"], query.weighted("body"), self.size)
        if ranking.gram and "gram" in self.models:
            scores += ranking.gram * self._field(self.models["gram"], query.weighted("gram"), self.size)
        if not scores.any():
            return scores
        scores *= self.static_weight(ranking)
        if query.department and ranking.duty != 1.0 and self.has_duty:
            scores *= np.where(self.duty, ranking.duty, 1.0)
        if ranking.family:
            # Each distinct term once: a word repeated in a long petition should not pick the act alone.
            families = self._field(self.family_model, dict.fromkeys(query.terms, 1.0),
                                   int(self.family_model.scores["num_docs"]))
            best = families.max()
            if best > 0:
                scores *= 1.0 + ranking.family * (families / best)[self.family_index]
        cited = list(cited)
        if cited and ranking.cited_article:
            scores[cited] += ranking.cited_article * scores.max()
        return scores

    def search(self, query: AnalyzedQuery, k: int, ranking: Ranking, cited: Iterable[int] = (),
               allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (position, score) with score > 0, one piece per article when collapsing; ``allowed`` (positions)
        limits the search to some documents before the cut."""
        scores = self.scores(query, ranking, cited)
        if allowed is not None:
            mask = np.zeros(self.size, dtype=bool)
            mask[allowed] = True
            scores = np.where(mask, scores, 0.0)
        if self.size == 0:
            return []
        depth = min(self.size, k * 8 if ranking.collapse_articles else k)
        top = np.argpartition(-scores, depth - 1)[:depth]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        if ranking.collapse_articles:
            _, first = np.unique(self.group[top], return_index=True)
            top = top[np.sort(first)]
        return [(int(i), float(scores[i])) for i in top[:k]]


def write_meta(path: Path, meta: dict[str, object]) -> None:
    (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
