"""The deployment files name only settings that exist: a typo in an environment name would be ignored by the
settings loader and silently leave a replica on its embedded defaults (its own SQLite, its own Qdrant folder).
The single-machine compose file and the example settings, as shipped, never serve anyone without sign-in."""

from __future__ import annotations

import os
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
    settings = Settings(_env_file=None)
    assert settings.state.url and settings.state.url.startswith("postgresql://")
    assert settings.retrieval.qdrant_url == "http://qdrant:6333"  # not each replica's own embedded folder
    assert settings.usage.mode == "parquet" and settings.auth.mode != "none" and settings.production


def test_env_example_names_are_settings() -> None:
    names = re.findall(r"^#?\s*(SEOULAI_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    assert names and [n for n in names if not _known(n) and n not in SETUP_ONLY] == []


# -- the single-machine compose file and the example settings, as shipped ---------------------------------------
def _dotenv(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """docker compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, read from the project's .env."""
    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if operator == ":-":
            return variables.get(name) or argument
        if operator == ":?" and not variables.get(name):
            raise LookupError(argument)
        return variables.get(name, "")
    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def _compose_app(dotenv: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, list[str]]:
    """The app container's settings and published ports when `docker compose up` runs next to this .env (compose
    reads it twice: for ${…} in the file, and as the app's env_file, which `environment:` overrides)."""
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["app"]
    environment = {**dotenv, **{k: _interpolate(str(v), dotenv) for k, v in (app.get("environment") or {}).items()}}
    for key in [k for k in os.environ if k.startswith("SEOULAI_")]:
        monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return Settings(_env_file=None), [_interpolate(str(p), dotenv) for p in app.get("ports") or []]


EXAMPLE = _dotenv((ROOT / ".env.example").read_text(encoding="utf-8"))


@pytest.mark.parametrize("dotenv", [{}, EXAMPLE], ids=["without .env", ".env copied from .env.example"])
def test_shipped_compose_serves_only_with_sign_in_and_only_on_this_machine(
        dotenv: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings, ports = _compose_app(dotenv, monkeypatch)
    assert settings.auth.mode == "local" and settings.production and settings.unsafe_to_serve() is None
    assert ports and all(p.startswith("127.0.0.1:") for p in ports)  # the city's HTTPS proxy is the way in
    assert EXAMPLE["SEOULAI_AUTH__MODE"] == "local"  # `make run` with the example's .env signs in too


def test_compose_with_sign_in_turned_off_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _ = _compose_app({**EXAMPLE, "SEOULAI_AUTH__MODE": "none"}, monkeypatch)  # an old .env, say
    refusal = settings.unsafe_to_serve()
    assert refusal is not None and "SEOULAI_AUTH__MODE" in refusal


def test_the_image_holds_what_the_app_reads_at_run_time() -> None:
    """The image is built from files that exist, holds the pages app.py navigates to and the demo manuals, and
    installs the package in place: launch.py finds serve.py, and demo-library its manuals, beside the package
    (``Path(__file__).parents[2]``), which a plain ``pip install .`` would move into site-packages."""
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    copied = [part for line in lines if line.startswith("COPY ") for part in line.split()[1:-1]]
    assert [p for p in copied if not (ROOT / p).exists()] == []
    assert {"views", "demo", "app.py", "serve.py", ".streamlit"} <= set(copied)
    installs = [line for line in lines if line.startswith("RUN ") and "pip install" in line]
    assert installs and all(" -e " in line for line in installs)
