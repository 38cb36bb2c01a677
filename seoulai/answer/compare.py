"""Comparison of two uploaded documents: their passages aligned with difflib (deterministic) and, when a
model is connected, the numbered changes explained by it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.answer.summary import system_prompt
from seoulai.ingest.types import Chunk
from seoulai.llm import Call, ChatModel, LLMError, Message
from seoulai.prompts import boundary, render


@dataclass
class Change:
    kind: Literal["added", "removed", "changed"]
    section: str
    before: str = ""
    after: str = ""
    page_before: int | None = None
    page_after: int | None = None

    @property
    def kind_label(self) -> str:
        return {"added": "추가", "removed": "삭제", "changed": "변경"}[self.kind]


@dataclass
class Comparison:
    title_a: str
    title_b: str
    changes: list[Change] = field(default_factory=list)
    explanation: str = ""
    cited: list[int] = field(default_factory=list)
    notice: str = ""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def compare(title_a: str, chunks_a: list[Chunk], title_b: str, chunks_b: list[Chunk], chat: ChatModel,
            max_changes: int = 40, call: Call | None = None) -> Comparison:
    """What changed from document A (before) to document B (after)."""
    result = Comparison(title_a=title_a, title_b=title_b)
    a = [_norm(c.text) for c in chunks_a]
    b = [_norm(c.text) for c in chunks_b]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = chunks_a[i1:i2], chunks_b[j1:j2]
        for k in range(max(len(olds), len(news))):
            old = olds[k] if k < len(olds) else None
            new = news[k] if k < len(news) else None
            kind: Literal["added", "removed", "changed"] = "changed" if old and new else ("added" if new else "removed")
            result.changes.append(Change(kind, (new or old).section,  # type: ignore[union-attr]
                                         before=old.text if old else "", after=new.text if new else "",
                                         page_before=old.page if old else None,
                                         page_after=new.page if new else None))
    if not result.changes:
        result.notice = "두 문서의 본문이 같습니다."
        return result
    shown = result.changes[:max_changes]
    if len(result.changes) > max_changes:
        result.notice = f"변경 {len(result.changes)}건 중 앞의 {max_changes}건만 설명합니다."
    if not chat.configured:
        result.notice = (result.notice + " " if result.notice else "") + "언어 모델이 없어 변경 목록만 보여 드립니다."
        return result
    prompt = render("compare.j2", title_a=title_a, title_b=title_b, changes=shown, boundary=boundary())
    try:
        text = chat.generate([Message("system", system_prompt()), Message("user", prompt)], call)
    except LLMError as error:
        result.notice = error.message
        return result
    check = check_citations(text, len(shown))
    result.explanation, result.cited = check.text, check.cited
    return result


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """What changed inside a changed paragraph, word by word: ("equal" | "delete" | "insert", text) pieces."""
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(("delete", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", "".join(new[j1:j2])))
    return pieces
