"""The articles a passage refers to, resolved to the library: 「지방공무원법」 제27조, 같은 법 제28조, 법 제5조,
영 제3조, 이 조례 제7조, 조례 제4조 (from its 시행규칙), or a bare 제9조 (the same rule).

"법" and "영" mean what the rule defines them as ("「지방자치법」(이하 "법"이라 한다)"); without a definition a
decree's "법" is its own act and a 시행규칙's "조례" its 조례 (the family, seoulai.retrieval.statute). "같은 법" is the
law named last before it. A reference resolves when the library the person reads holds that article; the card
shows those as links and the rest stays plain text in the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from seoulai.retrieval.statute import compact, family_of

def _article(n: int) -> str:
    return rf"제\s*(?P<n{n}>\d+)\s*조(?:\s*의\s*(?P<m{n}>\d+))?"


# One pass over the text, left to right; every alternative is bounded, so the scan is linear.
_TOKEN = re.compile(
    r"「(?P<title>[^」\n]{2,80})」\s*(?P<decree>시행령|시행규칙)?\s*(?:" + _article(1) + ")?"
    r"|(?P<same>같은|동)\s*(?P<same_kind>법|영|시행령|시행규칙|조례|규칙|규정)\s*(?P<same_decree>시행령|시행규칙)?\s*"
    + _article(2)
    + r"|(?<![가-힣])(?P<this>이)\s*(?:법|영|조례|규칙|규정|지침)\s*" + _article(3)
    + r"|(?<![가-힣])(?P<kind>법|영|시행령|시행규칙|조례|규칙)\s*" + _article(4)
    + r"|(?<![가-힣」])" + _article(5)
)
# "「지방자치법」(이하 "법"이라 한다)", "「서울특별시 … 조례」(이하 "조례"라 한다)".
_DEFINED = re.compile(r"「([^」\n]{2,80})」\s*[(（]\s*이하\s*[\"“”'‘’]?\s*([가-힣]{1,6})\s*[\"“”'‘’]?\s*(?:이)?라\s*한다")
_DECREE = re.compile(r"(시행령|시행규칙|시행세칙)$")
# Amendment notes name articles that are not references: "[종전 제24조는 제25조로 이동 <2025.1.3>]", "<개정 …>".
_NOTES = re.compile(r"\[[^\[\]\n]{0,200}\]|<[^<>\n]{0,200}>")


@dataclass(frozen=True)
class Reference:
    """An article a passage refers to, as found in the library."""

    title: str
    section: str
    text: str
    collection: str
    chunk_id: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "section": self.section}


def defined_aliases(texts: Iterable[str]) -> dict[str, str]:
    """Short names a rule defines for other laws: {"법": "지방자치법", "영": "지방자치법시행령"} (compact titles)."""
    aliases: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            title, alias = compact(match.group(1)), match.group(2)
            aliases.setdefault(alias, title)
    if "법" in aliases and "영" not in aliases:
        aliases["영"] = _DECREE.sub("", aliases["법"]) + "시행령"
    return aliases


def cited_articles(text: str, title: str, aliases: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(compact title, article) pairs a passage refers to, in order, without itself and without repeats.

    The passage's first line is its own heading and is skipped."""
    body = _NOTES.sub(" ", text.split("\n", 1)[1] if "\n" in text else "")
    aliases = aliases or {}
    own = compact(title)
    family = family_of(title)
    is_rule = own.endswith("시행규칙") and not own.endswith("법시행규칙")
    last: str | None = None
    found: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(body):
        if match.group("title"):
            named = compact(match.group("title")) + (match.group("decree") or "")
            last = named
            target, number, sub = named, match.group("n1"), match.group("m1")
            if number is None:
                continue
        elif match.group("same"):
            kind = match.group("same_decree") or match.group("same_kind")
            base = last or family
            target = _DECREE.sub("", base) + ("시행령" if kind in ("영", "시행령") else
                                             "시행규칙" if kind == "시행규칙" else "")
            number, sub = match.group("n2"), match.group("m2")
        elif match.group("this"):
            target, number, sub = own, match.group("n3"), match.group("m3")
        elif match.group("kind"):
            target = _resolve_kind(match.group("kind"), aliases, own, family, is_rule)
            number, sub = match.group("n4"), match.group("m4")
        else:
            target, number, sub = own, match.group("n5"), match.group("m5")
        key = (target, f"제{int(number)}조" + (f"의{int(sub)}" if sub else ""))
        if key not in found:
            found.append(key)
    return found


def _resolve_kind(kind: str, aliases: dict[str, str], own: str, family: str, is_rule: bool) -> str:
    if kind in aliases:
        return aliases[kind]
    if kind == "법":
        return family
    if kind in ("영", "시행령"):
        return family + "시행령"
    if kind == "조례":
        return family  # a 시행규칙's "조례": the 조례 it implements
    if kind in ("규칙", "시행규칙"):
        return own if is_rule else family + "시행규칙"
    return own
