"""Broken model output is not an answer: prompt echo and repetition loops, found while the text streams.

A small or misconfigured model may copy its instructions back ("당신은 서울특별시 공무원의…", with the "[1], [2]"
of the rules in it) or repeat one clause until the token limit. Copying the *passages* is fine (laws are quoted
verbatim on purpose), copying the *instructions* is not. A loop stops the stream early; afterwards every sentence
that is mostly instruction text is dropped before citations are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHINGLE = 12
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _shingles(text: str) -> set[str]:
    text = _norm(text)
    return {text[i : i + SHINGLE] for i in range(max(len(text) - SHINGLE + 1, 0))}


@dataclass
class Verdict:
    text: str  # what is left to show and check for citations
    echoed: bool = False
    looped: bool = False

    @property
    def broken(self) -> bool:
        return self.echoed or self.looped


class OutputGuard:
    def __init__(self, instructions: str, quotable: str = "") -> None:
        quoted = _shingles(quotable)
        # Text that is both instruction and source (a passage quoting a rule) stays quotable.
        self.instruction = _shingles(instructions) - quoted

    def copied(self, text: str) -> float:
        """Share of the text's shingles taken from the instructions."""
        grams = _shingles(text)
        return len(grams & self.instruction) / len(grams) if grams else 0.0

    def check_stream(self, text: str) -> str | None:
        """While streaming: 'loop' or 'echo' when the generation should be stopped now."""
        if looping(text):
            return "loop"
        head = text[:300]
        if len(_norm(head)) >= 120 and self.copied(head) >= 0.6:
            return "echo"
        return None

    def verdict(self, text: str, stopped: str | None = None) -> Verdict:
        looped = stopped == "loop" or looping(text)
        if looped:
            text = cut_loop(text)
        kept, echoed = [], stopped == "echo"
        for sentence in _SENTENCE.split(text):
            if not sentence.strip():
                continue
            if len(_norm(sentence)) >= SHINGLE and self.copied(sentence) >= 0.5:
                echoed = True
                continue
            kept.append(sentence.strip())
        return Verdict("\n".join(kept), echoed=echoed, looped=looped)


def looping(text: str, times: int = 3) -> bool:
    """The same span (8..200 characters) three times in a row at the end, or one line (10+ characters)
    three times anywhere."""
    tail = _norm(text[-700:])
    for period in range(8, min(200, len(tail) // times) + 1):
        unit = tail[-period:]
        if tail.endswith(unit * times):
            return True
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 10]
    return any(lines.count(line) >= times for line in set(lines))


def cut_loop(text: str) -> str:
    """The text up to where the repetition starts (its first occurrence kept)."""
    seen: set[str] = set()
    out = []
    for line in text.splitlines():
        key = line.strip()
        if len(key) >= 10 and key in seen:
            break
        seen.add(key)
        out.append(line)
    text = "\n".join(out)
    norm = _norm(text)
    for period in range(8, min(200, len(norm) // 2) + 1):
        unit = norm[-period:]
        if norm.endswith(unit * 2):
            while norm.endswith(unit * 2):
                norm = norm[: -period]
            return norm
    return text
