"""What the quality guard keeps: daily snapshots of the indicators, and the alerts it sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

import polars as pl


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One indicator as of the end of one local day."""

    day: date
    indicator: str
    numerator: int
    denominator: int
    value: Decimal | None
    status: str


@dataclass(frozen=True, slots=True)
class SentAlert:
    key: str
    kind: str
    text: str
    sent_at: datetime


class QualityTx(Protocol):
    def save_quality_snapshots(self, shop_id: int, snapshots: Sequence[Snapshot]) -> int:
        """Insert or replace by (day, indicator); returns how many rows were written."""
        ...

    def quality_snapshots(
        self, shop_id: int, first_day: date | None = None, last_day: date | None = None
    ) -> list[Snapshot]:
        """Ordered by day, then indicator; both ends inclusive."""
        ...

    def quality_frames(self, shop_id: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """The shop's orders, reviews and returns as frames in ``facts.ORDERS_FRAME_SCHEMA``,
        ``REVIEWS_FRAME_SCHEMA`` and ``RETURNS_FRAME_SCHEMA``: only the columns the facts need,
        read straight into columns (a shop of a million orders is not turned into objects)."""
        ...

    def sent_alert_keys(self, shop_id: int) -> set[str]: ...

    def record_alert(self, shop_id: int, alert: SentAlert) -> bool:
        """False when an alert with that key was already recorded (nothing is written)."""
        ...

    def sent_alerts(self, shop_id: int, limit: int = 50) -> list[SentAlert]:
        """Newest first."""
        ...
