"""Does the question name a law that is not in the person's collections?

Then the answer says so ("문서함에 「공공기관의 정보공개에 관한 법률」이 없습니다") instead of answering from the
nearest passage of another law. Laws are recognised by their 약칭 (seoulai/text/abbreviations.py), a 「quoted」
title, or any of the 5,543 Korean statute titles (seoulai/text/law_titles.txt), spaces ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from seoulai.retrieval.statute import compact, family_of
from seoulai.text.abbreviations import expand_abbreviations
from seoulai.text.korean import PhraseTable

TITLES = Path(__file__).resolve().parents[1] / "text" / "law_titles.txt"
_QUOTED = re.compile(r"「([^」]{2,80})」")


@lru_cache(maxsize=1)
def _known() -> PhraseTable:
    titles = [line.strip() for line in TITLES.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    return PhraseTable({compact(t): t for t in titles})


def named_laws(question: str) -> list[str]:
    """The laws a question names, as full titles, in the order named."""
    names = [t for expansion in expand_abbreviations(question) for t in _split(expansion)]
    names += _QUOTED.findall(question)
    names += _known().lookup(question)
    return list(dict.fromkeys(names))


def _split(expansion: str) -> list[str]:
    # A colloquial name may stand for several acts ("소방법"): their titles are joined by spaces after 법률.
    return [part.strip() for part in re.split(r"(?<=법률)\s+(?=[가-힣])", expansion) if part.strip()]


def missing_laws(named: list[str], available_titles: set[str]) -> list[str]:
    """The named laws of which no act, decree or rule is in the collections searched."""
    families = {family_of(t) for t in available_titles}
    return [title for title in named if family_of(title) not in families]


def josa(word: str, with_final: str, without_final: str) -> str:
    """The particle that fits the word's last syllable (받침): 법률이, 규정이, 지침이 / 기준가."""
    last = word.rstrip("」』)").strip()[-1:] or "가"
    has_final = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
    return with_final if has_final else without_final
