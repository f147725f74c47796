"""A report table as ``.csv``: UTF-8 with a BOM (Excel opens Cyrillic correctly), ``;`` or ``,``.

Conventions (money in ``*_tiyn`` columns as tenge with a dot decimal, percents, dates,
headers): see the package docstring.
"""

from __future__ import annotations

import csv as _csv
from collections.abc import Collection, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl

from saudager.adapters.exports._columns import DEFAULT_ZONE, Column, Kind, describe, tenge

__all__ = ["write_csv"]

_CENTS = Decimal("0.01")


def _text(value: Any, column: Column, zone: tzinfo) -> str:
    if value is None:
        return ""
    if column.kind is Kind.MONEY:
        return str(tenge(value).quantize(_CENTS))  # 12345.00: a dot, never a comma
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        local = value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
        return local.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(
    path: str | Path,
    frame: pl.DataFrame,
    *,
    delimiter: Literal[";", ","] = ";",
    money_columns: Collection[str] = (),
    percent_columns: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
    zone: tzinfo = DEFAULT_ZONE,
) -> Path:
    """Write ``frame`` with a header row and return the path.

    Money (``*_tiyn`` and ``money_columns``) as tenge with two decimals and a dot; percents as the
    percent number (``3.5``); dates ISO; UTC datetimes in ``zone``; nulls empty.
    """
    if delimiter not in (";", ","):
        raise ValueError("the delimiter is ';' or ','")
    columns = describe(
        frame, money_columns=money_columns, percent_columns=percent_columns, titles=titles
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = _csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([c.header for c in columns])
        for row in frame.iter_rows():
            writer.writerow([_text(v, c, zone) for v, c in zip(row, columns, strict=True)])
    return target
