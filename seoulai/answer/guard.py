"""Broken model output is not an answer: prompt echo and repetition loops, found while the text streams.

One guard for every path that shows model output (매뉴얼·문서 Q&A, 요약, 비교, each draft section): each request's
stream goes through :class:`Watched`, which stops it on an echo or a loop, and its :class:`Verdict` says what is
left to show and, when broken, the same code and Korean notice on every path.

A small or misconfigured model may copy its instructions back ("당신은 서울특별시 공무원의…", with the "[1], [2]"
of the rules in it) or repeat one clause until the token limit. Copying the *passages* is fine (laws are quoted
verbatim on purpose), copying the *instructions* is not. A loop stops the stream early; afterwards every sentence
that is mostly instruction text is dropped before citations are counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from seoulai.errors import SeoulAIError
from seoulai.llm import Call, ChatModel, Message

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

    @property
    def code(self) -> str | None:
        """model_loop, model_echo, or None for usable output."""
        return "model_loop" if self.looped else "model_echo" if self.echoed else None

    @property
    def notice(self) -> str:
        """What the person reads when the output was broken (the same words on every path)."""
        if self.looped:
            return "모델이 같은 내용을 되풀이해 생성을 멈췄습니다."
        return "모델이 답변 대신 지시문을 옮겨 적었습니다." if self.echoed else ""


class BrokenOutput(SeoulAIError):
    """A generation stopped by the guard, for paths that raise rather than show a notice (a draft section);
    ``kept`` is what is left once the echo or the loop is removed."""

    def __init__(self, verdict: Verdict, next_step: str) -> None:
        super().__init__(f"{verdict.notice} {next_step}", code=verdict.code)
        self.kept = verdict.text


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


def guard_for(messages: Sequence[Message], quotable: str = "") -> OutputGuard:
    """The guard of one request: its whole prompt is the instructions, ``quotable`` the material it may copy."""
    return OutputGuard("\n".join(m.content for m in messages), quotable)


@dataclass
class Watched:
    """One model request streamed through the guard: iterate for the deltas (the stream stops early on an echo
    or a loop, and the model's stream is closed), then read :attr:`verdict`."""

    chat: ChatModel
    messages: Sequence[Message]
    call: Call | None = None
    quotable: str = ""
    received: str = ""
    stopped: str | None = None
    _guard: OutputGuard | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[str]:
        self._guard = guard_for(self.messages, self.quotable)
        stream = self.chat.stream(self.messages, self.call)
        try:
            for delta in stream:
                self.received += delta
                yield delta
                self.stopped = self._guard.check_stream(self.received)
                if self.stopped:
                    break
        finally:
            stream.close()  # an early stop closes the model's stream too

    @property
    def verdict(self) -> Verdict:
        """Usable output as it came (its lines and paragraphs kept); broken output without the echo or the loop."""
        guard = self._guard or guard_for(self.messages, self.quotable)
        verdict = guard.verdict(self.received, self.stopped)
        return verdict if verdict.broken else Verdict(self.received)


def generate_guarded(chat: ChatModel, messages: Sequence[Message], call: Call | None = None,
                     quotable: str = "") -> Verdict:
    """The whole reply of one request, through the guard."""
    watched = Watched(chat, messages, call, quotable)
    for _ in watched:
        pass
    return watched.verdict


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
