"""What an ingest did: documents added, replaced, unchanged, removed, failed or read in part, and the vectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seoulai.ingest.failures import IngestError
from seoulai.retrieval.collection import ChangeReport


@dataclass(frozen=True)
class IngestReport:
    collection: str
    changes: ChangeReport
    failed: dict[str, IngestError] = field(default_factory=dict)
    partial: dict[str, str] = field(default_factory=dict)  # read only in part (a file cut short): why
    vectors: int = 0
    vector_error: str | None = None
    vectors_pending: int = 0  # chunks the app's background filler embeds next (keyword search serves them now)

    def to_json(self) -> dict[str, Any]:
        c = self.changes
        return {"collection": self.collection, "added": c.added, "replaced": c.replaced, "unchanged": c.unchanged,
                "removed": c.removed, "vectors": self.vectors, "partial": self.partial,
                "vector_error": self.vector_error, "vectors_pending": self.vectors_pending,
                "failed": {k: asdict_error(v) for k, v in self.failed.items()}}


def asdict_error(error: IngestError) -> dict[str, str]:
    return {"code": error.code, "message": error.message}
