"""A retrieved passage, the one result type every part of the product passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hit:
    """A retrieved passage in the contract format of DESIGN.md, plus where it lives."""

    source: str
    title: str
    section: str
    page: int | None
    text: str
    score: float
    collection: str = ""
    chunk_id: str = ""
    effective_date: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    terms: frozenset[str] = field(default_factory=frozenset)  # the passage's analysed words (evidence check)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "section": self.section, "page": self.page,
                "text": self.text, "score": round(self.score, 6), "collection": self.collection,
                "effective_date": self.effective_date}
