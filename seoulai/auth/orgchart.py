"""The organisation chart: a 실/국/과 tree with headcounts, read from a YAML file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from seoulai.errors import InputError

DEFAULT_CHART = Path(__file__).with_name("orgchart_seoul.yaml")


@dataclass(frozen=True)
class Unit:
    path: str  # "서울특별시/행정국/총무과"
    headcount: int
    code: str = ""  # the city's own unit code, if the chart gives one: a rename then keeps the collection

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count("/")


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

        def walk(node: dict, prefix: str) -> int:
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
        return [u for u in self.units if not any(o.path.startswith(u.path + "/") for o in self.units)]

    def subtree(self, path: str) -> list[Unit]:
        return [u for u in self.units if u.path == path or u.path.startswith(path + "/")]
