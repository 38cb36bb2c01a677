"""The shared figures of 이용 현황: fresh figures are reused, old ones are served at once while one background
computation replaces them, and callers arriving together on an empty cache share one computation."""

from __future__ import annotations

import threading

import pytest

from seoulai.services import figure_cache
from seoulai.services.figure_cache import STALE, FigureCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(figure_cache.time, "monotonic", fake)
    return fake


def _counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_fresh_figures_are_reused_and_no_cache_means_every_call(clock: Clock) -> None:
    calls, compute = _counter()
    cache: FigureCache[int] = FigureCache(lambda: 30.0)
    assert [cache.get("k", compute) for _ in range(3)] == [1, 1, 1]
    assert cache.get("other", compute) == 2
    never: FigureCache[int] = FigureCache(lambda: 0.0)
    assert [never.get("k", compute) for _ in range(2)] == [3, 4]


def test_old_figures_are_served_at_once_while_they_are_computed_again(clock: Clock) -> None:
    release, started = threading.Event(), threading.Event()
    values = iter([1, 2])

    def compute() -> int:
        value = next(values)
        if value == 2:  # the background refresh: held until the test has seen the old value served
            started.set()
            assert release.wait(10)
        return value

    cache: FigureCache[int] = FigureCache(lambda: 30.0)
    assert cache.get("k", compute) == 1
    clock.now += 31  # stale, within STALE x ttl
    assert cache.get("k", compute) == 1  # at once, not after the recomputation
    assert started.wait(10)
    assert cache.get("k", compute) == 1  # one refresh running: no second one started (values has only two)
    release.set()
    for _ in range(100):
        if cache.get("k", compute) == 2:
            break
        threading.Event().wait(0.05)
    assert cache.get("k", compute) == 2


def test_figures_too_old_are_computed_before_they_are_shown(clock: Clock) -> None:
    calls, compute = _counter()
    cache: FigureCache[int] = FigureCache(lambda: 30.0)
    cache.get("k", compute)
    clock.now += 30 * STALE + 1
    assert cache.get("k", compute) == 2 and len(calls) == 2


def test_callers_arriving_together_share_one_computation(clock: Clock) -> None:
    gate, inside = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        inside.set()
        assert gate.wait(10)
        return 7

    cache: FigureCache[int] = FigureCache(lambda: 30.0)
    results: list[int] = []
    first = threading.Thread(target=lambda: results.append(cache.get("k", compute)))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=lambda: results.append(cache.get("k", compute)))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first computation, not running its own
    gate.set()
    first.join(10)
    second.join(10)
    assert results == [7, 7] and calls == [1]


def test_a_failed_refresh_keeps_the_old_figures(clock: Clock) -> None:
    outcomes = iter([1])

    def compute() -> int:
        return next(outcomes)  # the second call raises StopIteration inside the refresh thread

    cache: FigureCache[int] = FigureCache(lambda: 30.0)
    cache.get("k", compute)
    clock.now += 31
    assert cache.get("k", compute) == 1
    for _ in range(100):  # wait for the failed refresh to finish
        if not cache._running:
            break
        threading.Event().wait(0.05)
    assert cache.get("k", compute) == 1
