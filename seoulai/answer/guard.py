"""Broken model output is not an answer: prompt echo and repetition loops, found while the text streams.

One guard for every path that shows model output (매뉴얼·문서 Q&A, 요약, 비교, each draft section): each request's
stream goes through :class:`Watched`, which stops it on an echo or a loop, and its :class:`Verdict` says what is
left to show and, when broken, the same code and Korean notice on every path.

A small or misconfigured model may copy its instructions back ("당신은 서울특별시 공무원의…", with the "[1], [2]"
of the rules in it) or repeat one clause until the token limit. Copying the *passages* is fine (laws are quoted
verbatim on purpose), and so is copying the *conversation* a prompt carries (the person's question, an earlier
answer repeated in a follow-up): each request passes both as ``quotable``. Copying the *instructions* is not. A loop stops the stream early; afterwards every sentence
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
        self._seen = ""  # the stream so far, as check_stream last saw it
        self._lines = _LineRepeats()
        self._echo: bool | None = None  # the echo check's answer once the first 300 characters are in

    def copied(self, text: str) -> float:
        """Share of the text's shingles taken from the instructions."""
        grams = _shingles(text)
        return len(grams & self.instruction) / len(grams) if grams else 0.0

    def check_stream(self, text: str) -> str | None:
        """While streaming: 'loop' or 'echo' when the generation should be stopped now.

        ``text`` is everything received so far, as after every delta: the answer is the one of the whole-text
        checks (:func:`looping`, the echo test of the first 300 characters), but only the new part is read
        (a whole-text rescan per delta grew with the square of the answer). A text that does not continue the
        last one starts the watch over."""
        if not text.startswith(self._seen):  # a C memcmp, not a rescan
            self._lines, self._echo = _LineRepeats(), None
        self._seen = text
        if _tail_loops(text[-700:]) or self._lines.feed(text):
            return "loop"
        if self._echo is None:
            head = text[:300]
            echoed = len(head) >= 120 and len(_norm(head)) >= 120 and self.copied(head) >= 0.6
            if len(text) < 300:
                return "echo" if echoed else None
            self._echo = echoed  # the first 300 characters are final now
        return "echo" if self._echo else None

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
    if _tail_loops(text[-700:], times):
        return True
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 10]
    return any(lines.count(line) >= times for line in set(lines))


def _tail_loops(window: str, times: int = 3) -> bool:
    """The first half of :func:`looping`; it reads only the last 700 characters, so a stream's check is bounded.

    A span repeated at the end has its last 8 characters again one period earlier, so only the periods where
    they recur are tried (each delta of a stream pays this, not only the verdict)."""
    tail = _norm(window)
    size, longest = len(tail), min(200, len(tail) // times)
    if longest < 8:
        return False
    key = tail[-8:]
    at = tail.rfind(key, 0, size - 1)
    while at >= 0 and (period := size - 8 - at) <= longest:
        if period >= 8 and tail.endswith(tail[-period:] * times):
            return True
        at = tail.rfind(key, 0, at + 7)
    return False


# What str.splitlines() ends a line at ("\r\n" ends one line; here it also leaves an empty one, never counted).
_LINE_END = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class _LineRepeats:
    """The second half of :func:`looping` (one line of 10+ characters three times), kept up to date as a stream
    grows: each line is counted once when it ends, and the line still being written is matched against the
    lines already seen twice only when its stripped length is one of theirs."""

    def __init__(self) -> None:
        self._read = 0  # how far the text has been read
        self._start = 0  # where the line being written starts
        self._core: tuple[int, int] | None = None  # that line's stripped span, once it has a non-space
        self._counts: dict[str, int] = {}
        self._twice: set[str] = set()
        self._twice_lengths: set[int] = set()
        self._thrice = False  # a finished line three times: stays so as the text grows
        self._open = False  # the line being written is a third copy

    def feed(self, text: str) -> bool:
        """Whether ``text`` (the last text fed, grown) has a line three times."""
        read, self._read = self._read, len(text)
        moved = False
        for end in _LINE_END.finditer(text, read):
            self._count(text[self._start : end.start()].strip())
            self._start, self._core, moved = end.end(), None, True
        new = text[max(read, self._start) :]
        kept = new.rstrip()
        if kept:
            first = max(read, self._start) + len(new) - len(new.lstrip())
            self._core = (self._core[0] if self._core else first, max(read, self._start) + len(kept))
            moved = True
        if moved:
            self._open = False
            if self._core and self._core[1] - self._core[0] in self._twice_lengths:
                self._open = text[self._core[0] : self._core[1]] in self._twice
        return self._thrice or self._open

    def _count(self, line: str) -> None:
        if len(line) < 10:
            return
        seen = self._counts[line] = self._counts.get(line, 0) + 1
        if seen == 2:
            self._twice.add(line)
            self._twice_lengths.add(len(line))
        elif seen >= 3:
            self._thrice = True


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
