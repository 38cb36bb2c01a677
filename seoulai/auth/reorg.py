"""조직 개편: when a new version of the organisation rule renames or merges units, where the old paths went.

A unit path that disappeared maps to the new unit that took over most of its duties: the share of the old
unit's 사무분장 lines found (whitespace ignored) in the new unit's is at least :data:`MIN_SHARE`. A merge maps
several old units to one new unit. Units without duties (a YAML chart, a 실/국 itself) follow by name only
when their 국 is gone and the name is unique in both charts (another 국's 총무과 is another department), and a
실/국 follows where most of its 과 went. The map is kept in ``<data dir>/org_renames.json`` (old path ->
new path, with the date it was found) so that accounts, department collections and usage history recorded
under an old path keep working.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from seoulai.auth.orgchart import OrgChart, Unit
from seoulai.text.times import today_in_seoul

log = logging.getLogger(__name__)
MIN_SHARE = 0.5
_MAX_HOPS = 16  # a chain of reorganisations longer than this is a loop in a hand-edited file


def find_renames(old: OrgChart, new: OrgChart) -> dict[str, str]:
    """Old path -> new path for every unit of ``old`` that is not in ``new`` and has a clear successor."""
    gone = [u for u in old.units if u.path not in new.by_path]
    if not gone:
        return {}
    lines: dict[str, set[str]] = {}  # duty line -> the new units that have it
    for unit in new.units:
        for duty in unit.duties:
            lines.setdefault(_norm(duty), set()).add(unit.path)
    renames: dict[str, str] = {}
    for unit in gone:
        target = _by_duties(unit, lines) or _by_name(unit, old, new)
        if target:
            renames[unit.path] = target
    # 실/국 (and any unit without duties of its own) follow where most of their units went.
    for unit in sorted(gone, key=lambda u: -u.depth):
        if unit.path in renames:
            continue
        moved = [renames[u.path] for u in old.units if u.parent_path == unit.path and u.path in renames]
        parents = Counter(new.by_path[p].parent_path for p in moved if p in new.by_path)
        if parents:
            best, count = parents.most_common(1)[0]
            if count * 2 > len(moved) and best and best != new.root:
                renames[unit.path] = best
    return renames


def _by_duties(unit: Unit, lines: dict[str, set[str]]) -> str:
    mine = {_norm(d) for d in unit.duties}
    if not mine:
        return ""
    found = Counter(path for line in mine for path in lines.get(line, ()))
    # Highest share; on a tie the unit of the same name, then the shorter path, then the path (deterministic).
    best = max(found.items(), key=lambda s: (s[1], s[0].rsplit("/", 1)[-1] == unit.name, -len(s[0]), s[0]),
               default=("", 0))
    return best[0] if best[1] / len(mine) >= MIN_SHARE else ""


def _by_name(unit: Unit, old: OrgChart, new: OrgChart) -> str:
    """A unit without duties to compare follows its name only when its 국 is gone (a renamed 국 whose 과 kept
    their names) and the name is unique in both charts: a same-named 과 of another 국 is another department."""
    if unit.parent_path in new.by_path or len(old.named(unit.name)) != 1:
        return ""
    same = new.named(unit.name)
    return same[0].path if len(same) == 1 else ""


def _norm(line: str) -> str:
    return re.sub(r"\s+", "", line)


class RenameBook:
    """The persisted map of old unit paths to their successors (shared by every process of the deployment)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[float, int] | None = None
        self._renames: dict[str, dict[str, Any]] = {}
        self._kept: dict[str, str] = {}

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._renames, self._kept = None, {}, {}
            return self._renames
        stamp = (stat.st_mtime, stat.st_size)
        if stamp != self._stamp:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                raw = raw if isinstance(raw, dict) else {}
                renames, kept = raw.get("renames", {}), raw.get("kept", {})
                self._renames = {str(k): v for k, v in renames.items() if isinstance(v, dict) and v.get("new")}
                self._kept = {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}
            except (OSError, ValueError, AttributeError) as exc:
                log.error("unreadable %s (%s): old department paths are not followed", self.path, exc)
                self._renames, self._kept = {}, {}
            self._stamp = stamp
        return self._renames

    def renames(self) -> dict[str, str]:
        """Old path -> new path, as recorded (one step each; :meth:`resolve` follows chains)."""
        with self._lock:
            return {old: str(entry["new"]) for old, entry in self._load().items()}

    def add(self, renames: dict[str, str], when: date | None = None) -> None:
        stamp = (when or today_in_seoul()).isoformat()
        with self._lock:
            current = dict(self._load())
            for old, new in renames.items():
                if old != new:
                    current[old] = {"new": new, "date": stamp}
            _write_json(self.path, {"renames": current, "kept": self._kept})
            self._stamp = None

    def kept(self) -> dict[str, str]:
        """Collections of merged units left under their old name (the successor had one): name -> old path."""
        with self._lock:
            self._load()
            return dict(self._kept)

    def keep(self, collection: str, old_path: str) -> None:
        with self._lock:
            renames = dict(self._load())
            _write_json(self.path, {"renames": renames, "kept": {**self._kept, collection: old_path}})
            self._stamp = None

    def resolve(self, path: str, known: set[str] | None = None) -> str:
        """The path a unit has now: follows old -> new (chains of reorganisations too); unknown paths stay."""
        renames = self.renames()
        seen = {path}
        for _ in range(_MAX_HOPS):
            if known is not None and path in known:
                return path
            following = renames.get(path)
            if following is None:
                following = _renamed_ancestor(path, renames)
            if following is None or following in seen:
                return path
            seen.add(following)
            path = following
        return path

    def aliases(self, path: str, known: set[str] | None = None) -> list[str]:
        """Every old path whose events now count for ``path`` (the unit itself or a unit under it)."""
        out = []
        for old in self.renames():
            target = self.resolve(old, known)
            if target == path or target.startswith(path + "/"):
                out.append(old)
        return sorted(out)


def _renamed_ancestor(path: str, renames: dict[str, str]) -> str | None:
    """A unit under a renamed 국 that was not mapped itself ("…/옛국/과" -> "…/새국/과")."""
    head = path.rpartition("/")[0]
    while head:
        if head in renames:
            return f"{renames[head]}/{path[len(head) + 1:]}"
        head, _, _ = head.rpartition("/")
    return None


class SeenChart:
    """The units and duties of the last rule-built chart any process saw (to notice the next change)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> OrgChart | None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return OrgChart([Unit(str(u["path"]), 0, duties=tuple(u.get("duties", ()))) for u in raw["units"]])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("unreadable %s (%s): the next chart is compared with the bundled one", self.path, exc)
            return None

    def save(self, chart: OrgChart) -> None:
        payload = {"units": [{"path": u.path, "duties": list(u.duties)} for u in chart.units]}
        try:
            if json.loads(self.path.read_text(encoding="utf-8")) == payload:
                return
        except (OSError, ValueError):
            pass
        _write_json(self.path, payload)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write whole or not at all: readers in other processes never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, indent=1)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
