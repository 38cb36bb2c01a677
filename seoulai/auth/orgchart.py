"""The organisation chart: a 실/국/과 tree with headcounts, read from a YAML file or built from the city's
행정기구 설치 조례 시행규칙 (see :mod:`seoulai.auth.org_rule`, which also decides which one is used)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from seoulai.errors import InputError

DEFAULT_CHART = Path(__file__).with_name("orgchart_seoul.yaml")


@dataclass(frozen=True, eq=False)
class Unit:
    path: str  # "서울특별시/행정국/총무과"
    headcount: int
    code: str = ""  # the city's own unit code, if the chart gives one: a rename then keeps the collection
    duties: tuple[str, ...] = ()  # 사무분장 lines of the rule the unit was read from (empty for a YAML chart)
    source: str = ""  # the rule's title, for citing where the unit and its duties come from
    section: str = ""  # the rule's heading path, "제2장 본청 > 제17조의5 (행정국)"

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def parent_path(self) -> str:
        """The path of the unit above ("" for the root)."""
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    # A unit is its path: charts are compared unit by unit in hot loops, and duties can be long tuples.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unit) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)


class OrgChart:
    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.by_path = {u.path: u for u in units}

    @classmethod
    def load(cls, path: Path | None = None) -> "OrgChart":
        source = path or DEFAULT_CHART
        try:
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"조직도 파일을 읽을 수 없습니다: {source} ({exc}). 파일 경로와 YAML 형식을 확인하세요.",
                             code="bad_org_chart") from exc
        units: list[Unit] = []

        def walk(node: Any, prefix: str) -> int:  # YAML as read: checked here
            if not isinstance(node, dict) or not node.get("name"):
                raise InputError(f"조직도 항목에 name이 없습니다: {node!r}", code="bad_org_chart")
            path = f"{prefix}/{node['name']}" if prefix else str(node["name"])
            total = int(node.get("headcount", 0)) + sum(walk(child, path) for child in node.get("children", []))
            units.append(Unit(path, total, str(node.get("code") or "")))
            return total

        walk(data, "")
        return cls(sorted(units, key=lambda u: u.path))

    @property
    def root(self) -> str:
        return min((u.path for u in self.units), key=len, default="서울특별시")

    def named(self, name: str) -> list[Unit]:
        """Every unit whose own name (the last part of its path) is ``name``: 과 names repeat across 국."""
        return [u for u in self.units if u.name == name]

    def leaves(self) -> list[Unit]:
        # One pass over the parents: the rule's chart has hundreds of units, a pairwise check would be quadratic.
        parents = {u.parent_path for u in self.units}
        return [u for u in self.units if u.path not in parents]

    def subtree(self, path: str) -> list[Unit]:
        return [u for u in self.units if u.path == path or u.path.startswith(path + "/")]
