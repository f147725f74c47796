"""Report tables as files to download: ``.xlsx`` (one sheet per table) or ``.csv`` (one
table), written by the same exporters as ``saudager report --xlsx/--csv``."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import polars as pl
from fastapi import HTTPException
from fastapi.responses import Response

from saudager.adapters.exports import write_csv, write_xlsx

FileKind = Literal["xlsx", "csv"]
CONTENT_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def file_name(*parts: str | date) -> str:
    """``saudager-summary-2026-03-01-2026-03-31``: ASCII only, so every browser keeps it."""
    words = [_UNSAFE.sub("_", p.isoformat() if isinstance(p, date) else p) for p in parts]
    return "-".join(["saudager", *(w for w in words if w)])


def table_file(
    tables: Mapping[str, pl.DataFrame],
    kind: FileKind,
    stem: str,
    *,
    timezone: str,
    table: str | None = None,
) -> Response:
    """The workbook of every table (``table``: only that one), or the CSV of ``table`` (default:
    the first). 404 when there is no such table or nothing to write."""
    if table is not None:
        if table not in tables:
            raise HTTPException(status_code=404, detail=f"no table {table!r} in this report")
        tables = {table: tables[table]}
    if not tables:
        raise HTTPException(status_code=404, detail="this report has no table to download")
    name = f"{stem}-{table}" if table is not None else stem
    zone = ZoneInfo(timezone)
    with tempfile.TemporaryDirectory(prefix="saudager-") as folder:
        path = Path(folder) / f"report.{kind}"
        if kind == "xlsx":
            write_xlsx(path, tables, zone=zone)
        else:
            write_csv(path, next(iter(tables.values())), zone=zone)
        content = path.read_bytes()
    return Response(
        content,
        media_type=CONTENT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )
