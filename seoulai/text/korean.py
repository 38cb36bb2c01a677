"""Korean text analysis for retrieval: normalisation, Kiwi morphemes, character bigrams, query cleanup.

Kiwi is loaded once per process (about 1 s and 100 MB) and shared; its tokenize() is safe to call from
several threads. Batch tokenisation uses Kiwi's own worker threads.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

_KIWI: "Kiwi | None" = None
_KIWI_LOCK = threading.Lock()

# Content morphemes: nouns, verb/adjective stems (as -다 lemmas), roots, foreign words, numbers, hanja.
_KEEP = ("NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "SL", "SN", "SH")
# Dependent nouns and light words that carry no topic. They are not dropped from ranking (as a ranking factor the
# list did not earn its place: BENCHMARKS.md) but are left out wherever the question's topic words are meant:
# highlighting, the coverage check, follow-up detection (AnalyzedQuery.content_terms).
STOP_WORDS = frozenset("것 수 등 때 곳 데 바 중 개 명 경우 관련 해당 이 그 저 및 또는 하다 되다 있다 없다 같다 않다 위하다 "
                       "대하다 따르다 의하다 관하다 이하 이상 제 조 항 호 목".split())
# Words that ask rather than name a topic ("얼마", "며칠", "어떻게"): a question's topic words leave them out too.
QUESTION_WORDS = frozenset("얼마 몇 며칠 언제 어디 누구 무엇 무슨 어떻다 어떡하다 어쩌다 왜 어느 여쭈다 묻다 물어보다 궁금하다 "
                           "알다 모르다 되다 돼다 가능하다".split())
# Bumped whenever the tokens stored at index time change; a collection analysed by another version is analysed
# again from its stored chunk texts at start (Collection.outdated / rebuild).
ANALYSIS_VERSION = 3  # 3: words joined by "ㆍ" are separate words
_WORD = re.compile(r"\w+")
_ARTICLE_REF = re.compile(r"제\s*(\d+)\s*조(?:\s*의\s*(\d+))?")
_SPACES = re.compile(r"\s+")
_MIDDLE_DOTS = re.compile("[\u318d\u119e\u2219\u30fb\uff65]")

# Petition boilerplate: greetings, thanks and request formulas that are not the question's topic
# (and whose morphemes, e.g. 감사 "thanks" vs 감사 "audit", collide with statute words).
_BOILERPLATE = [re.compile(p) for p in (
    r"안녕하(?:세요|십니까)[.!~]*", r"수고(?:가)?\s*많(?:으십니다|습니다)[.!~]*", r"수고하(?:십니다|세요)[.!~]*",
    r"(?:항상\s*)?(?:노고에\s*)?감사(?:드립니다|합니다|하겠습니다)[.!~]*", r"고맙습니다[.!~]*",
    r"(?:빠른\s*)?(?:답변|회신|답장)\s*(?:부탁\s*)?(?:드립니다|바랍니다|주세요|주시기\s*바랍니다)[.!~]*",
    r"문의\s*(?:드립니다|합니다|드려요)[.!~]*", r"궁금(?:합니다|해서\s*문의\s*드립니다)[.!~]*",
    r"질문\s*(?:드립니다|있습니다)[.!~]*", r"수고하세요[.!~]*", r"좋은\s*하루\s*(?:되세요|보내세요)[.!~]*",
)]


def get_kiwi() -> "Kiwi":
    """The process-wide Kiwi instance (two worker threads for batch calls)."""
    global _KIWI
    if _KIWI is None:
        with _KIWI_LOCK:
            if _KIWI is None:
                from kiwipiepy import Kiwi

                _KIWI = Kiwi(num_workers=2)
    return _KIWI


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), unify middle dots, collapse spaces."""
    # Middle dots first: NFKC turns the 아래아 dot statutes write between words ("설치ㆍ운영", U+318D) into a jamo
    # (U+119E) that glues the two words into one token.
    text = unicodedata.normalize("NFKC", _MIDDLE_DOTS.sub("·", text))
    return _SPACES.sub(" ", text).strip()


def _filter(tokens: Iterable[object]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        tag = str(token.tag).split("-")[0]  # type: ignore[attr-defined]  # a kiwipiepy Token; kiwipiepy has no types
        if tag not in _KEEP:
            continue
        form = token.form  # type: ignore[attr-defined]  # a kiwipiepy Token; kiwipiepy has no types
        if tag in ("VV", "VA"):
            form = getattr(token, "lemma", None) or form + "다"
        elif tag == "SL":
            form = form.lower()
        # Kiwi gives some proper nouns as one multi-word form ("쿠알라룸푸르 국제공항"). Tokens are stored joined by
        # spaces, so the index only ever sees the parts: the question must use the parts too, or its most
        # specific word matches nothing.
        out.extend(form.split())
    return out


def morphs(text: str) -> list[str]:
    """Content morphemes of one text, plus one token per article reference ("제19조의2")."""
    text = normalize(text)
    return _filter(get_kiwi().tokenize(text)) + article_refs(text)


def morphs_batch(texts: list[str]) -> Iterator[list[str]]:
    """morphs() for many texts, tokenised by Kiwi's worker threads; yields in order."""
    normalized = [normalize(t) for t in texts]
    for text, tokens in zip(normalized, get_kiwi().tokenize(normalized)):
        yield _filter(tokens) + article_refs(text)


def article_refs(text: str) -> list[str]:
    return [f"제{m.group(1)}조" + (f"의{m.group(2)}" if m.group(2) else "") for m in _ARTICLE_REF.finditer(text)]


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams inside each word (a one-character word is kept whole)."""
    out: list[str] = []
    for word in _WORD.findall(normalize(text).lower()):
        if len(word) == 1:
            out.append(word)
        else:
            out.extend(word[i : i + 2] for i in range(len(word) - 1))
    return out


def clean_query(text: str) -> str:
    """Drop greetings, thanks and request formulas from a petition-style question."""
    for pattern in _BOILERPLATE:
        text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


class PhraseTable:
    """Finds the keys of a phrase table in a text (longest first, spaces and case ignored)."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = {key.lower(): value for key, value in table.items()}
        self.pattern = re.compile("|".join(sorted((re.escape(k) for k in self.table), key=len, reverse=True)))

    def lookup(self, text: str) -> list[str]:
        return list(dict.fromkeys(value for _, value in self.pairs(text)))

    def pairs(self, text: str) -> list[tuple[str, str]]:
        """(key as found, its value) for every key in the text, in order."""
        compact = re.sub(r"\s+", "", text).lower()
        return [(m.group(0), self.table[m.group(0)]) for m in self.pattern.finditer(compact)]
