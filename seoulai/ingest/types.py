"""What readers produce (blocks) and what the indexes store (chunks)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table", "note"]


@dataclass
class Block:
    """A piece of a document in reading order.

    ``heading_level`` is set for headings (1 = top); readers that know the structure (Markdown, DOCX styles)
    set it, and the chunker infers it from Korean numbering for the others.
    """

    text: str
    page: int | None = None
    kind: BlockKind = "paragraph"
    heading_level: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    """One extracted file: its blocks plus metadata (제목, 소관부처, 시행일자, 출처, ...)."""

    source: str
    format: str
    title: str
    blocks: list[Block]
    pages: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def char_count(self) -> int:
        return sum(len(b.text) for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "title": self.title, "pages": self.pages,
                "chars": self.char_count, "metadata": self.metadata,
                "blocks": [b.to_json() for b in self.blocks]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Document":
        return cls(source=data["source"], format=data["format"], title=data["title"], pages=data.get("pages"),
                   metadata=data.get("metadata", {}), blocks=[Block(**b) for b in data["blocks"]])


@dataclass
class Chunk:
    """A retrievable passage. ``section`` is the heading path ("제2장 민원의 처리 > 제19조 (처리기간의 계산)")."""

    id: str
    source: str
    title: str
    section: str
    page: int | None
    text: str
    position: int
    effective_date: str | None = None
    collection: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Chunk":
        return cls(**data)
