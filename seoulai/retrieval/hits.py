"""A retrieved passage, the one result type every part of the product passes around."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from seoulai.retrieval.references import Reference
from seoulai.text.times import today_in_seoul  # the day a 시행일 is compared with: Seoul's

# The document metadata a hit carries in its JSON, beside 시행일자 and 시행 예정 (Chunk.metadata keys).
DOCUMENT_KEYS = ("종류", "공포번호", "공포일자", "제개정구분", "담당부서", "소관부처", "출처")


def is_pending(effective: str | None, today: date | None = None) -> bool:
    """시행 예정: the provision's 시행일 (ISO) is after today in Seoul. Decided when read, never stored: a provision
    pending today is in force tomorrow."""
    if not effective:
        return False
    try:
        day = date.fromisoformat(effective.strip()[:10])
    except ValueError:
        return False
    return day > (today or today_in_seoul())


def metadata_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The document metadata a hit's JSON (``Hit.to_json``) carried: what ``Hit(metadata=...)`` takes back."""
    return {key: data[key] for key in DOCUMENT_KEYS if data.get(key)}


@dataclass(frozen=True)
class Hit:
    """A retrieved passage in the contract format of DESIGN.md, plus where it lives. Frozen: the services return it
    to the screens, and a step that adds to it (relevance, references) makes a copy (dataclasses.replace)."""

    source: str
    title: str
    section: str
    page: int | None
    text: str
    score: float
    collection: str = ""
    chunk_id: str = ""
    effective_date: str | None = None  # this passage's 시행일 (an article a 부칙 defers has its own)
    metadata: dict[str, Any] = field(default_factory=dict)
    terms: frozenset[str] = field(default_factory=frozenset)  # the passage's analysed words (evidence check)
    references: tuple[Reference, ...] = ()  # the articles it cites that the person's library holds
    relevance: float = 0.0  # 0-1, compared with the relevance floor (seoulai.retrieval.floor)

    @property
    def enforced_on(self) -> str | None:
        """시행일자: the passage's own, else its document's."""
        return self.effective_date or self.metadata.get("시행일자") or None

    def pending(self, today: date | None = None) -> bool:
        return is_pending(self.enforced_on, today)

    @property
    def kind(self) -> str | None:
        """종류 (조례, 규칙, 법률, 대통령령 …); indexes built before it had that name stored a law's 법령구분."""
        return self.metadata.get("종류") or self.metadata.get("법령구분") or None

    def document_facts(self) -> dict[str, Any]:
        """The document's metadata where known, in the hit contract's keys."""
        facts: dict[str, Any] = {key: self.metadata[key] for key in DOCUMENT_KEYS if self.metadata.get(key)}
        if self.kind:
            facts["종류"] = self.kind
        if self.enforced_on:
            facts["시행일자"] = self.enforced_on
            facts["시행 예정"] = self.pending()
        return facts

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "title": self.title, "section": self.section, "page": self.page,
                "text": self.text, "score": round(self.score, 6), "relevance": round(self.relevance, 3),
                "collection": self.collection,
                "effective_date": self.effective_date, **self.document_facts(),
                "references": [reference.to_json() for reference in self.references]}
