"""``saudager report KIND SHOP``: the sales reports, as tables, JSON, XLSX or CSV."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl
import typer
from rich.table import Table

from saudager.cli.output import console
from saudager.domains.analytics import views
from saudager.domains.analytics.report_views import REPORT_KINDS, period_of

KINDS: tuple[str, ...] = REPORT_KINDS


def period(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """``--from``/``--to``; default: the 30 days ending yesterday (today is not over)."""
    try:
        start, end = period_of(
            date.fromisoformat(first) if first else None,
            date.fromisoformat(last) if last else None,
            today,
        )
    except ValueError as exc:
        raise typer.BadParameter(f"expected dates such as 2026-08-25: {exc}") from None
    if start > end:
        raise typer.BadParameter(f"--from {start} is after --to {end}")
    return start, end


def print_frame(frame: pl.DataFrame, title: str, limit: int = 40) -> None:
    if frame.height == 1 and frame.width > 8:
        # One wide row (a summary of the whole period) reads better as a list.
        table = Table("", "", title=title)
        for name, value in views.frame_rows(frame)[0].items():
            table.add_row(name, "—" if value is None else str(value))
        console.print(table)
        return
    table = Table(title=title)
    rows = views.frame_rows(frame.head(limit))
    columns = list(rows[0]) if rows else [c.removesuffix(views.TIYN) for c in frame.columns]
    for column in columns:
        numeric = column not in {"sku", "name", "product_name", "category", "class", "cell"}
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*("—" if v is None else str(v) for v in row.values()))
    console.print(table)
    if frame.height > limit:
        console.print(f"… {frame.height - limit} more rows (--json, --xlsx or --csv for all)")


def tables_json(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    return {name: views.frame_rows(frame) for name, frame in tables.items()}
