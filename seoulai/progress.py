"""The one progress-callback shape: a Korean label and a fraction done (0..1)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]


def report(progress: Progress | None, label: str, fraction: float) -> None:
    if progress is not None:
        progress(label, min(max(fraction, 0.0), 1.0))
