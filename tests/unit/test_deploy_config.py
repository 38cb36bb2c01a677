"""The deployment files name only settings that exist: a typo in an environment name would be ignored by the
settings loader and silently leave a replica on its embedded defaults (its own SQLite, its own Qdrant folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from seoulai.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SETUP_ONLY = {"SEOULAI_BASE_MODEL"}  # read by ollama/setup.sh, not by the app
COMPOSE = [ROOT / "docker-compose.yml", ROOT / "deploy" / "docker-compose.cluster.yml"]


def _known(name: str) -> bool:
    model: type[BaseModel] = Settings
    parts = name.removeprefix("SEOULAI_").lower().split("__")
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if i < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


@pytest.mark.parametrize("path", COMPOSE, ids=lambda p: p.name)
def test_compose_environment_names_are_settings(path: Path) -> None:
    services = yaml.safe_load(path.read_text(encoding="utf-8"))["services"]
    names = [k for s in services.values() for k in (s.get("environment") or {}) if k.startswith("SEOULAI_")]
    assert names and [n for n in names if not _known(n)] == []
    assert not _known("SEOULAI_STATE__URI") and not _known("SEOULAI_RETRIEVAL__QDRANT")  # the check can fail


def test_cluster_replicas_share_state_vectors_and_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    app = yaml.safe_load((ROOT / "deploy" / "docker-compose.cluster.yml").read_text(encoding="utf-8"))["services"]["app"]
    for key, value in app["environment"].items():
        monkeypatch.setenv(key, re.sub(r"\$\{[^}]+\}", "secret", str(value)))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.state.url and settings.state.url.startswith("postgresql://")
    assert settings.retrieval.qdrant_url == "http://qdrant:6333"  # not each replica's own embedded folder
    assert settings.usage.mode == "parquet" and settings.auth.mode != "none" and settings.production


def test_env_example_names_are_settings() -> None:
    names = re.findall(r"^#?\s*(SEOULAI_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    assert names and [n for n in names if not _known(n) and n not in SETUP_ONLY] == []
