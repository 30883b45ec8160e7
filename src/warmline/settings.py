"""Typed settings, read from the environment (``WARMLINE_*``) and overridden by CLI flags.

Nothing here is a module-level singleton: the composition root (``bootstrap.py``) builds one
``Settings`` and passes it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Warmline reads. Each one is documented in ``docs/configuration.md``."""

    model_config = SettingsConfigDict(env_prefix="WARMLINE_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"),
        description="Folder for the SQLite database, screenshots and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty means SQLite at DATA_DIR/warmline.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    policy_file: Path | None = Field(
        default=None,
        description="YAML escalation/answer policy. Empty means the built-in default policy.",
    )
    max_message_chars: int = Field(
        default=4000, ge=1, description="Longest customer or agent message accepted, in characters."
    )
    max_body_bytes: int = Field(
        default=64_000, ge=1024, description="Largest HTTP request body accepted, in bytes."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Mark the agent session cookie Secure (set to true behind HTTPS).",
    )
    embedder: Literal["minilm", "openai", "hashing"] = Field(
        default="minilm",
        description="Sentence embeddings for dense retrieval: minilm (all-MiniLM-L6-v2 int8 "
        "on onnxruntime, offline), openai (any OpenAI-compatible /v1/embeddings), or hashing "
        "(not semantic; for tests and tiny machines).",
    )
    embeddings_url: str | None = Field(
        default=None, description="Base URL of the OpenAI-compatible embeddings server."
    )
    embeddings_model: str | None = Field(
        default=None, description="Model name sent to the embeddings server."
    )
    embeddings_api_key: str | None = Field(
        default=None, description="API key for the embeddings server, if it needs one."
    )
    chat_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible chat API (vLLM, Ollama, llama.cpp's "
        "server, OpenAI), without /v1. Used by the llm composer, the verifier's judge and, "
        "when LLM_RERANK is on, the reranker.",
    )
    chat_model: str | None = Field(default=None, description="Chat model name.")
    chat_api_key: str | None = Field(default=None, description="API key for the chat API.")
    chat_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for one chat-model reply."
    )
    chat_json_mode: Literal["json_object_schema", "json_schema", "json_object"] = Field(
        default="json_object_schema",
        description="How replies are held to each step's JSON schema: json_object_schema "
        "(llama.cpp's server: the schema becomes a grammar), json_schema (OpenAI structured "
        "outputs, vLLM, Ollama) or json_object (any JSON; the schema is checked afterwards).",
    )
    composer: Literal["extractive", "llm"] = Field(
        default="extractive",
        description="Who writes answers: extractive (quotes the help center, no language "
        "model) or llm (the chat model writes from the evidence; needs CHAT_URL and "
        "CHAT_MODEL). Both are verified the same way.",
    )
    brief_summarizer: Literal["plain", "llm"] = Field(
        default="plain",
        description="Who writes the handoff brief's summary: plain (built from the transcript, "
        "no model) or llm (the chat model, from the redacted transcript; needs CHAT_URL and "
        "CHAT_MODEL; the plain summary stands if the model fails).",
    )
    llm_rerank: bool = Field(
        default=False,
        description="Rerank retrieved passages with the chat model (needs CHAT_URL and "
        "CHAT_MODEL); off by default because small models rerank worse than the default.",
    )
    calibration_file: Path | None = Field(
        default=None,
        description="Confidence calibration fitted on your own labelled questions "
        "(`warmline kb calibrate`); the built-in one when unset.",
    )
    intent_model: Path | None = Field(
        default=None,
        description="Folder of an intent model trained with `warmline intents train`; its "
        "intent and confidence go into every turn's trace, the handoff brief and the policy's "
        "human_only_intents. `warmline demo` trains and uses the demo shop's own.",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")

    @field_validator(
        "database_url",
        "embeddings_url",
        "embeddings_model",
        "embeddings_api_key",
        "chat_url",
        "chat_model",
        "chat_api_key",
    )
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'warmline.db').resolve()}"
