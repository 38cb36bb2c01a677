"""A document's real title when its stored summary is missing, generic or stale.

HWP files carry a "summary" title that 한글 copies from the template or an older version ("2003년도",
"제목입니다."); the first heading of the body is then the better title: a "제목" field, or the first line that is
not a label (보도일시, 별표, 문서번호 …).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from seoulai.ingest.types import Block

_LABELED = re.compile(r"(?:\[|(?<!\s))\s*제\s*목\s*\]?\s*[:：|]?\s*\n?\s*([^\n|]{2,120})")
_LABEL = re.compile(r"^\s*(?:보도\s*일시|배포\s*일시|보도\s*시점|별표|별지|\[\s*문서번호|문서번호|담당|수신|발신|붙임|"
                    r"제\s*목)")
_GENERIC = re.compile(r"^(?:\d{4}\s*년도?|제목\s*없음|제목입니다\.?|untitled|noname|문서\d*|새 문서|hwp)$", re.IGNORECASE)
_SPACED = re.compile(r"^(?:[가-힣]\s+)+[가-힣]$")
_SPACED_START = re.compile(r"^((?:[가-힣]\s{2,})+[가-힣])(?=\s|$)")  # "위  임  장 행복주택 …"
_BULLET = re.compile(r"^[□■○●◦o\-·※▶▷◆◇]\s")
LOOK = 12
LONGEST = 80


def _clean(line: str) -> str:
    line = " ".join(line.split()).strip(" |")
    if _SPACED.match(line):  # "위  임  장" is written letter-spaced: the title is 위임장
        line = line.replace(" ", "")
    return line


def title_from_blocks(blocks: Sequence[Block]) -> str:
    head = blocks[:LOOK]
    for block in head:
        match = _LABELED.search(block.text)
        if match and match.group(1).strip():
            return _clean(match.group(1))
    for block in head:
        if block.kind == "note":
            continue
        first = block.text.strip().split("\n", 1)[0]
        cell = first.split(" | ", 1)[0] if block.kind == "table" else first
        if _LABEL.match(cell) or _BULLET.match(cell.strip()):
            continue
        spaced = _SPACED_START.match(cell.strip())
        cell = _clean(spaced.group(1) if spaced else cell)
        if len(cell) < 3 or re.fullmatch(r"[\d\s.,:()\-~]+", cell):
            continue
        if len(cell) > LONGEST:  # a headline box holding the subtitle too: its opening words
            cell = cell[:LONGEST].rsplit(" ", 1)[0] + " …"
        return cell
    return ""


def summary_fits(title: str, blocks: Sequence[Block]) -> bool:
    """A stored title that is specific and found near the start of the body."""
    compact = re.sub(r"\s+", "", title)
    if len(compact) < 2 or _GENERIC.match(title.strip()):
        return False
    body = re.sub(r"\s+", "", " ".join(b.text for b in blocks[:40]))
    return compact in body
