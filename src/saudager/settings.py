"""One typed settings object, read from the environment and an optional TOML file.

Every field is documented in ``docs/settings.md``; a test fails when one is not. Nothing here
is read at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from saudager.core.timewindows import DEFAULT_TIMEZONE, zone
from saudager.domains.quality.types import QualityRules


def _default_home() -> Path:
    return Path.home() / ".saudager"


class Settings(BaseSettings):
    """Saudager's settings. Environment variables are the field names prefixed ``SAUDAGER_``."""

    model_config = SettingsConfigDict(
        env_prefix="SAUDAGER_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for the SQLite database, the encryption key and job storage.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; empty means SQLite at HOME/saudager.db. "
        "PostgreSQL: postgresql://user@host:5432/dbname.",
    )
    default_timezone: str = Field(
        default=DEFAULT_TIMEZONE, description="Time zone given to new shops (IANA name)."
    )
    kaspi_api_url: str = Field(
        default="https://kaspi.kz/shop/api/v2",
        description="Base URL of the Kaspi Shop API v2, used for shops added without --api-url.",
    )
    kaspi_requests_per_second: float = Field(
        default=6.0,
        gt=0,
        description="Most requests per second sent to Kaspi for one shop (Kaspi publishes no "
        "limit; 6 is what existing integrations keep to).",
    )
    kaspi_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Timeout of one request to Kaspi."
    )
    kaspi_max_retries: int = Field(
        default=5,
        ge=0,
        description="Retries of one request after 429, 5xx, a timeout or a cut body.",
    )
    kaspi_backoff_seconds: float = Field(
        default=0.5,
        ge=0,
        description="Base of the exponential back-off between retries (full jitter).",
    )
    kaspi_page_size: int = Field(
        default=100, ge=1, le=100, description="Orders per page when syncing (Kaspi allows ≤ 100)."
    )
    sync_history_days: int = Field(
        default=180,
        ge=1,
        description="How far back the first sync of a shop fetches orders.",
    )
    sync_overlap_hours: int = Field(
        default=72,
        ge=0,
        description="Each incremental sync re-reads this much before the last fetched instant, "
        "catching orders that changed state while the previous sync ran.",
    )
    sync_interval_minutes: int = Field(
        default=10, ge=1, description="How often the background job syncs every shop."
    )
    review_window_days: int = Field(
        default=90,
        ge=1,
        description="Reviews approved in this many past days are re-read on every sync; one "
        "that has vanished from Kaspi is marked deleted.",
    )
    jobs_backend: str = Field(
        default="sqlite",
        description="Job queue storage: 'sqlite' (HOME/jobs.db), 'redis' or 'memory' (tests).",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Redis URL when jobs_backend is 'redis'."
    )
    web_host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    web_port: int = Field(default=8000, ge=1, le=65535, description="Port of the web app.")
    log_level: str = Field(
        default="INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR."
    )
    quality: QualityRules = Field(
        default_factory=QualityRules,
        description="Thresholds, windows and choices of the quality indicators: a TOML table "
        "[quality], or SAUDAGER_QUALITY__<FIELD>; each field is listed below.",
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("jobs_backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in {"sqlite", "redis", "memory"}:
            raise ValueError("expected 'sqlite', 'redis' or 'memory'")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'saudager.db').resolve()}"

    @property
    def key_file(self) -> Path:
        return self.home / "secret.key"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``config_file`` (TOML; default ``SAUDAGER_CONFIG``), then the environment.

    The environment wins over the file, and ``overrides`` win over both.
    """
    path = config_file or (
        Path(os.environ["SAUDAGER_CONFIG"]) if os.environ.get("SAUDAGER_CONFIG") else None
    )
    from_file: dict[str, Any] = {}
    if path is not None:
        with path.open("rb") as handle:
            from_file = tomllib.load(handle)
    env_keys = {name for name in Settings.model_fields if f"SAUDAGER_{name.upper()}" in os.environ}
    merged = {k: v for k, v in from_file.items() if k not in env_keys}
    merged.update(overrides)
    return Settings(**merged)
