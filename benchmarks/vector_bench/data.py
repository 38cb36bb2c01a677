"""Constants, process helpers and the seeded synthetic data shared by the parent and every child process."""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

import numpy as np

DIM = 384
K = 20
BATCH = 64
N_QUERIES = 300
N_WARMUP = 10
BLOCK = 30
NAMES = [f"collection-{i:02d}" for i in range(20)]
ENGINES = ["qdrant-local", "qdrant-edge", "lancedb", "usearch", "hnswlib", "sqlite-vec", "duckdb-vss", "duckdb-scan"]
PACKAGES = {"qdrant-local": "qdrant-client", "qdrant-edge": "qdrant-edge-py", "lancedb": "lancedb",
            "usearch": "usearch", "hnswlib": "hnswlib", "sqlite-vec": "sqlite-vec", "duckdb-vss": "duckdb",
            "duckdb-scan": "duckdb", "qdrant-edge-acorn": "qdrant-edge-py"}
HNSW_M, HNSW_EF_CONSTRUCT, HNSW_EF = 16, 100, 100  # the same graph settings for every HNSW engine
WRITER_BASE = 1_000_000_000  # ids the concurrency writer adds (no clash with the data)
KILL_BASE = 2_000_000_000  # ids the kill -9 writer adds


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def rss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report
    at least the parent's size at fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> float:
    return round(os.getloadavg()[0], 2)


# ---------------------------------------------------------------------------------------------------------------
# Data


def make_data(n: int, work: Path, seed: int) -> None:
    """Seeded clustered vectors, payload codes, queries and their filters, written under ``work``."""
    rng = np.random.default_rng(seed)
    n_topics, c = 300, len(NAMES)
    g = unit(rng.standard_normal(DIM))
    topics = unit(g + 1.2 * unit(rng.standard_normal((n_topics, DIM))))
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(5, 61)))
    n_docs = len(sizes)
    popularity = 1 / np.arange(1, c + 1) ** 0.8
    popularity /= popularity.sum()
    topic_weight = rng.dirichlet(np.full(n_topics, 0.5))
    doc_topic = rng.choice(n_topics, n_docs, p=topic_weight)
    doc_centre = unit(topics[doc_topic] + 0.7 * rng.standard_normal((n_docs, DIM)) / np.sqrt(DIM))
    preferred = rng.choice(c, n_topics, p=popularity)
    doc_code = np.where(rng.random(n_docs) < 0.6, preferred[doc_topic], rng.choice(c, n_docs, p=popularity))
    doc_of = np.repeat(np.arange(n_docs), sizes)[:n].astype(np.int32)
    pos = np.concatenate([np.arange(s) for s in sizes])[:n].astype(np.int32)
    with open(work / "vectors.f32", "wb") as f:
        for start in range(0, n, 20000):
            d = doc_of[start:start + 20000]
            noise = rng.standard_normal((len(d), DIM)).astype(np.float32) * (0.6 / np.sqrt(DIM))
            f.write(unit(doc_centre[d] + noise).tobytes())
    np.save(work / "codes.npy", doc_code[doc_of].astype(np.int16))
    np.save(work / "doc_of.npy", doc_of)
    np.save(work / "pos.npy", pos)
    total = N_QUERIES + N_WARMUP
    qdocs = rng.choice(np.unique(doc_of[: min(n, 34000)]), total)  # queries about documents in every size
    queries = unit(doc_centre[qdocs] + 0.8 * rng.standard_normal((total, DIM)) / np.sqrt(DIM))
    filters = []
    for d in qdocs:
        own = int(doc_code[d])
        first = own if rng.random() < 0.7 else int(rng.choice(c, p=popularity))
        rest = [int(x) for x in rng.permutation(c) if x != first][:2]
        filters.append([first, *rest])
    np.save(work / "queries.npy", queries)
    (work / "filters.json").write_text(json.dumps(filters))


class Data:
    """The data of one size, read without memory-mapping the vectors (so they do not count in the engine's RSS)."""

    def __init__(self, work: Path, n: int) -> None:
        self.work, self.n = work, n
        self.codes = np.load(work / "codes.npy")[:n]
        self.doc_of = np.load(work / "doc_of.npy")[:n]
        self.pos = np.load(work / "pos.npy")[:n]
        self.queries = np.load(work / "queries.npy")
        self.filters: list[list[int]] = json.loads((work / "filters.json").read_text())
        self.rng = np.random.default_rng(7)

    def vectors(self, start: int, stop: int) -> np.ndarray:
        with open(self.work / "vectors.f32", "rb") as f:
            f.seek(start * DIM * 4)
            return np.frombuffer(f.read((stop - start) * DIM * 4), dtype=np.float32).reshape(-1, DIM)

    def batch(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        ids = np.arange(start, stop, dtype=np.int64)
        return (ids, self.vectors(start, stop), [NAMES[c] for c in self.codes[start:stop]],
                [f"doc{d}#{p}" for d, p in zip(self.doc_of[start:stop], self.pos[start:stop])])

    def new_batch(self, first: int) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """64 points the writers add: near random data points, collection ``id % 20``."""
        ids = np.arange(first, first + BATCH, dtype=np.int64)
        start = int(self.rng.integers(0, self.n - BATCH))
        base = self.vectors(start, start + BATCH)
        vecs = unit(base + 0.3 * self.rng.standard_normal(base.shape).astype(np.float32) / np.sqrt(DIM))
        return ids, vecs, [NAMES[i % len(NAMES)] for i in ids], [f"w{i}" for i in ids]

    def code(self, point: int) -> int:
        return int(self.codes[point]) if point < self.n else point % len(NAMES)

    def query(self, i: int) -> tuple[np.ndarray, list[str], list[int]]:
        """Query i (0-based over the measured ones; the warm-up ones follow them)."""
        return self.queries[i], [NAMES[c] for c in self.filters[i]], self.filters[i]


def ground_truth(work: Path, n: int) -> list[list[int]]:
    data = Data(work, n)
    vecs = data.vectors(0, n)
    truth = []
    for i in range(N_QUERIES):
        q, _, codes = data.query(i)
        scores = vecs @ q
        scores[~np.isin(data.codes, codes)] = -np.inf
        top = np.argpartition(-scores, K)[:K]
        truth.append([int(x) for x in top[np.argsort(-scores[top])] if np.isfinite(scores[x])])
    return truth
