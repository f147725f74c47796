"""What each column of an exported frame is: money, percent, date, datetime or plain."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from zoneinfo import ZoneInfo

import polars as pl

MONEY_SUFFIX = "_tiyn"
DEFAULT_ZONE = ZoneInfo("Asia/Almaty")
_HUNDRED = Decimal(100)


class Kind(Enum):
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    header: str
    kind: Kind


def is_money(name: str, money_columns: Collection[str]) -> bool:
    return name.endswith(MONEY_SUFFIX) or name in money_columns


def describe(
    frame: pl.DataFrame,
    *,
    money_columns: Collection[str] = (),
    percent_columns: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
) -> list[Column]:
    titles = titles or {}
    unknown = (set(money_columns) | set(percent_columns)) - set(frame.columns)
    if unknown:
        raise ValueError(f"no such columns: {', '.join(sorted(unknown))}")
    columns: list[Column] = []
    for name, dtype in frame.schema.items():
        if is_money(name, money_columns):
            if not dtype.is_integer():
                raise TypeError(f"money column {name!r} must hold integer tiyn, not {dtype}")
            kind = Kind.MONEY
        elif name in percent_columns:
            if not dtype.is_numeric():
                raise TypeError(f"percent column {name!r} must be numeric, not {dtype}")
            kind = Kind.PERCENT
        elif dtype == pl.Date:
            kind = Kind.DATE
        elif isinstance(dtype, pl.Datetime):
            kind = Kind.DATETIME
        else:
            kind = Kind.PLAIN
        default = name.removesuffix(MONEY_SUFFIX) if kind is Kind.MONEY else name
        columns.append(Column(name, titles.get(name, default), kind))
    return columns


def tenge(tiyn: int) -> Decimal:
    """Integer tiyn as exact tenge."""
    return Decimal(tiyn) / _HUNDRED


def percent_fraction(value: float | int | Decimal) -> float | Decimal:
    """3.5 (percent) → 0.035, exact for ints and Decimals."""
    if isinstance(value, float):
        return value / 100
    return Decimal(value) / _HUNDRED
