"""Server-side paging, sorting and search for the dashboard's big tables.

A page describes its table once (:class:`Table`: the columns it may be sorted by, the columns
searched, the default order) and hands the whole list of rows — dataclasses, dicts or a Polars
frame — with its query parameters to :func:`page_rows` or :func:`page_frame`. Back comes one
:class:`Page`: the rows to show, how many matched, the page count, and the links of the pager
and of the column headers. The table's parameters are

``q``
    search text: a case-insensitive substring of any of the searched columns;
``sort`` / ``desc``
    a column key of the table and ``1`` for descending, ``0`` for ascending;
``page`` / ``per``
    the page (from 1) and the rows per page (25, 50, 100 or 200; 50 by default).

A table that shares its page with another names its parameters with a prefix
(``loss_q``, ``loss_sort``…). Anything that does not read falls back to its default: an unknown
column sorts by the default one, a page past the last shows the last, a page below 1 the first.
Links keep every other parameter of the page, so a table's pager does not reset the period, the
as-of day or the other table's page.

Rows are searched, then sorted by the real values (numbers as numbers, text without regard to
case, missing values last in either direction; ties keep the order the rows came in), then
sliced: only the rows of one page are ever formatted. Frames are searched and sorted by Polars.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

import polars as pl

from saudager.web.i18n import register

T = TypeVar("T")
#: Query parameters as name and value, in order.
Pairs = tuple[tuple[str, str], ...]

#: Rows per page a viewer may choose, and the default.
PER_PAGE = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
#: Search text longer than this is cut (a search box, not a document).
MAX_SEARCH = 100
#: The names of a table's parameters, before its prefix.
PARAMS = ("q", "sort", "desc", "page", "per")

register(
    {
        "paging.search": ("Найти", "Search"),
        "paging.clear": ("Сбросить", "Clear"),
        "paging.per": ("Строк на странице", "Rows per page"),
        "paging.prev": ("← Назад", "← Previous"),
        "paging.next": ("Вперёд →", "Next →"),
        "paging.status": (
            "Страница {page} из {pages} · строк: {rows}",
            "Page {page} of {pages} · rows: {rows}",
        ),
        "paging.found": (
            "Страница {page} из {pages} · найдено строк: {rows} из {all}",
            "Page {page} of {pages} · rows found: {rows} of {all}",
        ),
        "paging.nothing": (
            "Ничего не найдено по запросу «{q}».",
            "Nothing matches “{q}”.",
        ),
        "paging.sort_by": ("Сортировать по этому столбцу", "Sort by this column"),
        "paging.pages": ("Страницы таблицы", "Table pages"),
    }
)


@dataclass(frozen=True, slots=True)
class Column:
    """A column a table may be sorted (or searched) by.

    ``key`` is its name in the URL. Its value in a row: ``value(row)`` when given, else the
    item or attribute ``field`` (by default ``key``); in a frame the column ``field`` (by
    default ``key``). ``desc_first``: the first click sorts it descending (amounts, dates).
    """

    key: str
    field: str | None = None
    value: Callable[[Any], Any] | None = None
    desc_first: bool = False

    @property
    def name(self) -> str:
        return self.field or self.key


@dataclass(frozen=True, slots=True)
class Table:
    """What a page's table allows: its sortable columns, the ones searched and the default
    order. ``presorted``: the rows come in the default order already (no need to sort them
    again). ``anchor``: the id of the element the table's links jump to."""

    columns: tuple[Column, ...]
    search: tuple[str, ...]
    sort: str
    desc: bool = False
    prefix: str = ""
    anchor: str = ""
    presorted: bool = False
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = {c.key: c for c in self.columns}
        if len(keys) != len(self.columns):
            raise ValueError("two columns of a table share a key")
        if self.sort not in keys or not set(self.search) <= keys.keys():
            raise ValueError("a table sorts and searches by its own columns only")
        object.__setattr__(self, "by_key", keys)

    def param(self, name: str) -> str:
        """The URL name of one of ``PARAMS`` for this table."""
        return self.prefix + name

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(self.param(name) for name in PARAMS)


@dataclass(frozen=True, slots=True)
class Query:
    """A table's parameters as read (every one valid)."""

    q: str
    sort: str
    desc: bool
    page: int  # as asked (clamped to the page count once rows are counted)
    per: int


def _int(raw: str | None) -> int | None:
    if raw is None or len(raw) > 12:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def read_query(table: Table, params: Mapping[str, str]) -> Query:
    """The table's parameters from the page's; anything that does not read is the default."""
    q = " ".join(params.get(table.param("q"), "").split())[:MAX_SEARCH]
    sort = params.get(table.param("sort"), "")
    if sort not in table.by_key:
        sort = table.sort
    default_desc = table.desc if sort == table.sort else table.by_key[sort].desc_first
    raw_desc = params.get(table.param("desc"), "").strip()
    desc = {"1": True, "0": False}.get(raw_desc, default_desc)
    per = _int(params.get(table.param("per")))
    page = _int(params.get(table.param("page")))
    return Query(
        q=q,
        sort=sort,
        desc=desc,
        page=max(1, page or 1),
        per=per if per in PER_PAGE else DEFAULT_PER_PAGE,
    )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a table and everything its template needs around it."""

    rows: list[T]
    total: int  # rows matching the search
    count: int  # rows before the search
    number: int  # the page shown, from 1
    pages: int  # at least 1
    query: Query
    table: Table
    path: str
    #: The page's other parameters, kept by every link and by the search form.
    others: Pairs

    @property
    def q(self) -> str:
        return self.query.q

    @property
    def sort(self) -> str:
        return self.query.sort

    @property
    def desc(self) -> bool:
        return self.query.desc

    @property
    def per(self) -> int:
        return self.query.per

    @property
    def per_choices(self) -> tuple[int, ...]:
        return PER_PAGE

    @property
    def first(self) -> int:
        """The position (from 1) of the first row shown; 0 when none is."""
        return 0 if not self.rows else (self.number - 1) * self.per + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def name(self, param: str) -> str:
        """The URL name of ``q``, ``per``… for this table (its prefix added)."""
        return self.table.param(param)

    def state(self, *, page: int | None = None, **changes: object) -> dict[str, str]:
        """This table's parameters as shown (defaults left out), with ``changes``."""
        values: dict[str, object] = {
            "q": self.q,
            "sort": self.sort,
            "desc": int(self.desc),
            "page": self.number if page is None else page,
            "per": self.per,
            **changes,
        }
        table = self.table
        default_order = values["sort"] == table.sort and bool(values["desc"]) == table.desc
        left_out = {
            "q": not values["q"],
            "sort": default_order,
            "desc": default_order,
            "page": values["page"] == 1,
            "per": values["per"] == DEFAULT_PER_PAGE,
        }
        return {self.name(k): str(v) for k, v in values.items() if not left_out.get(k, False)}

    def url(self, *, page: int | None = None, **changes: object) -> str:
        """This page's address with the table's parameters changed."""
        query = urlencode([*self.others, *self.state(page=page, **changes).items()])
        anchor = f"#{self.table.anchor}" if self.table.anchor else ""
        return f"{self.path}?{query}{anchor}" if query else f"{self.path}{anchor}"

    @property
    def prev_url(self) -> str | None:
        return self.url(page=self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(page=self.number + 1) if self.number < self.pages else None

    @property
    def clear_url(self) -> str:
        """The table without its search (the order kept)."""
        return self.url(page=1, q="")

    def sort_url(self, key: str) -> str:
        """Sorted by ``key``: the other way round when it is the current column, else the
        column's first direction; back to the first page."""
        if key == self.sort:
            desc = not self.desc
        elif key == self.table.sort:
            desc = self.table.desc
        else:
            desc = self.table.by_key[key].desc_first
        return self.url(page=1, sort=key, desc=int(desc))

    def aria_sort(self, key: str) -> str | None:
        """``ascending`` or ``descending`` for the column sorted by, else ``None``."""
        if key != self.sort:
            return None
        return "descending" if self.desc else "ascending"

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """What the search form sends besides the search text and rows per page: the page's
        other parameters and the table's order (a new search starts on page 1)."""
        kept = {self.name("sort"): self.sort, self.name("desc"): str(int(self.desc))}
        return [*self.others, *kept.items()]


def _others(table: Table, params: Mapping[str, str], drop: Sequence[str]) -> Pairs:
    """The page's parameters that are not the table's (nor dropped), empty ones left out."""
    mine = set(table.params) | set(drop)
    return tuple((k, v) for k, v in params.items() if k not in mine and v != "")


def _page_number(asked: int, total: int, per: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / per))
    return min(asked, pages), pages


# ---- rows of Python objects -------------------------------------------------------------------


def _getter(column: Column, rows: Sequence[Any]) -> Callable[[Any], Any]:
    if column.value is not None:
        return column.value
    if rows and isinstance(rows[0], Mapping):
        name = column.name
        return lambda row: row.get(name)
    return attrgetter(column.name)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.lower()
    return "" if value is None else str(getattr(value, "value", value)).lower()


def _sort_value(value: Any) -> Any:
    """What a cell is sorted by: text without case, enums by their value; ``None`` (and NaN)
    for a missing value."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _cells(rows: Sequence[Any], column: Column) -> list[Any]:
    """The column's values as they sort (see ``_sort_value``). A column holds one kind of
    value: the first one present tells which, so most columns need no conversion at all."""
    values = list(map(_getter(column, rows), rows))
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, (str, Enum, float)):
        return [None if v is None else _sort_value(v) for v in values]
    return values


def _sorted(rows: Sequence[T], column: Column, desc: bool) -> list[T]:
    """Sorted by ``column``, ties in their order, missing values last either way."""
    cells = _cells(rows, column)
    present = [i for i, value in enumerate(cells) if value is not None]
    missing = [i for i, value in enumerate(cells) if value is None]
    try:
        present.sort(key=cells.__getitem__, reverse=desc)
    except TypeError:  # values of different kinds in one column: compare their text
        present.sort(key=lambda i: str(cells[i]), reverse=desc)
    return [rows[i] for i in present + missing]


def _searched_rows(rows: Sequence[T], columns: Sequence[Column], needle: str) -> list[T]:
    """The rows where any of ``columns`` holds ``needle`` (in lower case)."""
    hits = [False] * len(rows)
    for column in columns:
        for i, value in enumerate(map(_getter(column, rows), rows)):
            if not hits[i] and value is not None and needle in _text(value):
                hits[i] = True
    return [row for row, hit in zip(rows, hits, strict=True) if hit]


def page_rows(
    rows: Sequence[T],
    table: Table,
    params: Mapping[str, str],
    path: str,
    *,
    drop: Sequence[str] = (),
) -> Page[T]:
    """One page of ``rows`` (objects or mappings) as ``params`` ask; ``drop``: parameters of
    the page its links should not keep (a one-time message)."""
    query = read_query(table, params)
    chosen: Sequence[T] = rows
    if query.q:
        searched = [table.by_key[key] for key in table.search]
        chosen = _searched_rows(rows, searched, query.q.lower())
    default_order = query.sort == table.sort and query.desc == table.desc
    if not (table.presorted and default_order):
        chosen = _sorted(chosen, table.by_key[query.sort], query.desc)
    number, pages = _page_number(query.page, len(chosen), query.per)
    start = (number - 1) * query.per
    return Page(
        rows=list(chosen[start : start + query.per]),
        total=len(chosen),
        count=len(rows),
        number=number,
        pages=pages,
        query=query,
        table=table,
        path=path,
        others=_others(table, params, drop),
    )


# ---- Polars frames ----------------------------------------------------------------------------


def _searched(frame: pl.DataFrame, table: Table, q: str) -> pl.DataFrame:
    needle = q.lower()
    matches = [
        pl.col(table.by_key[key].name)
        .cast(pl.String)
        .str.to_lowercase()
        .str.contains(needle, literal=True)
        .fill_null(False)
        for key in table.search
    ]
    return frame.filter(pl.any_horizontal(matches))


def _frame_sorted(frame: pl.DataFrame, column: Column, desc: bool) -> pl.DataFrame:
    dtype = frame.schema[column.name]
    by = pl.col(column.name)
    if dtype == pl.String:
        by = by.str.to_lowercase()
    elif dtype.is_float():
        by = by.fill_nan(None)
    return frame.sort(by, descending=desc, nulls_last=True, maintain_order=True)


def page_frame(
    frame: pl.DataFrame,
    table: Table,
    params: Mapping[str, str],
    path: str,
    *,
    drop: Sequence[str] = (),
) -> Page[dict[str, Any]]:
    """One page of ``frame``'s rows, as dicts, as ``params`` ask (see :func:`page_rows`)."""
    query = read_query(table, params)
    chosen = _searched(frame, table, query.q) if query.q else frame
    default_order = query.sort == table.sort and query.desc == table.desc
    if not (table.presorted and default_order):
        chosen = _frame_sorted(chosen, table.by_key[query.sort], query.desc)
    number, pages = _page_number(query.page, chosen.height, query.per)
    shown = chosen.slice((number - 1) * query.per, query.per)
    return Page(
        rows=list(shown.iter_rows(named=True)),
        total=chosen.height,
        count=frame.height,
        number=number,
        pages=pages,
        query=query,
        table=table,
        path=path,
        others=_others(table, params, drop),
    )
