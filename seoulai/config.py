"""Typed settings for the whole product.

Read from the environment (prefix ``SEOULAI_``, nested fields joined with ``__``) and from an optional
``.env`` file. Nothing is read at import time: the composition root (``build_services``) builds one
``Settings()`` per process, so tests can bind other values by setting the environment first.

A ``SEOULAI_`` name in the settings file that names no setting is refused (a misspelled name would otherwise leave
its default in place without a word); the file's other names are docker compose's. The environment is not checked:
other programs put their own ``SEOULAI_`` names there (``SEOULAI_BASE_MODEL`` of ollama/setup.sh, test harnesses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from seoulai.settings_files import bad_values, check_settings_files

LLMBackend = Literal["ollama", "openai_like", "llamacpp", "none"]
EmbedBackend = Literal["embedded", "ollama", "openai_like", "none"]


class LLMSettings(BaseModel):
    """The chat model that writes answers and drafts."""

    backend: LLMBackend = Field(
        "ollama",
        description="ollama (default, local server), openai_like (vLLM or any OpenAI-compatible server), "
        "llamacpp (in-process GGUF, needs the `local` extra) or none (retrieval-only mode).",
    )
    model: str = Field(
        "seoulai",
        description="Model name on the server. `seoulai` is the assistant model built by ollama/setup.sh.",
    )
    request_timeout: float = Field(
        120.0, gt=0, description="Seconds to wait for the model before giving up on one request."
    )
    context_window: int = Field(
        8192, ge=512, description="Context length in tokens; passed explicitly so no /api/show call is made."
    )
    max_output_tokens: int = Field(
        1024, ge=16, description="Cap on generated tokens per reply (Ollama num_predict / OpenAI max_tokens)."
    )
    temperature: float = Field(0.1, ge=0.0, le=2.0, description="Sampling temperature; low for factual work.")
    keep_alive: str = Field(
        "30m", description="How long Ollama keeps the model loaded after a request (Ollama duration string)."
    )
    api_base: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible server for backend openai_like, e.g. http://vllm:8000/v1.",
    )
    api_key: SecretStr = Field(
        SecretStr("EMPTY"), description="API key for backend openai_like (vLLM accepts any value by default)."
    )
    gguf_path: Path | None = Field(
        None, description="Path to a GGUF model file for backend llamacpp."
    )
    chat_format: str = Field(
        "gemma", description="Prompt format of the GGUF model for backend llamacpp (gemma or chatml)."
    )
    threads: int | None = Field(None, ge=1, description="CPU threads for backend llamacpp (default: all).")


class EmbedSettings(BaseModel):
    """The embedding model used for dense retrieval."""

    backend: EmbedBackend = Field(
        "embedded", description="embedded (default: multilingual-e5-small in process, int8 through onnxruntime, no "
        "server), "
        "ollama (bge-m3 in production), openai_like (a /v1/embeddings server), or none (keyword search only)."
    )
    model: str = Field("", description="Embedding model name on the server (default: bge-m3 for ollama; the "
                       "embedded backend always runs multilingual-e5-small).")
    threads: int | None = Field(None, ge=1, description="Passages the embedded model embeds side by side, one "
                                "core each (default: every core); a question's embedding never waits for them.")
    model_dir: Path | None = Field(None, description="Folder where the embedded model keeps the int8 model it builds "
                                   "on first use (default: ~/.cache/seoulai/models).")
    request_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for one embedding request (the client has none by default)."
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Texts sent per embedding request.")
    api_base: str | None = Field(None, description="Base URL of an OpenAI-compatible /v1/embeddings server.")
    api_key: SecretStr = Field(SecretStr("EMPTY"), description="API key for backend openai_like.")


class IngestSettings(BaseModel):
    """Limits and chunking for document ingestion (every parse runs in a limited subprocess)."""

    max_file_mb: float = Field(50.0, gt=0, description="Largest file accepted, in MB (checked before parsing).")
    max_pages: int = Field(1000, ge=1, description="Most pages a PDF may have.")
    max_chars: int = Field(3_000_000, ge=1000, description="Most characters extracted from one file.")
    parse_timeout: float = Field(120.0, gt=0, description="Seconds one file may take to parse before it is stopped.")
    parse_memory_mb: int = Field(2048, ge=256, description="Address-space limit of the parser subprocess, in MB.")
    zip_max_entries: int = Field(10_000, ge=10, description="Most entries in a zip-based file (HWPX, DOCX, XLSX).")
    zip_max_uncompressed_mb: float = Field(
        500.0, gt=0, description="Largest total uncompressed size of a zip-based file, in MB."
    )
    zip_max_ratio: float = Field(
        200.0, gt=1, description="Largest compression ratio of one zip entry (zip-bomb guard)."
    )
    chunk_chars: int = Field(
        1000, ge=100, description="Target chunk size in characters for non-statute documents "
        "(benchmarks/chunk_size.py; 1000 keeps the keyword side above plain Kiwi BM25 on KorQuAD, BENCHMARKS.md)."
    )
    article_max_chars: int = Field(
        1500, ge=200, description="A statute article longer than this is split by its paragraphs (①, ②, ...)."
    )
    workers: int = Field(2, ge=1, le=32, description="Parser subprocesses used for batch ingestion.")


class RetrievalSettings(BaseModel):
    """Keyword + dense hybrid retrieval."""

    qdrant_url: str | None = Field(
        None, description="Qdrant server or cluster URL (scale-out). Empty: embedded storage under the index dir."
    )
    qdrant_api_key: SecretStr | None = Field(None, description="API key of the Qdrant server, if it needs one.")
    qdrant_collection: str = Field("seoulai_chunks", description="Qdrant collection holding every chunk vector.")
    top_k: int = Field(5, ge=1, le=50, description="Passages returned by a search by default.")
    candidates: int = Field(50, ge=5, le=1000, description="Candidates taken from each side before fusion.")
    rrf_k: int = Field(30, ge=1, description="Reciprocal-rank-fusion constant (30 and dense_weight 0.5: the "
                       "only grid region that helped both dev sets, BENCHMARKS.md).")
    dense_weight: float = Field(0.5, ge=0, description="Weight of the dense ranking in the fusion (keyword = 1).")
    shared_collection: str = Field("공통", description="Name of the collection every department can read.")
    relevance_floor: float = Field(
        0.2, ge=0, le=1, description="Least relevance (0-1: the share of the question's rare words a passage holds, "
        "or the embedder's similarity, seoulai/retrieval/floor.py) for a passage to count as evidence; below it for "
        "every passage the app answers 찾지 못했습니다 without calling the model and `seoulai search` shows nothing "
        "(`--all` shows the rest).")
    vector_cache: Path | None = Field(
        None, description="SQLite file of vectors by content hash (default: <index dir>/vectors.sqlite)."
    )
    char_bigrams: bool = Field(
        False, description="Also index character bigrams (a small MRR gain on the dev set for 2x build time and "
        "memory on a whole law corpus; see BENCHMARKS.md). Applies to collections built afterwards."
    )


class AnswerSettings(BaseModel):
    """Grounded answers."""

    passages: int = Field(5, ge=1, le=20, description="Passages given to the model per question.")
    history_turns: int = Field(4, ge=0, le=20, description="Earlier turns of the conversation given to the model.")
    max_question_chars: int = Field(
        2000, ge=100, le=20000, description="Longest question accepted (the chat input and the search refuse more)."
    )


class UploadSettings(BaseModel):
    """Personal document uploads (문서 Q&A)."""

    max_files: int = Field(10, ge=1, le=100, description="Most files one upload may hold.")
    max_total_mb: float = Field(200.0, gt=0, description="Largest total size of one upload, in MB.")
    retention_days: float = Field(
        30.0, gt=0, description="Uploads older than this are deleted (index, vectors and stored file)."
    )
    expiry_interval: float = Field(
        600.0, ge=0, description="Seconds between two retention sweeps of an app server (a background thread that "
        "also sweeps at start-up): an upload, conversation or draft is gone at most this long after its retention "
        "period ends."
    )


class HistorySettings(BaseModel):
    """Each person's conversation history and saved drafts."""

    retention_days: float = Field(
        90.0, gt=0, description="Conversations and drafts not touched for this many days are deleted (by the "
        "app server's retention sweep, every uploads.expiry_interval seconds)."
    )


class PrivacySettings(BaseModel):
    """Personal data (주민등록번호, 연락처, ...) in questions and documents."""

    action: Literal["mask", "block"] = Field(
        "mask", description="mask: personal data is replaced by its kind before any model or log sees it; "
        "block: a question containing personal data is refused with a message."
    )


class LimitSettings(BaseModel):
    """Per-person limits on model calls (answers, summaries, comparisons)."""

    per_minute: int = Field(10, ge=1, description="Model calls one person may make per minute.")
    per_day: int = Field(300, ge=1, description="Model calls one person may make per day.")


class DraftingSettings(BaseModel):
    """The drafting wizard."""

    templates_dir: Path | None = Field(
        None, description="Folder of extra draft templates (YAML) administrators add beside the built-in ones."
    )


class UsageSettings(BaseModel):
    """Usage analytics."""

    enabled: bool = Field(True, description="Record usage events (DuckDB under the data dir).")
    mode: Literal["duckdb", "parquet"] = Field(
        "duckdb", description="duckdb: one DuckDB file (one app process); parquet: each replica writes its own "
        "Parquet files under <data dir>/usage/replica=<id>/ and the dashboard reads them all."
    )
    replica_id: str = Field(
        "", description="Name of this server's partition in parquet mode (default: host name and pid). Unique per "
        "live server (a name in use gets -<pid> added); a stopped server's pending events are folded by any live one."
    )
    retention_days: int = Field(
        365, ge=1, description="Days usage events are kept in every usage file (the app removes older ones hourly)."
    )
    flush_interval: float = Field(
        1.0, gt=0, description="Seconds the writer waits before writing a partial batch of usage events."
    )
    xlsx_rows: int = Field(100_000, ge=1, le=1_048_575, description="Most rows of an XLSX usage export.")
    dashboard_cache: float = Field(
        30.0, ge=0, description="Seconds the 이용 현황 figures of one filter are reused for every manager (0: never)."
    )
    db_path: Path | None = Field(None, description="DuckDB file of usage events (default: <data dir>/usage.duckdb).")
    log_queries: bool = Field(
        True, description="Store the (PII-masked) question text with each event; false stores no text at all."
    )
    minutes_saved: dict[str, float] = Field(
        default_factory=lambda: {"manual_search": 6.0, "doc_qa": 10.0, "drafting": 40.0},
        description="Estimated minutes one successful use saves, per feature.",
    )


class AuthSettings(BaseModel):
    """Sign-in. `none` is for a single-person evaluation on one machine only."""

    mode: Literal["none", "local", "oidc"] = Field(
        "none", description="none (no sign-in: everyone is the demo person), local (accounts file), oidc (st.login)."
    )
    demo_department: str = Field(
        "서울특별시/디지털도시국/디지털정책과", description="Department of the demo person when mode is none: a full "
        "org path, or a 과 name the chart has once (the 내 부서 picker in the sidebar changes it per session)."
    )
    demo_role: str = Field("admin", description="Role of the demo person when mode is none.")
    org_chart: Path | None = Field(
        None, description="YAML org chart (실/국/과 tree with headcounts). Set: it always wins (another city's chart). "
        "Unset: the chart is built from the 행정기구 설치 조례 시행규칙 in the shared library and follows its "
        "re-ingestion; without that rule, the bundled demo chart."
    )
    accounts_path: Path | None = Field(
        None, description="An accounts.json of an earlier version, imported once into the state store "
        "(default: <data dir>/accounts.json)."
    )
    session_minutes: int = Field(480, ge=5, description="Minutes a sign-in lasts before the person signs in again.")
    session_secret: SecretStr | None = Field(
        None, description="Key that signs session cookies. Default: a random key made once and kept in the state "
        "store, so every app server sharing the store shares it."
    )
    cookie_secure: bool | None = Field(
        None, description="Send the session cookie over HTTPS only (default: on in production mode)."
    )
    lockout_attempts: int = Field(5, ge=1, description="Wrong passwords for one account before it is locked.")
    client_attempts: int = Field(
        20, ge=1, description="Wrong passwords from one client address (any account) before it is locked."
    )
    lockout_minutes: float = Field(15.0, gt=0, description="Minutes a lockout lasts (and the window counted).")
    trust_forwarded_for: bool = Field(
        False, description="Take the client address from X-Forwarded-For (only behind the city's reverse proxy)."
    )
    department_claim: str = Field("department", description="OIDC claim holding the 실/국/과 path.")
    role_claim: str = Field("role", description="OIDC claim holding the role (staff, dept_admin, manager, admin).")


class StateSettings(BaseModel):
    """Where accounts, sessions, lockouts, quotas, conversations, drafts and the audit log are kept."""

    url: str | None = Field(
        None, description="PostgreSQL URL (postgresql://user:pass@host/db) shared by several app servers. "
        "Empty: an embedded SQLite file, <data dir>/state.sqlite."
    )
    server_id: str = Field("", description="This app server's name in the audit log (default: host name and pid).")


class Settings(BaseSettings):
    """Every setting of the product. See .env.example for the environment names."""

    model_config = SettingsConfigDict(
        env_prefix="SEOULAI_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        Path("data"), description="Where uploads, the usage database and accounts are kept."
    )
    index_dir: Path = Field(
        Path("indexes"), description="Where keyword and vector indexes are persisted."
    )
    ollama_url: str = Field(
        "http://127.0.0.1:11434",
        description="Base URL of the Ollama server (the LlamaIndex classes ignore OLLAMA_HOST).",
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="Chat model settings.")
    embed: EmbedSettings = Field(default_factory=EmbedSettings, description="Embedding model settings.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Document ingestion limits.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Retrieval settings.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Answer settings.")
    privacy: PrivacySettings = Field(default_factory=PrivacySettings, description="Privacy settings.")
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Model-call limits per person.")
    drafting: DraftingSettings = Field(default_factory=DraftingSettings, description="Drafting settings.")
    uploads: UploadSettings = Field(default_factory=UploadSettings, description="Upload settings.")
    history: HistorySettings = Field(default_factory=HistorySettings, description="Conversation history settings.")
    usage: UsageSettings = Field(default_factory=UsageSettings, description="Usage analytics settings.")
    auth: AuthSettings = Field(default_factory=AuthSettings, description="Sign-in settings.")
    state: StateSettings = Field(default_factory=StateSettings, description="Shared application state.")
    health_timeout: float = Field(
        3.0, gt=0, description="Seconds the health check waits for a model server before calling it down."
    )
    health_ttl: float = Field(
        20.0, gt=0, description="Seconds the app reuses one health check for every session before probing again."
    )
    production: bool = Field(
        False, description="Production mode: refuses to start without sign-in or with unsafe server options (see "
        "README, 보안)."
    )

    def unsafe_to_serve(self) -> str | None:
        """Why the app server must not start with these settings (Korean, naming the setting to change), or None.

        Production without sign-in makes whoever reaches the port the demo person, a system administrator."""
        if self.production and self.auth.mode == "none":
            return ("운영 모드(SEOULAI_PRODUCTION=true)에서는 로그인 없이 시작할 수 없습니다: 접속하는 누구나 시스템 관리자가 "
                    "됩니다. SEOULAI_AUTH__MODE를 local(계정은 `seoulai users add`로 만듦) 또는 oidc(서울시 통합인증)로 "
                    "바꾸세요. 혼자 평가하는 컴퓨터라면 SEOULAI_PRODUCTION=false로 두세요.")
        return None

    @field_validator("ollama_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The sources as pydantic-settings orders them; the settings file is checked first (see the module doc)."""
        if isinstance(dotenv_settings, DotEnvSettingsSource):
            check_settings_files(cls, dotenv_settings.env_file, dotenv_settings.env_file_encoding)
        return init_settings, env_settings, dotenv_settings, file_secret_settings


def load_settings() -> Settings:
    """The settings of this process, or a Korean InputError naming each bad setting by its environment name (every
    entry point starts here: the CLI, `make run`'s launcher, serve.py)."""
    try:
        return Settings()
    except ValidationError as error:
        raise bad_values(error) from None
