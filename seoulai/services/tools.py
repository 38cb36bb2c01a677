"""The operator's stateless tools (doctor, extract, PII masking): no index, no usage log, no model."""

from __future__ import annotations

from pathlib import Path

from seoulai.config import Settings
from seoulai.errors import InputError
from seoulai.ingest.chunking import ChunkParams, chunk_document
from seoulai.ingest.pool import extract
from seoulai.ingest.types import Chunk, Document
from seoulai.llm.health import HealthReport, check_health
from seoulai.privacy.pii import Finding, detect, mask


class Tools:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def health(self) -> HealthReport:
        return check_health(self.settings)

    def extract(self, path: Path) -> Document:
        if not path.is_file():
            raise InputError(f"파일을 찾을 수 없습니다: {path}. 경로를 확인해 주세요.", code="not_found")
        return extract(path, self.settings.ingest)

    def chunks(self, path: Path) -> tuple[Document, list[Chunk]]:
        document = self.extract(path)
        limits = self.settings.ingest
        return document, chunk_document(document, path.name, params=ChunkParams(limits.chunk_chars,
                                                                                  limits.article_max_chars))

    @staticmethod
    def mask(text: str) -> tuple[str, list[Finding]]:
        findings = detect(text)
        return mask(text, findings), findings
