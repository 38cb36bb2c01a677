"""Is this question a follow-up of the conversation, or a new topic?

Only a follow-up carries context into the search (and the model's prompt): pronouns and demonstratives
("그", "이 경우", "해당"), ellipsis ("연장은요?"), or a question too short to stand alone. A new topic in the
same conversation retrieves exactly as it would in a fresh one. With a model, a follow-up is rewritten into a
standalone question (prompt: prompts/followup_rewrite.j2) and the rewrite is shown to the person; without one,
the previous question's words are added to the search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from seoulai.retrieval.keyword import AnalyzedQuery
from seoulai.retrieval.query import analyze_query

# Words that point back at something said before.
_REFERRING = re.compile(
    r"(?:^|[\s(])(?:그|이|저|해당|위|앞|상기)\s?(?:것|거|건|게|경우|때|기간|사람|내용|조문|규정|조항|서류|절차|기준|"
    r"부분|점|문서|방법|사항|요건|법|말씀|답변)"
    r"|(?:^|\s)(?:그럼|그러면|그렇다면|그런데|그래도|그래서|그렇게|그런|이런|저런|그거|이거|저거|그건|이건|그게|이게|거기|여기)"
    r"(?=$|[\s,?.!은는이가을를도요])")
# "연장은요?", "민원인은?", "기간은요": a bare topic with a particle, the rest left out.
_ELLIPSIS = re.compile(r"^\S{1,12}\s?(?:은|는|이|가|도|만)?\s?(?:요|는요|은요)?\s?\?*$")
SHORT_TERMS = 2


@dataclass(frozen=True)
class Turn:
    """One side of an earlier exchange, as the next question sees it."""

    role: Literal["user", "assistant"]
    text: str

    @property
    def role_label(self) -> str:
        return "질문" if self.role == "user" else "답변"


@dataclass
class Plan:
    """How one question is searched and answered."""

    query: str  # what is searched
    analyzed: AnalyzedQuery  # the query, analysed once (search and the evidence check share it)
    follow_up: bool = False
    rewritten: str = ""  # the standalone question the model wrote (shown to the person), if any
    history: list[Turn] = field(default_factory=list)  # the turns the model sees


def is_follow_up(question: str, history: Sequence[Turn], analyzed: AnalyzedQuery | None = None) -> bool:
    """``analyzed``: the question's analysis when the caller has it (it is not analysed a second time)."""
    if not any(t.role == "user" for t in history):
        return False
    text = question.strip()
    if _REFERRING.search(text) or _ELLIPSIS.match(text):
        return True
    return len((analyzed or analyze_query(text)).content_terms()) <= SHORT_TERMS


def previous_question(history: Sequence[Turn]) -> str:
    return next((t.text for t in reversed(history) if t.role == "user"), "")
