"""Summaries of uploaded documents, grounded in their passages.

A long document (a 300-page PDF) is summarised map-reduce: windows of consecutive passages are summarised
with their global passage numbers, then the partial summaries are merged (in groups, so no merge prompt outgrows
the gateway's bound); the citations are checked against the passages at the end, like any answer. Every request
is charged on its own and watched by the output guard: when the quota runs out or the model echoes its
instructions half-way, the summary stops there and shows what it has, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seoulai.answer.citations import check_citations
from seoulai.answer.guard import Verdict, generate_guarded
from seoulai.errors import SeoulAIError
from seoulai.ingest.types import Chunk
from seoulai.llm import Call, ChatModel, Message
from seoulai.progress import Progress
from seoulai.prompts import boundary, render

MERGE_CHARS = 12_000  # partial summaries merged by one request, at most


def system_prompt() -> str:
    return render("documents_system.j2")


@dataclass(frozen=True)
class Summary:
    title: str
    text: str = ""
    passages: list[Chunk] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)
    notice: str = ""
    calls: int = 0
    incomplete: bool = False  # stopped half-way (quota, model failure, broken output): ``text`` is what it had
    error_code: str | None = None


class _Stopped(Exception):
    def __init__(self, code: str | None, notice: str) -> None:
        super().__init__(notice)
        self.code, self.notice = code, notice


def summarize(title: str, chunks: list[Chunk], chat: ChatModel, window_chars: int = 3500,
              progress: Progress | None = None, call: Call | None = None) -> Summary:
    if not chunks:
        return Summary(title=title, passages=chunks, notice="요약할 본문이 없습니다.")
    if not chat.configured:
        return Summary(title=title, passages=chunks,
                       notice="언어 모델이 연결되지 않아 요약을 만들 수 없습니다. 아래 문단을 직접 확인하세요.")
    windows = _windows(chunks, window_chars)
    parts: list[str] = []
    calls = 0
    stopped_code: str | None = None
    incomplete = False
    notice = ""

    def ask(prompt: str, quotable: str) -> str:
        nonlocal calls
        try:
            verdict: Verdict = generate_guarded(chat, [Message("system", system_prompt()), Message("user", prompt)],
                                                call, quotable)
        except SeoulAIError as error:  # the quota ran out, the model failed: stop with what is done
            raise _Stopped(error.code, error.message) from error
        calls += 1
        if verdict.broken:
            if verdict.text.strip():
                parts.append(verdict.text)
            raise _Stopped(verdict.code, verdict.notice)
        return verdict.text

    try:
        for index, window in enumerate(windows, start=1):
            if progress:
                progress(f"부분 요약 {index}/{len(windows)}", (index - 1) / (len(windows) + 1))
            prompt = render("summary_map.j2", title=title, passages=window, boundary=boundary())
            parts.append(ask(prompt, "\n".join(f"{w['section']}\n{w['text']}" for w in window)))
        while len(parts) > 1:
            if progress:
                progress("전체 요약 정리", len(windows) / (len(windows) + 1))
            groups, parts = _groups(parts, MERGE_CHARS), []
            for group in groups:
                parts.append(group[0] if len(group) == 1 else ask(
                    render("summary_reduce.j2", title=title, parts=group, boundary=boundary()), "\n".join(group)))
    except _Stopped as stopped:
        incomplete, stopped_code = True, stopped.code
        done = f" (부분 요약 {len(parts)}/{len(windows)}까지)" if parts and len(windows) > 1 else ""
        notice = f"요약을 끝내지 못했습니다{done}. {stopped.notice}"
    merged = "\n".join(parts)
    check = check_citations(merged, len(chunks))
    if not check.grounded and not incomplete:
        notice = "요약에 근거 표시가 없어 확인이 필요합니다."
    if progress:
        progress("완료", 1.0)
    return Summary(title=title, text=check.text, passages=chunks, cited=check.cited,
                   invalid_citations=check.invalid, notice=notice, calls=calls, incomplete=incomplete,
                   error_code=stopped_code)


def _groups(parts: list[str], limit: int) -> list[list[str]]:
    """Consecutive partial summaries of at most ``limit`` characters together (at least two each when they fit,
    so every round of merging halves the count or better)."""
    groups: list[list[str]] = []
    size = 0
    for part in parts:
        if groups and (size + len(part) <= limit or len(groups[-1]) == 1):
            groups[-1].append(part)
            size += len(part)
        else:
            groups.append([part])
            size = len(part)
    return groups


def _windows(chunks: list[Chunk], limit: int) -> list[list[dict[str, object]]]:
    windows: list[list[dict[str, object]]] = []
    current: list[dict[str, object]] = []
    size = 0
    for number, chunk in enumerate(chunks, start=1):
        item: dict[str, object] = {"number": number, "page": chunk.page, "section": chunk.section, "text": chunk.text}
        if current and size + len(chunk.text) > limit:
            windows.append(current)
            current, size = [], 0
        current.append(item)
        size += len(chunk.text)
    if current:
        windows.append(current)
    return windows
