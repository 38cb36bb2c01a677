"""사무분장 paragraphs ("③ 총무과장은 다음 사항을 분장한다." + numbered items) of an organisation rule.

Pure text functions shared by the chunker (one chunk per duty paragraph) and the organisation chart
(units and their duties). Every regex here is anchored or fixed-phrase without nested quantifiers, so
matching stays linear in the length of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DutySection:
    """One unit's 사무분장 paragraph."""

    unit: str  # "총무과"
    parent: str  # the article's title, "행정국" (the 실/본부/국/관 the unit belongs to)
    duties: tuple[str, ...]  # the duty item lines without their numbers, 삭제 items dropped
    text: str  # the paragraph as written, heading line + items, 삭제 items dropped, <개정 …> notes removed
    paragraph: int = 0  # the circled paragraph number (③ -> 3); 0 when the paragraph has none
    supervisor: str = ""  # a 기획관 that "제4항부터 제8항까지의 사무를 분장한다" over this paragraph


# The fixed phrase that opens a duty paragraph; "다음사항을" (no space) occurs in the rule too.
_DUTY_PHRASE = re.compile(r"다음 ?사항을 ?분장한다")
_ITEM = re.compile(r"(\d{1,3})\.\s*")
_DELETED_ITEM = re.compile(r"삭제(?:\s|<|$)")
# Amendment notes: "<개정 2011.12.29, 2012.9.28>", "<신설 2024.6.28>", "<전문개정 …>".
_NOTE = re.compile(r"(?<!\s)\s*<(?:개정|신설|전문개정|본조신설|타법개정|제목개정)[^<>\n]*>")
_ARTICLE_TITLE = re.compile(r"제\d+조(?:의\d+)?\s*\(([^()]*)\)")
# "경제일자리기획관은 제4항부터 제8항까지의 사무를" / "규제혁신기획관은 제16항의 사무를" / "제5항에서 제9항까지".
_SUPERVISED = re.compile(r"제(\d{1,2})항(?:(?:부터|에서) 제(\d{1,2})항까지)?의 사무를")
_CIRCLED_FIRST, _CIRCLED_LAST = 0x2460, 0x2473  # ① .. ⑳
_CIRCLED_21, _CIRCLED_35 = 0x3251, 0x325F  # ㉑ .. ㉟


def split_duties(article_title: str, body: str) -> tuple[str, list[DutySection]]:
    """The article body without its duty paragraphs, and one DutySection per '…은 다음 사항을 분장한다' paragraph.

    ``article_title`` may be the bare title ("행정국") or the whole heading ("제17조의5 (행정국)").
    An article without duty paragraphs comes back unchanged with an empty list.
    """
    parent = article_name(article_title)
    lines = body.split("\n")
    rest: list[str] = []
    sections: list[DutySection] = []
    supervisors: dict[int, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        supervisors.update(_supervised_paragraphs(stripped))
        unit = duty_unit(stripped)
        if unit is None:
            rest.append(line)
            index += 1
            continue
        heading = _NOTE.sub("", stripped).strip()
        kept: list[str] = [heading]
        duties: list[str] = []
        index += 1
        while index < len(lines):
            item = lines[index].strip()
            match = _ITEM.match(item)
            if match is None:
                break
            index += 1
            content = _NOTE.sub("", item[match.end():]).strip()
            if not content or _DELETED_ITEM.match(content):
                continue
            duties.append(content)
            kept.append(_NOTE.sub("", item).strip())
        sections.append(DutySection(unit=unit, parent=parent, duties=tuple(duties), text="\n".join(kept),
                                    paragraph=paragraph_number(stripped)))
    if not sections:
        return body, []
    if supervisors:
        sections = [_with_supervisor(s, supervisors) for s in sections]
    return "\n".join(rest).strip("\n"), sections


def article_name(title: str) -> str:
    """ "제17조의5 (행정국)" -> "행정국"; a bare title comes back stripped."""
    match = _ARTICLE_TITLE.search(title)
    return (match.group(1) if match else title).strip()


def duty_unit(line: str) -> str | None:
    """The unit a duty paragraph's heading line names, or None when the line does not open one."""
    match = _DUTY_PHRASE.search(line)
    if match is None:
        return None
    prefix = _strip_circled(line[: match.start()]).rstrip()
    # "서북병원 진료부 산하에 의료지원과를 두고 다음 사항을 분장한다."
    for placed in ("를 두고", "을 두고"):
        if prefix.endswith(placed):
            words = prefix[: -len(placed)].split()
            return words[-1] if words else None
    if not prefix.endswith(("은", "는")):
        return None
    words = prefix[:-1].split()
    if not words:
        return None
    if words[-1] == "주간" and len(words) > 1:  # "대학언론사 주간은": the unit, then its head's title
        return words[-2]
    return unit_of_head(words[-1])


def unit_of_head(head: str) -> str:
    """The unit a head's title stands for: 총무과장 -> 총무과, 언론담당관 -> 언론담당관, 운영기획부장 -> 운영기획부."""
    head = head.split("ㆍ")[0]  # "약제부장ㆍ과장": both heads share the paragraph; the first names it
    if head.endswith("담당관"):
        return head
    if head.endswith("위원장"):
        return head[:-1] + "회"
    if head.endswith("센터소장"):  # "아리수정수센터소장": the 센터 is the unit, its head a 소장
        return head[:-2]
    if head.endswith("장") and len(head) > 1:
        return head[:-1]
    return head


def paragraph_number(line: str) -> int:
    """③ -> 3; 0 when the line does not start with a circled number."""
    if not line:
        return 0
    code = ord(line[0])
    if _CIRCLED_FIRST <= code <= _CIRCLED_LAST:
        return code - _CIRCLED_FIRST + 1
    if _CIRCLED_21 <= code <= _CIRCLED_35:
        return code - _CIRCLED_21 + 21
    return 0


def _strip_circled(text: str) -> str:
    text = text.strip()
    return text[1:].lstrip() if paragraph_number(text) else text


def _supervised_paragraphs(line: str) -> dict[int, str]:
    """{paragraph number: 관} from "정책관은 제4항부터 제8항까지의 사무를, 국장은 …" (not a duty paragraph)."""
    found: dict[int, str] = {}
    start = 0
    for match in _SUPERVISED.finditer(line):
        words = _strip_circled(line[start: match.start()]).rstrip(" ,").split()
        start = match.end()
        if not words or not words[-1].endswith(("은", "는")):
            continue
        head = words[-1][:-1]
        first = int(match.group(1))
        last = int(match.group(2) or first)
        for number in range(first, min(last, first + 40) + 1):
            found[number] = head
    return found


def _with_supervisor(section: DutySection, supervisors: dict[int, str]) -> DutySection:
    head = supervisors.get(section.paragraph, "")
    if not head:
        return section
    return DutySection(unit=section.unit, parent=section.parent, duties=section.duties, text=section.text,
                       paragraph=section.paragraph, supervisor=head)
