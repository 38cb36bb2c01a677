"""Summaries of uploaded documents, grounded in their passages.

A long document (a 300-page PDF) is summarised map-reduce: windows of consecutive passages are summarised
with their global passage numbers, then the partial summaries are merged; the citations are checked
against the passages at the end, like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seoulai.answer.citations import check_citations
from seoulai.ingest.types import Chunk
from seoulai.llm import Call, ChatModel, LLMError, Message
from seoulai.progress import Progress
from seoulai.prompts import boundary, render


def system_prompt() -> str:
    return render("documents_system.j2")


@dataclass
class Summary:
    title: str
    text: str = ""
    passages: list[Chunk] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)
    notice: str = ""
    calls: int = 0


def summarize(title: str, chunks: list[Chunk], chat: ChatModel, window_chars: int = 3500,
              progress: Progress | None = None, call: Call | None = None) -> Summary:
    summary = Summary(title=title, passages=chunks)
    if not chunks:
        summary.notice = "요약할 본문이 없습니다."
        return summary
    if not chat.configured:
        summary.notice = "언어 모델이 연결되지 않아 요약을 만들 수 없습니다. 아래 문단을 직접 확인하세요."
        return summary
    windows = _windows(chunks, window_chars)
    parts: list[str] = []
    try:
        for index, window in enumerate(windows, start=1):
            if progress:
                progress(f"부분 요약 {index}/{len(windows)}", (index - 1) / (len(windows) + 1))
            prompt = render("summary_map.j2", title=title, passages=window, boundary=boundary())
            parts.append(chat.generate([Message("system", system_prompt()), Message("user", prompt)], call))
            summary.calls += 1
        if len(parts) == 1:
            merged = parts[0]
        else:
            if progress:
                progress("전체 요약 정리", len(windows) / (len(windows) + 1))
            merged = chat.generate([Message("system", system_prompt()),
                                    Message("user", render("summary_reduce.j2", title=title, parts=parts, boundary=boundary()))], call)
            summary.calls += 1
    except LLMError as error:
        summary.notice = error.message
        return summary
    check = check_citations(merged, len(chunks))
    summary.text, summary.cited, summary.invalid_citations = check.text, check.cited, check.invalid
    if not check.grounded:
        summary.notice = "요약에 근거 표시가 없어 확인이 필요합니다."
    if progress:
        progress("완료", 1.0)
    return summary


def _windows(chunks: list[Chunk], limit: int) -> list[list[dict[str, object]]]:
    windows: list[list[dict[str, object]]] = []
    current: list[dict[str, object]] = []
    size = 0
    for number, chunk in enumerate(chunks, start=1):
        item = {"number": number, "page": chunk.page, "section": chunk.section, "text": chunk.text}
        if current and size + len(chunk.text) > limit:
            windows.append(current)
            current, size = [], 0
        current.append(item)
        size += len(chunk.text)
    if current:
        windows.append(current)
    return windows
