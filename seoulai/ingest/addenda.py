"""부칙 (addenda): their labels, and the later 시행일 the newest amendment's 부칙 gives some articles.

Each amendment's 부칙 sits under its own label line: "부칙 <제8952호, 2023.10.4>", "부칙(서울특별시 조례 만（滿） 나이
일괄개정조례) <제8709호, 2023.5.22>", or a bare "부칙" in a law. The 부칙 of the amendment the document is (its
공포번호 or 공포일자 in the front matter or header) may defer some articles: "다만, 제18조의 개정 규정은 2023년 10월
19일부터 시행한다." Those articles take that date; every other article keeps the document's 시행일자. Dates given
relative to promulgation ("공포 후 6개월이 경과한 날부터") are not computed: the document's date stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from seoulai.ingest.rule_header import iso_date
from seoulai.ingest.types import Chunk
from seoulai.retrieval.statute import article_key

_LABEL = re.compile(r"부\s*칙\s*(?:\([^()\n]{0,120}\)\s*)?(?:<[^<>\n]{0,80}>\s*)?(?:\([^()\n]{0,120}\)\s*)?")
# Text that opens a 부칙 when it shares the label's line ("부칙 이 규칙은 공포한 날부터 시행한다." in a PDF), as
# against a sentence that merely starts with the word ("부칙 제2조에 따라 …").
_OPENING = re.compile(r"(?:이\s|제\s*1\s*조|①|\(1\)|1\.\s)")
_ISSUE = re.compile(r"<([^<>\n]{0,80})>")
_NUMBER = re.compile(r"제\s*(\d{1,7})\s*호")
_FROM = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s*부터\s*시행")
# An article reference; group 1 marks one that is not this rule's: a 부칙's own article or another law's (「…」 제5조).
_REF = re.compile(r"(부\s*칙\s*|」\s*)?제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
# Both from the start of a blank run only (the look-behind): tried inside a long run they were quadratic.
_RANGE_TAIL = re.compile(r"(?<!\s)\s*부터\s*제\s*(\d+)\s*조\s*까지")
_OWN_HEADING = re.compile(r"(?<!\s)\s*제\s*\d+\s*조(?:\s*의\s*\d+)?\s*\([^()\n]{0,40}\)")
_CLAUSE_ENDS = ("다만,", "다만", "하고,", "하며,", "한다.", "\n")
CLAUSE_CHARS = 300  # how far back a clause naming articles may start before its "…부터 시행"


def addendum_label(line: str, heading: bool = False) -> tuple[str, str] | None:
    """("부칙 <제8952호, 2023.10.4>", text after the label on that line) when the line opens a 부칙, else None."""
    match = _LABEL.match(line.strip())
    if match is None:
        return None
    label = " ".join(match.group(0).split())
    rest = line.strip()[match.end() :].strip()
    if not (heading or not rest or "<" in label or _OPENING.match(rest)):
        return None
    return re.sub(r"^부\s*칙", "부칙", label), rest


def label_issue(label: str) -> tuple[int | None, str | None]:
    """The 공포번호 and ISO 공포일자 a 부칙 label names ("<제8952호, 2023.10.4>" gives 8952, "2023-10-04")."""
    inside = _ISSUE.search(label)
    text = inside.group(1) if inside else label
    number = _NUMBER.search(text)
    return (int(number.group(1)) if number else None), iso_date(text)


def is_newest(label: str, metadata: Mapping[str, Any]) -> bool:
    """Whether a 부칙 belongs to the amendment the document is: same 공포번호, else same 공포일자."""
    number, day = label_issue(label)
    wanted = str(metadata.get("공포번호") or "")
    if number is not None and wanted.isdigit():
        return number == int(wanted)
    return bool(day and day == metadata.get("공포일자"))


def deferred_articles(text: str) -> dict[str, str]:
    """Articles a 부칙 puts in force on a later date: {"제18조": "2023-10-19"} (the latest date if several)."""
    dates: dict[str, str] = {}
    for match in _FROM.finditer(text):
        try:
            day = date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            continue
        floor = max(0, match.start() - CLAUSE_CHARS)
        ends = [i + len(end) for end in _CLAUSE_ENDS if (i := text.rfind(end, floor, match.start())) >= 0]
        clause = text[max([floor, *ends]) : match.start()]
        own = _OWN_HEADING.match(clause)  # "제2조(시행일에 관한 특례) 제18조의 …": the 부칙's own article heading
        for key in _clause_articles(clause[own.end() :] if own else clause):
            dates[key] = max(day, dates.get(key, day))
    return dates


def _clause_articles(clause: str) -> list[str]:
    keys: list[str] = []
    for ref in _REF.finditer(clause):
        marker = (ref.group(1) or "").strip()
        if marker.startswith("부"):
            break  # "부칙 제13조제67항, 제13조제68항 …": the rest of the list is the 부칙's too
        if marker:
            continue
        number, sub = int(ref.group(2)), ref.group(3)
        keys.append(f"제{number}조" + (f"의{int(sub)}" if sub else ""))
        tail = _RANGE_TAIL.match(clause, ref.end())
        if tail and not sub:
            keys += [f"제{n}조" for n in range(number + 1, min(int(tail.group(1)), number + 200) + 1)]
    return keys


def apply_newest(chunks: Iterable[Chunk], metadata: Mapping[str, Any]) -> None:
    """Mark the newest amendment's 부칙 and give the articles it defers their own 시행일 (stored per chunk).

    Its pieces open with the version's 시행일 ("※ 현행 조례의 시행일: 2025. 9. 29."): older 부칙 read the same
    "이 조례는 공포한 날부터 시행한다.", and the note is what tells the reader, and the keyword index, which one
    answers "언제부터 시행돼요?" or "시행일은?".
    """
    chunks = list(chunks)
    newest = [c for c in chunks if c.section.startswith("부칙") and is_newest(c.section, metadata)]
    if not newest:
        return
    dates = deferred_articles("\n".join(c.text for c in newest))
    enforced = iso_date(str(metadata.get("시행일자") or ""))
    if enforced:
        kind = str(metadata.get("종류") or "").strip()
        day = ". ".join(str(int(part)) for part in enforced.split("-")) + "."
        note = f"※ 현행 {kind}의 시행일: {day}" if kind else f"※ 현행 시행일: {day}"
        for chunk in newest:
            chunk.text = f"{note}\n{chunk.text}"
    for chunk in chunks:
        key = article_key(chunk.section)
        if key in dates:
            chunk.effective_date = dates[key]
