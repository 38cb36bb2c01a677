"""Deterministic citation check of a generated answer against the passages it was given."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# [1], [1, 2], [1][2], [1-3] and full-width brackets.
_CITE = re.compile(r"[\[［]\s*(\d{1,3}(?:\s*[,~\-–]\s*\d{1,3})*)\s*[\]］]")


@dataclass
class CitationCheck:
    text: str  # the answer with invalid citations removed
    cited: list[int] = field(default_factory=list)  # valid passage numbers, in order of first use
    invalid: list[int] = field(default_factory=list)  # numbers that referred to no passage

    @property
    def grounded(self) -> bool:
        return bool(self.cited)


def _numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", group):
        bounds = re.split(r"\s*[~\-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            numbers += list(range(low, high + 1)) if 0 < high - low < 20 else [low, high]
        elif part.isdigit():
            numbers.append(int(part))
    return numbers


def check_citations(answer: str, passage_count: int) -> CitationCheck:
    """Keep citations 1..passage_count, drop the others (and report them)."""
    cited: list[int] = []
    invalid: list[int] = []

    def replace(match: re.Match[str]) -> str:
        numbers = _numbers(match.group(1))
        valid = [n for n in numbers if 1 <= n <= passage_count]
        for n in numbers:
            if n in valid:
                if n not in cited:
                    cited.append(n)
            elif n not in invalid:
                invalid.append(n)
        return "".join(f"[{n}]" for n in dict.fromkeys(valid))

    text = _CITE.sub(replace, answer)
    text = re.sub(r"[ \t]+([.,。])", r"\1", text)
    return CitationCheck(text=text.strip(), cited=cited, invalid=invalid)
