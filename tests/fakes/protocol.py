"""What the fake Ollama server's replies are made of: scripted replies, recorded requests, deterministic
embeddings and the split of a reply into stream chunks."""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

EMBED_DIM = 256
Faults = ("overloaded", "not_found", "cut", "slow")


@dataclass
class Reply:
    """One scripted reply. ``fault`` is one of Faults or None."""

    content: str = "테스트 응답입니다."
    fault: str | None = None
    first_token_delay: float = 0.0
    token_delay: float = 0.0
    cut_after_tokens: int = 3


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: dict[str, Any]
    at: float = field(default_factory=time.time)


def fake_embedding(text: str, dim: int = EMBED_DIM) -> list[float]:
    """Deterministic embedding: hashed character bigrams, L2-normalised.

    Texts that share words get similar vectors, which is enough to test dense retrieval and fusion.
    """
    vec = [0.0] * dim
    compact = re.sub(r"\s+", " ", text.strip().lower())
    grams = [compact[i : i + 2] for i in range(max(len(compact) - 1, 1))]
    for gram in grams:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dim
        sign = 1.0 if digest[4] & 1 else -1.0
        vec[index] += sign
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def split_tokens(text: str) -> list[str]:
    """Split a reply into stream chunks that keep their whitespace (roughly one word each)."""
    parts = re.findall(r"\S+\s*|\s+", text)
    return parts or [""]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
