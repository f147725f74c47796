"""What the analytics read from and write to the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

import polars as pl


@dataclass(frozen=True, slots=True)
class SalesFrames:
    """A shop's sales as frames: raw lines (``lines.RAW_LINES_SCHEMA``), raw returns, purchase
    costs, advertising spend, the seller's own commission rates, and stock per SKU."""

    lines: pl.DataFrame
    returns: pl.DataFrame
    costs: pl.DataFrame
    ad_spend: pl.DataFrame
    commission_rates: pl.DataFrame
    stock: pl.DataFrame


@dataclass(frozen=True, slots=True)
class AdSpend:
    day: date
    amount: Decimal  # tenge
    sku: str | None = None
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class CommissionRate:
    category: str  # "*" for every category without its own rate
    payment_mode: str  # PREPAID | PAY_WITH_CREDIT | "*"
    effective_from: date
    rate_bp: int  # basis points: 1 % = 100
    source: str


class AnalyticsTx(Protocol):
    def sales_frames(self, shop_id: int) -> SalesFrames: ...

    def add_ad_spend(self, shop_id: int, rows: Sequence[AdSpend]) -> int:
        """Insert or replace by (day, SKU, campaign); returns how many rows were written."""
        ...

    def set_commission_rate(self, shop_id: int, rate: CommissionRate) -> None: ...

    def commission_rates(self, shop_id: int) -> list[CommissionRate]:
        """The seller's own rates (not the shipped table), by category, mode and day."""
        ...
