"""Every module-level pattern in seoulai runs in linear time on long adversarial text (a question, a document, model
output): a pattern that backtracks over a whole run for every start position holds the GIL for minutes on 200,000
characters and freezes every other request of the server.

A test of complexity, not of speed: each pattern scans runs of characters taken from its own source (and a few
that documents are full of) at 5,000 and at 50,000 characters. Linear time is about 10 times longer at ten times
the length, quadratic about 100 times; more than 30 times fails. Runs shorter than a few milliseconds count as
that floor, so timer noise cannot fail a fast pattern."""

from __future__ import annotations

import gc
import importlib
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHORT, LONG = 5_000, 50_000
FLOOR = 0.003  # seconds: shorter runs are noise
COMMON = "가 a1.\n-①제조<「@:/"  # Korean text, words, numbers, sentence ends, blank lines, list marks, brackets


def _patterns() -> dict[str, re.Pattern[str]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for path in sorted((ROOT / "seoulai").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault(id(value), (f"{name}.{attr}", value))
    return dict(found.values())


PATTERNS = _patterns()


def _alphabet(pattern: re.Pattern[str]) -> list[str]:
    """Characters the pattern itself names, and the common ones: runs of them are what makes a pattern backtrack."""
    own = {c for c in pattern.pattern if not c.isascii() or c in " .,:;!?()[]<>-/@#*_\n"}  # "a" and "1" stand for
    return sorted(own | set(COMMON))  # every ASCII letter and digit


def _seconds(pattern: re.Pattern[str], text: str, times: int = 2) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        for _match in pattern.finditer(text):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def test_the_patterns_are_found() -> None:
    assert len(PATTERNS) > 50 and "seoulai.retrieval.query._SENTENCE" in PATTERNS


@pytest.mark.timeout(900)  # a quadratic pattern takes minutes at 50,000 characters; a linear set takes seconds
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_is_linear_on_long_adversarial_text(name: str) -> None:
    pattern = PATTERNS[name]
    slow = []
    gc.disable()  # a collection during one of the runs is not the pattern's time
    try:
        for char in _alphabet(pattern):
            short = max(_seconds(pattern, char * SHORT), FLOOR)
            if short > 30 * FLOOR:  # already slow at 5,000 characters: quadratic, no need to wait for 50,000
                slow.append((char, round(short, 3), None))
                continue
            long = _seconds(pattern, char * LONG, times=1)
            if long / short > 30:  # measured again before it counts: one run can meet a busy machine
                short = max(_seconds(pattern, char * SHORT, times=5), FLOOR)
                long = _seconds(pattern, char * LONG, times=3)
            if long / short > 30:
                slow.append((char, round(short, 3), round(long, 3)))
    finally:
        gc.enable()
    assert slow == [], f"{name} is not linear on runs of {slow} (seconds at {SHORT:,} and {LONG:,} characters)"
