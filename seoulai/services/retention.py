"""The retention schedule: one background thread of the app server that removes what has outlived its period.

Uploads (``uploads.retention_days``), conversations and saved drafts (``history.retention_days``) are swept
once at start-up, so what came due while no server ran goes first, then every ``uploads.expiry_interval``
seconds, whether or not anyone opens a page. That is what bounds how long each lingers (README, 무엇이 어디에
얼마나 남는가); pages only read. Each sweep is idempotent (a delete of what is due), so several servers may
sweep the same store at once. A sweep that fails is logged and tried again at the next round; it never stops
the others or the schedule.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)
THREAD = "retention"
JOIN_TIMEOUT = 60.0  # seconds close() waits for a sweep under way


class RetentionSchedule:
    """Runs named sweeps (each returns how many items it removed) in order, at start and every ``interval`` s."""

    def __init__(self, interval: float, sweeps: Mapping[str, Callable[[], int]]) -> None:
        self.interval = max(interval, 0.05)  # 0 in settings means "as often as possible", not a busy loop
        self.sweeps = dict(sweeps)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stop.is_set()

    def run_once(self) -> dict[str, int]:
        """One round: every sweep, each on its own (a failure is logged and left for the next round)."""
        removed: dict[str, int] = {}
        for name, sweep in self.sweeps.items():
            if self._stop.is_set():  # closing: the next round (this server's next start, or another's) finishes
                break
            try:
                removed[name] = sweep()
            except Exception:  # a full disk or a lost database must not end the schedule
                log.exception("retention sweep %s failed; trying again in %g s", name, self.interval)
                continue
            if removed[name]:
                log.info("retention removed %d %s", removed[name], name)
        return removed

    def start(self) -> "RetentionSchedule":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=THREAD, daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)

    def close(self) -> None:
        """Stop the schedule, waiting for a round under way to finish the sweep it is in."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=JOIN_TIMEOUT)
