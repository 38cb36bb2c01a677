"""What one streamed answer costs the page: the output guard and the Markdown sanitiser after every delta.

A Korean answer in the shapes models write (□/○ 개조식 lines with **굵게** and [n] citations, "- " lists) is
streamed in equal deltas through both, before and after, in one run; once with blank lines between its parts,
once without (then every ○ line after a "- " item continues that item, and the rest of the answer is one list):

- before: the code of commit c37b8dd, loaded from git into temporary modules: ``check_stream(received)`` and
  ``safe_markdown(received)`` after each delta (each rescans the whole answer),
- after: today's ``OutputGuard.check_stream(received)`` (reads only the new part) and ``StreamSanitiser.feed``.

Both give the same answers at every delta (checked before timing). Best of ``--repeat`` runs each.
Usage: python benchmarks/stream_guard.py [--sizes 4000:400,16000:1600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seoulai.answer.guard import OutputGuard  # noqa: E402 - after sys.path
from seoulai.answer.safety import StreamSanitiser  # noqa: E402 - after sys.path

BEFORE = "c37b8dd"
INSTRUCTIONS = ("당신은 서울특별시 공무원의 행정 업무를 돕는 AI 도우미입니다.\n규칙:\n1. 아래 번호 붙은 문단에만 근거하여 답합니다.\n"
                "2. 문장마다 근거 문단 번호를 [1], [2]처럼 대괄호로 표시합니다.\n3. 공문서에 어울리는 격식 있는 문체로 씁니다.")
PASSAGES = "민원의 처리기간을 6일 이상으로 정한 경우에는 일 단위로 계산하고 첫날을 산입하되, 공휴일과 토요일은 산입하지 아니한다."


def answer(length: int, blank_lines: bool = True) -> str:
    rng, parts = random.Random(length), []
    while sum(map(len, parts)) < length * 1.1:  # enough once the blank lines are taken out
        number = len(parts) + 1
        lines = [f"□ {number}. {rng.choice(['처리기간', '신청 방법', '구비 서류', '담당 부서'])}에 관한 사항"]
        for line in range(rng.randint(3, 7)):
            topic = rng.choice(["목적", "기간", "대상", "근거", "절차"])
            lines.append(f"○ **{topic}**: 민원 {number}-{line}번 사항은 접수일부터 {rng.randint(2, 30)}일 이내에 "
                         f"처리하며, 보완 요구 기간은 산입하지 아니합니다 [{rng.randint(1, 5)}]")
        lines += [f"- 세부 {number}-{item}: 공휴일과 토요일은 기간에 넣지 않습니다 [{item + 1}]" for item in range(3)]
        parts.append("\n".join(lines[:-3]) + "\n\n" + "\n".join(lines[-3:]) + "\n\n")
    text = "".join(parts)
    return (text if blank_lines else text.replace("\n\n", "\n"))[:length]


def load_before() -> tuple[ModuleType, ModuleType]:
    """guard.py and safety.py as they were at BEFORE, imported from a temporary directory."""
    folder = Path(tempfile.mkdtemp(prefix="stream_guard_"))
    modules = []
    for name in ("guard", "safety"):
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:seoulai/answer/{name}.py"],
                                capture_output=True, text=True, check=True).stdout
        path = folder / f"before_{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"before_{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        modules.append(module)
    return modules[0], modules[1]


def deltas(text: str, chunks: int) -> list[str]:
    size = -(-len(text) // chunks)
    return [text[at : at + size] for at in range(0, len(text), size)]


def guard_before(guard_module: ModuleType) -> Callable[[list[str]], list[str | None]]:
    def run(parts: list[str]) -> list[str | None]:
        guard, received, out = guard_module.OutputGuard(INSTRUCTIONS, PASSAGES), "", []
        for delta in parts:
            received += delta
            out.append(guard.check_stream(received))
        return out
    return run


def guard_after(parts: list[str]) -> list[str | None]:
    guard, received, out = OutputGuard(INSTRUCTIONS, PASSAGES), "", []
    for delta in parts:
        received += delta
        out.append(guard.check_stream(received))
    return out


def sanitise_before(safety_module: ModuleType) -> Callable[[list[str]], list[str]]:
    def run(parts: list[str]) -> list[str]:
        received, out = "", []
        for delta in parts:
            received += delta
            out.append(safety_module.safe_markdown(received) + " ▌")
        return out
    return run


def sanitise_after(parts: list[str]) -> list[str]:
    sanitiser = StreamSanitiser()
    return [sanitiser.feed(delta) + " ▌" for delta in parts]


def best(run: Callable[[list[str]], object], parts: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(parts)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4000:400,16000:1600", help="characters:deltas, comma separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old_guard, old_safety = load_before()
    runs = {"guard": (guard_before(old_guard), guard_after), "sanitiser": (sanitise_before(old_safety), sanitise_after)}
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}; "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; before = {BEFORE}, best of {args.repeat}")
    print("| characters | blank lines | deltas | guard before | guard after | sanitiser before | sanitiser after "
          "| both before | both after | before / after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, blank_lines in ((size, blank) for size in args.sizes.split(",") for blank in (True, False)):
        length, chunks = (int(part) for part in size.split(":"))
        parts = deltas(answer(length, blank_lines), chunks)
        for name, (before, after) in runs.items():
            same = before(parts) == after(parts)
            assert same, f"{name}: after differs from before"  # the same answers at every delta
        assert set(guard_after(parts)) == {None}, "the benchmark answer must not be stopped by the guard"
        times = {(name, when): best(run, parts, args.repeat)
                 for name, pair in runs.items() for when, run in zip(("before", "after"), pair, strict=True)}
        both = {when: times["guard", when] + times["sanitiser", when] for when in ("before", "after")}
        cells = [f"{times[name, when] * 1000:.0f} ms" for name in runs for when in ("before", "after")]
        print(f"| {length:,} | {'yes' if blank_lines else 'no'} | {len(parts):,} | " + " | ".join(cells)
              + f" | {both['before'] * 1000:.0f} ms | {both['after'] * 1000:.0f} ms "
              f"| {both['before'] / both['after']:.1f}× |")


if __name__ == "__main__":
    main()
