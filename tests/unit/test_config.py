"""Settings come from the environment, nested with "__", and nothing is read at import time."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from seoulai.config import Settings


def test_environment_names_of_the_contract(seoulai_env: pytest.MonkeyPatch) -> None:
    seoulai_env.setenv("SEOULAI_DATA_DIR", "/srv/seoulai/data")
    seoulai_env.setenv("SEOULAI_INDEX_DIR", "/srv/seoulai/idx")
    seoulai_env.setenv("SEOULAI_LLM__BACKEND", "openai_like")
    seoulai_env.setenv("SEOULAI_LLM__MODEL", "qwen2.5-14b")
    seoulai_env.setenv("SEOULAI_OLLAMA_URL", "http://gpu01:11434/")
    seoulai_env.setenv("SEOULAI_EMBED__BACKEND", "none")
    seoulai_env.setenv("SEOULAI_EMBED__MODEL", "bge-m3:567m")
    settings = Settings()
    assert settings.data_dir == Path("/srv/seoulai/data")
    assert settings.index_dir == Path("/srv/seoulai/idx")
    assert settings.llm.backend == "openai_like"
    assert settings.llm.model == "qwen2.5-14b"
    assert settings.ollama_url == "http://gpu01:11434"
    assert settings.embed.backend == "none"
    assert settings.embed.model == "bge-m3:567m"


def test_defaults_are_the_local_ollama_setup_with_the_embedded_embedder(seoulai_env: pytest.MonkeyPatch) -> None:
    from seoulai.llm.factory import embed_model_name

    settings = Settings()
    assert (settings.llm.backend, settings.llm.model) == ("ollama", "seoulai")
    assert (settings.embed.backend, embed_model_name(settings.embed)) == ("embedded", "multilingual-e5-small-int8")
    assert embed_model_name(Settings(embed={"backend": "ollama"}).embed) == "bge-m3"
    assert settings.ollama_url == "http://127.0.0.1:11434"
    assert settings.llm.context_window == 8192


def test_invalid_values_fail_when_loaded_not_when_imported(seoulai_env: pytest.MonkeyPatch) -> None:
    seoulai_env.setenv("SEOULAI_LLM__BACKEND", "gpt-cloud")
    import seoulai.config

    importlib.reload(seoulai.config)  # importing never reads the environment
    with pytest.raises(ValidationError):
        seoulai.config.Settings()


def test_every_field_is_described() -> None:
    from seoulai.config import EmbedSettings, IngestSettings, LLMSettings

    for model in (Settings, LLMSettings, EmbedSettings, IngestSettings):
        missing = [name for name, field in model.model_fields.items() if not field.description]
        assert not missing, f"{model.__name__} fields without a description: {missing}"


def test_env_example_lists_every_setting() -> None:
    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    from pydantic import BaseModel

    names = []
    for name, field in Settings.model_fields.items():
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            names += [f"SEOULAI_{name.upper()}__{n.upper()}" for n in sub.model_fields]
        else:
            names.append(f"SEOULAI_{name.upper()}")
    missing = [n for n in names if n not in text]
    assert not missing, f".env.example lacks {missing}"
