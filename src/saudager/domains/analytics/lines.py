"""From the store's raw columns to the frames of ``types.py``: local days and sale statuses."""

from __future__ import annotations

import polars as pl

from saudager.domains.analytics.types import (
    RETURNS_SCHEMA,
    SALES_LINES_SCHEMA,
    SaleStatus,
)

#: What the store reads per order line: ``SALES_LINES_SCHEMA`` less what is derived here.
RAW_LINES_SCHEMA: dict[str, pl.DataType] = {
    name: dtype
    for name, dtype in SALES_LINES_SCHEMA.items()
    if name not in {"sale_day", "sale_status"}
}
RAW_RETURNS_SCHEMA: dict[str, pl.DataType] = {
    name: dtype for name, dtype in RETURNS_SCHEMA.items() if name != "return_day"
}


#: A return under way counts as returned: the goods are not the buyer's any more.
RETURN_STATUSES = ["RETURNED", "KASPI_DELIVERY_RETURN_REQUESTED", "RETURN_ACCEPTED_BY_MERCHANT"]


def sale_status() -> pl.Expr:
    """Kaspi's status in the four words sellers use (DOMAIN.md §3)."""
    status = pl.col("status")
    return (
        pl.when(status.is_in(["CANCELLED", "CANCELLING"]))
        .then(pl.lit(SaleStatus.CANCELLED.value))
        .when(status.is_in(RETURN_STATUSES))
        .then(pl.lit(SaleStatus.RETURNED.value))
        .when(status == "COMPLETED")
        .then(pl.lit(SaleStatus.RECEIVED.value))
        .otherwise(pl.lit(SaleStatus.DELIVERING.value))
    )


def prepare_lines(raw: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Add the local sale day and the sale status; columns in ``SALES_LINES_SCHEMA`` order."""
    return raw.with_columns(
        pl.col("created_at").dt.convert_time_zone(tz).dt.date().alias("sale_day"),
        sale_status().alias("sale_status"),
    ).select(list(SALES_LINES_SCHEMA))


def prepare_returns(raw: pl.DataFrame, tz: str) -> pl.DataFrame:
    return raw.with_columns(
        pl.col("returned_at").dt.convert_time_zone(tz).dt.date().alias("return_day")
    ).select(list(RETURNS_SCHEMA))
