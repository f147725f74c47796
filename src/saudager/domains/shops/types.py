"""The shop and the record of its syncs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from saudager.core.timewindows import DEFAULT_TIMEZONE


@dataclass(frozen=True, slots=True)
class Shop:
    """A Kaspi shop managed by this install. The token lives encrypted, apart from this record."""

    id: int
    name: str
    timezone: str = DEFAULT_TIMEZONE
    api_url: str | None = None
    has_token: bool = False
    requests_per_second: float | None = None  # None: the install-wide setting
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SyncRun:
    """One run of ``saudager sync``: when, how far it got, what it counted."""

    id: int
    shop_id: int
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | succeeded | failed
    orders_seen: int
    orders_written: int
    error: str | None = None
