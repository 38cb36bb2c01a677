"""Statute structure used for ranking: law families, article keys, and the citation graph.

- A *family* is an act with its decrees: "소방시설 설치 및 관리에 관한 법률", "... 시행령" and "... 시행규칙"
  share one family, so a question about the act also lifts its enforcement decree.
- An *article key* is "제37조" or "제19조의2", read from the chunk's section path.
- The *citation graph* counts how often other articles cite an article ("법 제24조에 따른",
  "「건축법」 제49조"). Articles many others rely on are the ones answers usually rest on; the ranking uses
  log(1 + citations) as a prior.
"""

from __future__ import annotations

import re

_DECREE_SUFFIX = re.compile(r"(시행령|시행규칙|시행세칙)$")
_ARTICLE = re.compile(r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
# "법 제24조", "영 제5조", "규칙 제3조", "같은 법 제2조", or a bare "제7조" (same document).
_REF = re.compile(r"(?:(같은\s*법|동법|법|영|규칙)|(?<!\s))\s*제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
_TITLED_REF = re.compile(r"「([^」]{2,80})」\s*(?:시행령\s*|시행규칙\s*)?제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
_ADDENDA = re.compile(r"^부\s*칙")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def family_of(title: str) -> str:
    """The act a title belongs to: the title without its 시행령/시행규칙 suffix, spaces removed."""
    return _DECREE_SUFFIX.sub("", compact(title))


def article_key(section: str) -> str | None:
    """The article a chunk belongs to: the last 제N조(의M) of its section path ("제17조의5 (행정국) > 총무과", one unit's
    duties in an organisation rule, is still 제17조의5)."""
    for part in reversed(section.split(" > ")):
        match = _ARTICLE.match(part.strip())
        if match is not None:
            return f"제{match.group(1)}조" + (f"의{match.group(2)}" if match.group(2) else "")
    return None


def is_addenda(section: str) -> bool:
    return bool(_ADDENDA.match(section))


def citations(text: str, title: str) -> list[tuple[str, str]]:
    """(title, article) pairs an article's text cites, resolved against its own title.

    "법" is the family's act, "영" its 시행령, "규칙" its 시행규칙, a bare article the same document,
    「title」 another act. The chunk's first line (its own heading) is skipped.
    """
    body = text.split("\n", 1)[1] if "\n" in text else ""
    own = compact(title)
    act = family_of(title)
    found: list[tuple[str, str]] = []
    for match in _TITLED_REF.finditer(body):
        found.append((compact(match.group(1)), _key(match.group(2), match.group(3))))
    body = _TITLED_REF.sub(" ", body)
    for match in _REF.finditer(body):
        kind = compact(match.group(1) or "")
        target = {"법": act, "같은법": act, "동법": act, "영": act + "시행령", "규칙": act + "시행규칙"}.get(kind, own)
        found.append((target, _key(match.group(2), match.group(3))))
    return found


def _key(number: str, sub: str | None) -> str:
    return f"제{int(number)}조" + (f"의{int(sub)}" if sub else "")


def article_refs_with_titles(query: str, titles: "set[str] | frozenset[str]") -> list[tuple[str, str]]:
    """Explicit citations in a question: a law named by title (or 「title」) with article numbers.

    ``titles`` are the compact titles of the collection's documents; abbreviations are expanded by the
    caller before this is asked.
    """
    articles = [_key(m.group(1), m.group(2)) for m in _ARTICLE.finditer(query)]
    if not articles:
        return []
    text = compact(query)
    named = {t for t in titles if len(t) >= 3 and t in text}
    # "건축법 시행령 제34조" names 건축법시행령, not also 건축법.
    named = {t for t in named if not any(t != other and t in other for other in named)}
    return [(t, a) for t in named for a in articles]
