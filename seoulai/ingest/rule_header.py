"""The header law.go.kr and ELIS print above a 자치법규 or 법령, read into the document's metadata.

A rule a 과 downloads as HWP, HWPX, PDF or DOCX has no front matter; its first lines carry the same facts:

    서울특별시 공무원 복무 조례
    [시행 2025. 9. 29.] [서울특별시조례 제9786호, 2025. 9. 29., 일부개정]
    서울특별시(인사과), 02-2133-5000

They become the keys the Markdown front matter gives (plaintext.split_front_matter): 제목, 종류, 시행일자,
공포번호, 공포일자, 제개정구분, 담당부서 and 지자체 or 소관부처. Every pattern here is linear: bracket contents
and office lines are bounded character classes, never nested repetition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from seoulai.ingest.types import Block, Document

_BRACKET = re.compile(r"\[([^\[\]\n]{1,120})\]")
_DATE = re.compile(r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})")
# "[시행 2025. 9. 29.]", not the "[시행일: 2026. 1. 1.]" law.go.kr puts before a provision not yet in force.
_ENFORCED = re.compile(r"시행\s*\d")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NUMBER = re.compile(r"제\s*(\d{1,7})\s*호\s*$")
# "서울특별시(인사과), 02-2133-5000" or "행정안전부(자치분권제도과) 044-205-3306": an office and its 과.
_OFFICE = re.compile(r"([^\s()（）,\[\]]{2,40})\s*[(（]([^()（）\n]{1,40})[)）]\s*(?:[,，]\s*)?(?:[0-9][0-9\-–~() ,]{0,40})?")
_LOCAL_GOVERNMENT = re.compile(r"(?:특별시|광역시|특별자치시|특별자치도|도|시|군|구)$")
# A 지자체's kinds of rule: "서울특별시조례" is a 조례 of 서울특별시; "대통령령", "행정안전부령" are kinds themselves.
_LOCAL_KINDS = ("조례", "규칙", "훈령", "예규", "고시", "지침")
LOOK_LINES = 12
# Keys that show a document already carries this metadata (front matter): the header is then not read.
RULE_KEYS = ("종류", "시행일자", "공포번호")


def iso_date(value: str) -> str | None:
    """"2025. 9. 29.", "2025-09-29", "2025년 9월 29일" or "20250929" as "2025-09-29"; None if not a date."""
    match = _DATE.search(value) or _COMPACT_DATE.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def issue_number(value: str) -> str:
    """"09329" and "9329" are one 공포번호: stored without leading zeros, as law.go.kr shows it (제9329호)."""
    text = value.strip()
    return str(int(text)) if text.isdigit() else text


def header_lines(blocks: Sequence[Block]) -> list[str]:
    """The first non-empty lines of the body (a PDF page block holds many; a DOCX paragraph one)."""
    lines: list[str] = []
    for block in blocks:
        if block.kind == "note":
            continue
        lines += [" ".join(line.split()) for line in block.text.split("\n") if line.strip()]
        if len(lines) >= LOOK_LINES:
            break
    return lines[:LOOK_LINES]


def parse_rule_header(lines: Sequence[str]) -> dict[str, str]:
    """The metadata a law.go.kr / ELIS header gives, or {} when the lines hold no such header."""
    found: dict[str, str] = {}
    first_bracket: int | None = None
    for number, line in enumerate(lines):
        brackets = _BRACKET.findall(line)
        facts = {k: v for content in brackets for k, v in _bracket_facts(content).items()}
        if not facts:
            continue
        if first_bracket is None:
            first_bracket = number
        found.update(facts)
    if first_bracket is None:
        return {}
    title = lines[first_bracket - 1] if first_bracket > 0 else ""
    if title and not _OFFICE.fullmatch(title) and not title.startswith("["):
        found["제목"] = title
    offices = [m for m in (_OFFICE.fullmatch(line) for line in lines[first_bracket + 1 :]) if m]
    if offices:
        found["담당부서"] = ", ".join(dict.fromkeys(m.group(2).strip() for m in offices))
        organisation = offices[0].group(1)
        local = "지자체" in found or _LOCAL_GOVERNMENT.search(organisation)
        found.setdefault("지자체" if local else "소관부처", organisation)
    return found


def _bracket_facts(content: str) -> dict[str, str]:
    """"시행 2025. 9. 29." or "서울특별시조례 제9786호, 2025. 9. 29., 일부개정" as metadata."""
    content = content.strip()
    if _ENFORCED.match(content):
        day = iso_date(content)
        return {"시행일자": day} if day else {}
    parts = [part.strip() for part in content.split(",")]
    number = _NUMBER.search(parts[0])
    if number is None:
        return {}
    facts = {"공포번호": issue_number(number.group(1))}
    kind = parts[0][: number.start()].strip()
    for local in _LOCAL_KINDS:
        if kind.endswith(local) and len(kind) > len(local):
            owner = kind[: -len(local)].strip()
            facts["지자체" if _LOCAL_GOVERNMENT.search(owner) else "소관부처"] = owner
            kind = local
            break
    if kind:
        facts["종류"] = kind
    if len(parts) > 1 and (day := iso_date(parts[1])):
        facts["공포일자"] = day
    if len(parts) > 2 and parts[2] and len(parts[2]) <= 12:
        facts["제개정구분"] = parts[2]
    return facts


def apply_rule_header(document: Document) -> bool:
    """Fill a document's metadata (and title) from its header when it has none of its own; True if read."""
    if any(document.metadata.get(key) for key in RULE_KEYS):
        return False
    found = parse_rule_header(header_lines(document.blocks))
    if not found:
        return False
    for key, value in found.items():
        document.metadata.setdefault(key, value)
    if found.get("제목"):
        # The header's first line is the rule's name; a file's stored title is often a template's leftover.
        document.title = found["제목"]
    return True
