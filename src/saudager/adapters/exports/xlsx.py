"""Report tables as one formatted ``.xlsx`` workbook (openpyxl): one sheet per table.

Conventions (money in ``*_tiyn`` columns, percents, dates, headers): see the package docstring.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from saudager.adapters.exports._columns import (
    DEFAULT_ZONE,
    Column,
    Kind,
    describe,
    percent_fraction,
    tenge,
)

__all__ = ["MONEY_FORMAT", "MONEY_FORMAT_TIYN", "write_xlsx"]

#: ``#,##0`` groups thousands with the reader's separator: ``12 345 ₸`` in ru-KZ.
MONEY_FORMAT = '#,##0 "₸"'
MONEY_FORMAT_TIYN = '#,##0.00 "₸"'
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"

_MAX_WIDTH = 60
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, unique ignoring case."""
    base = _FORBIDDEN.sub("_", name).strip("'").strip() or "Sheet"
    title, n = base[:31], 1
    while title.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def _cell(value: Any, column: Column, zone: tzinfo) -> Any:
    if value is None:
        return None
    if column.kind is Kind.MONEY:
        return tenge(value)
    if column.kind is Kind.PERCENT:
        return percent_fraction(value)
    if column.kind is Kind.DATETIME and isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str | int | float | bool | date):
        return value
    return str(value)  # decimals stay numbers above; lists, structs… as text


def _display_width(value: Any, column: Column) -> int:
    if value is None:
        return 0
    if column.kind is Kind.MONEY:
        return len(f"{tenge(value):,.2f}") + 2
    if column.kind in (Kind.DATE, Kind.DATETIME):
        return 16 if column.kind is Kind.DATETIME else 10
    return len(str(value))


def write_xlsx(
    path: str | Path,
    sheets: Mapping[str, pl.DataFrame],
    *,
    money_columns: Collection[str] = (),
    percent_columns: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
    zone: tzinfo = DEFAULT_ZONE,
) -> Path:
    """Write each frame to its own sheet (named by its key) and return the path.

    The header row is bold and frozen, columns are as wide as their content (up to 60), money is
    tenge as numbers with a ``₸`` format, percents have a ``%`` format, dates are dates.
    ``money_columns`` / ``percent_columns`` / ``titles`` apply to every sheet that has the column.
    """
    if not sheets:
        raise ValueError("nothing to write: no sheets")
    target = Path(path)
    workbook = Workbook()
    default_sheet = workbook.active
    if default_sheet is not None:
        workbook.remove(default_sheet)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(name, taken))
        columns = describe(
            frame,
            money_columns=[c for c in money_columns if c in frame.columns],
            percent_columns=[c for c in percent_columns if c in frame.columns],
            titles=titles,
        )
        sheet.append([c.header for c in columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(vertical="top", wrap_text=False)
        for row in frame.iter_rows():
            sheet.append([_cell(v, c, zone) for v, c in zip(row, columns, strict=True)])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            values = frame.get_column(column.name)
            number_format = None
            if column.kind is Kind.MONEY:
                has_tiyn = bool((values.drop_nulls() % 100 != 0).any())
                number_format = MONEY_FORMAT_TIYN if has_tiyn else MONEY_FORMAT
            elif column.kind is Kind.PERCENT:
                number_format = PERCENT_FORMAT
            elif column.kind is Kind.DATE:
                number_format = DATE_FORMAT
            elif column.kind is Kind.DATETIME:
                number_format = DATETIME_FORMAT
            if number_format is not None:
                for (cell,) in sheet.iter_rows(
                    min_row=2, max_row=frame.height + 1, min_col=index, max_col=index
                ):
                    cell.number_format = number_format
            width = max(
                [len(column.header), *(_display_width(v, column) for v in values.to_list())]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
