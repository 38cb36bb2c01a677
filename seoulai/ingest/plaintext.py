"""Markdown and plain text (YAML front-matter becomes metadata) and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from seoulai.ingest.failures import IngestError
from seoulai.ingest.office import rows_as_blocks
from seoulai.ingest.rule_header import issue_number, iso_date
from seoulai.ingest.types import Block, Document

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Front-matter keys kept as metadata: the laws' and the 자치법규' Korean keys (English aliases map onto them). A
# 자치법규's 자치법규종류 and a law's 법령구분 are one "종류", so a card says 조례, 규칙, 법률 or 대통령령 alike; the
# header reader (rule_header.py) fills the same keys for files without front matter.
_META_KEYS = {"제목": "제목", "title": "제목", "자치법규명": "제목", "법령명": "제목",
              "종류": "종류", "자치법규종류": "종류", "법령구분": "종류",
              "소관부처": "소관부처", "지자체기관명": "지자체", "담당부서": "담당부서",
              "시행일자": "시행일자", "effective_date": "시행일자", "공포일자": "공포일자", "공포번호": "공포번호",
              "제개정구분": "제개정구분", "출처": "출처", "source": "출처"}
_DATE_KEYS = ("시행일자", "공포일자")


def decode_text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError("corrupt", "문자 인코딩을 알 수 없습니다 (UTF-8 또는 CP949로 저장해 주세요)")


def read_markdown(path: Path, max_chars: int, markdown: bool = True) -> Document:
    text = _read_limited(path, max_chars)
    metadata, body = split_front_matter(text)
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = "\n".join(paragraph).strip()
            if joined:
                blocks.append(Block(joined))
            paragraph.clear()

    for line in body.splitlines():
        match = _HEADING.match(line) if markdown else None
        if match:
            flush()
            blocks.append(Block(_unescape(match.group(2)), kind="heading", heading_level=len(match.group(1))))
        elif not line.strip():
            flush()
        else:
            paragraph.append(_unescape(line.strip()) if markdown else line.rstrip())
    flush()
    title = str(metadata.get("제목") or "")
    if not title and blocks and blocks[0].heading_level == 1:
        title = blocks[0].text
    return Document(source=str(path), format="md" if markdown else "txt", title=title, blocks=blocks,
                    metadata=metadata)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading `---` YAML block off; keep the keys the product uses, as strings."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    try:
        raw = yaml.load(text[3:end], Loader=_LOADER)  # a safe loader
    except yaml.YAMLError:
        return {}, text
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    if not isinstance(raw, dict):
        return {}, body
    metadata: dict[str, Any] = {}
    for key, value in raw.items():
        name = _META_KEYS.get(str(key))
        if name is None or value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, (date, datetime)):
            value = value.isoformat()[:10]
        elif isinstance(value, dict):
            continue
        value = str(value).strip()
        if name in _DATE_KEYS:
            value = iso_date(value) or value  # a date the card compares with today; odd text is kept as written
        elif name == "공포번호":
            value = issue_number(value)
        if value and name not in metadata:  # the first of two aliases wins (자치법규명 before a later title)
            metadata[name] = value
    return metadata, body


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", _BOLD.sub(r"\1", text))


def _read_limited(path: Path, max_chars: int) -> str:
    # A UTF-8 Hangul character is three bytes, so 4x the character cap bounds any real text.
    with path.open("rb") as handle:
        raw = handle.read(max_chars * 4 + 1)
    if len(raw) > max_chars * 4:
        raise IngestError("too_large", f"본문이 {max_chars:,}자를 넘습니다")
    text = decode_text(raw)
    if len(text) > max_chars:
        raise IngestError("too_large", f"본문이 {max_chars:,}자를 넘습니다")
    return text


def read_csv(path: Path, max_chars: int) -> Document:
    text = _read_limited(path, max_chars)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows = ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect))
    blocks = rows_as_blocks(rows, max_chars)
    return Document(source=str(path), format="csv", title="", blocks=blocks)
