"""Report frames as JSON-ready rows: one shape for the CLI and the API.

Columns ending ``_tiyn`` are money: they become tenge, as exact decimal strings, under the name
without the suffix (``net_revenue_tiyn`` → ``net_revenue``: ``"12345.50"``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

TIYN = "_tiyn"


def tenge(tiyn: int | None) -> str | None:
    return None if tiyn is None else str((Decimal(tiyn) / 100).quantize(Decimal("0.01")))


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name.endswith(TIYN):
        return tenge(int(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def frame_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {name.removesuffix(TIYN): _value(name, value) for name, value in row.items()}
        for row in frame.iter_rows(named=True)
    ]
