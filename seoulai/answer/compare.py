"""Comparison of two uploaded documents: their passages aligned with difflib (deterministic) and, when a
model is connected, the numbered changes explained by it (as many as fit the prompt's budget, each paragraph cut to
a length; the reply watched by the output guard like every answer)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.answer.guard import generate_guarded
from seoulai.answer.summary import system_prompt
from seoulai.ingest.types import Chunk
from seoulai.llm import Call, ChatModel, LLMError, Message
from seoulai.prompts import boundary, render

PROMPT_CHARS = 24_000  # the changes explained by one request, at most (well under the gateway's bound)
PARAGRAPH_CHARS = 800  # of each paragraph before and after, in the prompt (the page shows the whole change)


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
    error_code: str | None = None  # model_echo / model_loop when the explanation was broken


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
    shown = _fitting(result.changes[:max_changes])
    if len(result.changes) > len(shown):
        result.notice = f"변경 {len(result.changes)}건 중 앞의 {len(shown)}건만 설명합니다."
    if not chat.configured:
        result.notice = (result.notice + " " if result.notice else "") + "언어 모델이 없어 변경 목록만 보여 드립니다."
        return result
    prompt = render("compare.j2", title_a=title_a, title_b=title_b, changes=shown, boundary=boundary())
    quotable = "\n".join(f"{c.section}\n{c.before}\n{c.after}" for c in shown)
    try:
        verdict = generate_guarded(chat, [Message("system", system_prompt()), Message("user", prompt)], call, quotable)
    except LLMError as error:
        result.notice = error.message
        return result
    check = check_citations(verdict.text, len(shown))
    result.explanation, result.cited = check.text, check.cited
    if verdict.broken:
        result.error_code = verdict.code
        result.notice = (result.notice + " " if result.notice else "") + verdict.notice + " 아래 변경 목록을 직접 확인하세요."
    return result


def _fitting(changes: list[Change]) -> list[Change]:
    """The first changes whose paragraphs (each cut to PARAGRAPH_CHARS) fit PROMPT_CHARS together: the prompt of a
    comparison is bounded whatever the documents hold."""
    shown: list[Change] = []
    size = 0
    for change in changes:
        cut = Change(change.kind, change.section[:300], _cut(change.before), _cut(change.after), change.page_before,
                     change.page_after)
        size += len(cut.section) + len(cut.before) + len(cut.after) + 20
        if shown and size > PROMPT_CHARS:
            break
        shown.append(cut)
    return shown


def _cut(text: str) -> str:
    return text if len(text) <= PARAGRAPH_CHARS else text[:PARAGRAPH_CHARS] + " …"


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
