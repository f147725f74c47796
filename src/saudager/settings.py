"""One typed settings object, read from the environment and an optional TOML file.

Every field is documented in ``docs/settings.md``; a test fails when one is not. Nothing here
is read at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from saudager.core.revcache import CacheRules
from saudager.core.timewindows import DEFAULT_TIMEZONE, zone
from saudager.domains.accounts.types import AccountRules
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.quality.eligibility import DEFAULT_JUMA_CALENDAR
from saudager.domains.quality.sanctions import SanctionRules
from saudager.domains.quality.types import QualityRules
from saudager.domains.quality.warnings import WarningRules


def _default_home() -> Path:
    return Path.home() / ".saudager"


class AlertSettings(BaseModel):
    """Where and how quality alerts go. Nothing configured: they go to the log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Literal["ru", "en"] = Field(default="ru", description="Language of alert texts.")
    projection_days: int = Field(
        default=7,
        ge=0,
        description="Alert when an indicator is projected to cross Kaspi's mark within this "
        "many days.",
    )
    handover_horizon_minutes: int = Field(
        default=120,
        ge=0,
        description="Alert when an order's handover deadline is at most this many minutes away.",
    )
    timeout_seconds: float = Field(
        default=15.0, gt=0, description="Timeout of one request to Telegram or the SMTP server."
    )
    max_retries: int = Field(
        default=3, ge=0, description="Retries after 429, 5xx, SMTP 4xx or network failures."
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        description="Bot token from @BotFather; Telegram is on when this and the chat id are set.",
    )
    telegram_chat_id: str | None = Field(
        default=None, description="User id, group id (-100…) or @channel."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Base URL of the Bot API (a local Bot API server, or a fake in tests).",
    )
    telegram_max_retry_after_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Longest retry_after waited for; a longer rate limit fails the alert.",
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server; e-mail is on when this and email_to are set.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port (465 for tls).")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="How the SMTP connection is encrypted."
    )
    smtp_username: str | None = Field(default=None, description="SMTP login; empty: none.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    email_from: str | None = Field(
        default=None, description="Sender, e.g. 'Saudager <alerts@shop.kz>'."
    )
    email_to: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Recipients (a TOML list, or comma-separated in the environment)."
    )

    @field_validator("email_to", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


class MessagingSettings(BaseModel):
    """The WhatsApp business number and the rules of buyer messaging (docs/messaging.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        default=False,
        description="Queue buyer messages after each sync (message 1 for new orders, message 2 "
        "for delivered ones); off: nothing is queued unless asked.",
    )
    provider: Literal["console", "cloud"] = Field(
        default="console",
        description="Where messages go: 'cloud' (the WhatsApp Cloud API) or 'console' (printed, "
        "for the demo and trials).",
    )
    phone_number_id: str | None = Field(
        default=None, description="The Cloud API phone number id of the business number."
    )
    access_token: SecretStr | None = Field(
        default=None, description="The Cloud API access token (a system user's)."
    )
    app_secret: SecretStr | None = Field(
        default=None,
        description="The app secret that signs webhooks (X-Hub-Signature-256); empty: webhooks "
        "are refused.",
    )
    verify_token: SecretStr | None = Field(
        default=None, description="The string the webhook's GET verification must present."
    )
    cloud_api_url: str = Field(
        default="https://graph.facebook.com",
        description="Base URL of the Cloud API (the local fake's in the demo and tests).",
    )
    cloud_api_version: str = Field(default="v23.0", description="Graph API version used.")
    window_start: time = Field(
        default=time(10, 0), description="Messages go out from this local time of the shop…"
    )
    window_end: time = Field(default=time(21, 0), description="…until this local time (exclusive).")
    holdout_share: Decimal = Field(
        default=Decimal("0.10"),
        ge=0,
        le=Decimal("0.5"),
        description="Share of buyers who get no review request, to measure what it earns.",
    )
    per_order: int = Field(
        default=2, ge=1, le=2, description="Most messages to a buyer per order (1 or 2)."
    )
    min_gap_minutes: int = Field(
        default=60,
        ge=0,
        description="Least time between two messages to one buyer, across the number's shops.",
    )
    daily_tier: int = Field(
        default=250,
        ge=1,
        description="Most messages a number sends in 24 hours once warmed up (its Meta tier).",
    )


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
    web_max_upload_mb: int = Field(
        default=50,
        ge=1,
        description="Largest upload the web app takes, in megabytes: all files of one import "
        "together; a bigger one is refused with a message saying the limit.",
    )
    log_level: str = Field(
        default="INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR."
    )
    alerts: AlertSettings = Field(
        default_factory=AlertSettings,
        description="Quality alerts and their channels: a TOML table [alerts], or "
        "SAUDAGER_ALERTS__<FIELD>; each field is listed below.",
    )
    sanctions: SanctionRules = Field(
        default_factory=SanctionRules,
        description="Kaspi's sanction ladder: a TOML table [sanctions], or "
        "SAUDAGER_SANCTIONS__<FIELD>; each field is listed below.",
    )
    early_warnings: WarningRules = Field(
        default_factory=WarningRules,
        description="Horizons and working hours of the early warnings: a TOML table "
        "[early_warnings], or SAUDAGER_EARLY_WARNINGS__<FIELD>; each field is listed below.",
    )
    zhuma_calendar: tuple[tuple[date, date], ...] = Field(
        default=tuple((w.start, w.end) for w in DEFAULT_JUMA_CALENDAR),
        description="Kaspi Жұма sales as [first day, last day] pairs of local dates. Only "
        "12–15 February 2026 is published; later defaults are assumed (quality-outlook.md).",
    )
    zhuma_credit_payments_since: date | None = Field(
        default=None,
        description="Since when the shop takes Kaspi credit payments (a Жұма criterion no API "
        "shows); empty: the criterion is shown as not checked.",
    )
    analytics: AnalyticsRules = Field(
        default_factory=AnalyticsRules,
        description="Costs, tax and boundaries of the sales reports: a TOML table [analytics], "
        "or SAUDAGER_ANALYTICS__<FIELD>; each field is listed below.",
    )
    quality: QualityRules = Field(
        default_factory=QualityRules,
        description="Thresholds, windows and choices of the quality indicators: a TOML table "
        "[quality], or SAUDAGER_QUALITY__<FIELD>; each field is listed below.",
    )
    cache: CacheRules = Field(
        default_factory=CacheRules,
        description="How many shops' sales, quality facts and overviews a process keeps in "
        "memory between requests: a TOML table [cache], or SAUDAGER_CACHE__<FIELD>; each field "
        "is listed below.",
    )
    messaging: MessagingSettings = Field(
        default_factory=MessagingSettings,
        description="The WhatsApp number and the rules of buyer messaging: a TOML table "
        "[messaging], or SAUDAGER_MESSAGING__<FIELD>; each field is listed below.",
    )
    accounts: AccountRules = Field(
        default_factory=AccountRules,
        description="Session lifetime, the login rate limit and the password rule: a TOML "
        "table [accounts], or SAUDAGER_ACCOUNTS__<FIELD>; each field is listed below.",
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("quality", mode="before")
    @classmethod
    def _reasons_from_text(cls, value: object) -> object:
        # From the environment the reason list arrives as text: "A,B" or a JSON list.
        if isinstance(value, dict) and isinstance(value.get("seller_fault_reasons"), str):
            raw = value["seller_fault_reasons"].strip()
            reasons = json.loads(raw) if raw.startswith("[") else raw.split(",")
            value = {**value, "seller_fault_reasons": [r.strip() for r in reasons if r.strip()]}
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
