"""Comparison of two uploaded documents: their passages aligned with difflib (deterministic) and, when a
model is connected, the numbered changes explained by it (as many as fit the prompt's budget, each paragraph cut to
a length; the reply watched by the output guard like every answer).

A change is one edit, not one passage: inside a passage found on both sides, each run of changed words that
unchanged words separate from the next is a change of its own (three edits in one page of a press release are
"변경 3건"), shown within the sentence(s) it touches."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from seoulai.answer.citations import check_citations
from seoulai.answer.guard import generate_guarded
from seoulai.answer.summary import system_prompt
from seoulai.ingest.types import Chunk
from seoulai.llm import Call, ChatModel, LLMError, Message
from seoulai.prompts import boundary, render

PROMPT_CHARS = 24_000  # the changes explained by one request, at most (well under the gateway's bound)
PARAGRAPH_CHARS = 800  # of each paragraph before and after, in the prompt (the page shows the whole change)
GAP_WORDS = 2  # unchanged words fewer than this between two changed runs join them: a rewritten phrase is one edit
SAME_PASSAGE = 0.5  # a passage pair less alike than this was replaced as a whole (one change, not a list of edits)
_WORD = re.compile(r"\S+\s*")
_SENTENCE_END = re.compile(r"(?:[.!?。][\'\"”’)」』]*\s+|\n\s*)$")  # a word that ends a sentence (or a line)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    changes: list[Change] = []
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
            if old and new:
                changes.extend(_edits(old, new))
                continue
            kind: Literal["added", "removed", "changed"] = "added" if new else "removed"
            changes.append(Change(kind, (new or old).section,  # type: ignore[union-attr]  # one side always is
                                  before=old.text if old else "", after=new.text if new else "",
                                  page_before=old.page if old else None,
                                  page_after=new.page if new else None))
    result = Comparison(title_a=title_a, title_b=title_b, changes=changes)
    if not changes:
        return replace(result, notice="두 문서의 본문이 같습니다.")
    shown = _fitting(changes[:max_changes])
    notice = f"변경 {len(changes)}건 중 앞의 {len(shown)}건만 설명합니다." if len(changes) > len(shown) else ""
    if not chat.configured:
        return replace(result, notice=(notice + " " if notice else "") + "언어 모델이 없어 변경 목록만 보여 드립니다.")
    prompt = render("compare.j2", title_a=title_a, title_b=title_b, changes=shown, boundary=boundary())
    quotable = "\n".join(f"{c.section}\n{c.before}\n{c.after}" for c in shown)
    try:
        verdict = generate_guarded(chat, [Message("system", system_prompt()), Message("user", prompt)], call, quotable)
    except LLMError as error:
        return replace(result, notice=error.message)
    check = check_citations(verdict.text, len(shown))
    if verdict.broken:
        notice = (notice + " " if notice else "") + verdict.notice + " 아래 변경 목록을 직접 확인하세요."
    return replace(result, explanation=check.text, cited=check.cited, notice=notice,
                   error_code=verdict.code if verdict.broken else None)


def _edits(old: Chunk, new: Chunk) -> list[Change]:
    """The edits that turn one passage into the other, one change each (the whole pair when it was rewritten)."""
    a, b = _WORD.findall(old.text), _WORD.findall(new.text)
    matcher = difflib.SequenceMatcher(a=[w.strip() for w in a], b=[w.strip() for w in b], autojunk=False)
    runs: list[list[int]] = []  # [i1, i2, j1, j2] of each edit, in word positions
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if runs and i1 - runs[-1][1] < GAP_WORDS:
            runs[-1][1], runs[-1][3] = i2, j2
        else:
            runs.append([i1, i2, j1, j2])
    if not runs or matcher.ratio() < SAME_PASSAGE:
        return [Change("changed", new.section, old.text, new.text, old.page, new.page)]
    changes = []
    for i1, i2, j1, j2 in runs:
        before, after = _sentences(a, i1, i2), _sentences(b, j1, j2)
        kind: Literal["added", "removed", "changed"] = ("changed" if before and after else
                                                        "added" if after else "removed")
        changes.append(Change(kind, new.section, before, after, old.page, new.page))
    return changes


def _sentences(words: list[str], start: int, end: int) -> str:
    """The sentence(s) holding words[start:end]; for an empty run, the sentence around the point if it is inside
    one (words added mid-sentence), else nothing (whole sentences added or removed)."""
    if start == end and (start == 0 or start >= len(words) or _SENTENCE_END.search(words[start - 1])):
        return ""
    while start > 0 and not _SENTENCE_END.search(words[start - 1]):
        start -= 1
    end = max(end, start + 1)
    while end < len(words) and not _SENTENCE_END.search(words[end - 1]):
        end += 1
    return "".join(words[start:end]).strip()


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
