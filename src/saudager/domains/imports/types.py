"""The six kinds of import file, their columns, raw tables and what an import reports.

Column names are the contract with sellers' spreadsheets: they are documented in
``docs/import-formats.md`` and a test keeps that page and the tables below in step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from saudager.core.errors import FieldProblem
from saudager.domains.analytics.records import AdSpend
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import Order, OrderLine, Return, Review


class ImportKind(StrEnum):
    ORDERS = "orders"
    ORDER_LINES = "order_lines"
    REVIEWS = "reviews"
    RETURNS = "returns"
    PRODUCTS = "products"
    ADVERTISING = "advertising"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool


def _columns(required: str, optional: str = "") -> tuple[Column, ...]:
    return tuple(Column(n, True) for n in required.split()) + tuple(
        Column(n, False) for n in optional.split()
    )


#: Every kind's columns, required first, in the order the docs and the examples list them.
COLUMNS: Mapping[ImportKind, tuple[Column, ...]] = {
    ImportKind.ORDERS: _columns(
        "order_code created_at status total_price",
        "state cancellation_reason cancelled_by cancelled_at delivery_mode is_kaspi_delivery"
        " handover_deadline handed_over_at delivered_at customer_phone customer_name city",
    ),
    ImportKind.ORDER_LINES: _columns("order_code sku quantity unit_price", "product_name category"),
    ImportKind.REVIEWS: _columns("rating created_at", "order_code sku approved_at text deleted"),
    ImportKind.RETURNS: _columns("order_code sku quantity reason created_at"),
    ImportKind.PRODUCTS: _columns(
        "sku name category purchase_cost",
        "brand weight_kg cost_effective_from stock kaspi_product_code",
    ),
    ImportKind.ADVERTISING: _columns("day amount", "sku campaign"),
}

#: Columns that rule a kind out when the kind is told from the header. ``day`` and ``amount``
#: are common words: a file that also names an order is about orders, never advertising spend.
#: ``--kind`` or a sheet named after the kind still chooses it (the column is then ignored).
EXCLUDING_COLUMNS: Mapping[ImportKind, frozenset[str]] = {
    ImportKind.ADVERTISING: frozenset({"order_code"}),
}

#: Kinds whose store write reports every row written, changed or not (advertising spend is
#: upserted without comparing), rather than only the rows inserted or changed.
COUNTS_ROWS_WRITTEN: frozenset[ImportKind] = frozenset({ImportKind.ADVERTISING})


def required_columns(kind: ImportKind) -> tuple[str, ...]:
    return tuple(c.name for c in COLUMNS[kind] if c.required)


def column_names(kind: ImportKind) -> tuple[str, ...]:
    return tuple(c.name for c in COLUMNS[kind])


def normalize_header(name: object) -> str:
    """How a header cell is matched: trimmed (also of a BOM or no-break spaces), case-folded.

    Readers apply it so that ``" Order_Code"`` and ``order_code`` name the same column.
    """
    if name is None:
        return ""
    return str(name).replace("\ufeff", "").replace("\u00a0", " ").strip().lower()


#: One data row: its number as the seller sees it in a spreadsheet (the header is usually
#: row 1) and its cells keyed by normalised header name. Values are raw: ``str`` from CSV;
#: ``str``, ``int``, ``float``, ``bool``, ``datetime``, ``date`` or ``time`` from XLSX.
RawRow = tuple[int, dict[str, object]]


@dataclass(frozen=True, slots=True)
class RawTable:
    """One CSV file or one XLSX sheet as read, before any validation.

    ``source`` names it in error messages (the path, plus the sheet for a workbook).
    ``overlong_rows`` holds ``(row, cells)`` for rows with non-empty cells beyond the header:
    usually an unquoted value containing the delimiter, which the logic reports rather than
    guessing which cell moved.
    """

    source: str
    header: tuple[str, ...]
    rows: Sequence[RawRow]
    sheet: str | None = None
    overlong_rows: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ValidatedFile:
    """The domain objects of one table, or the problems that stop it from being imported.

    ``references`` lists ``(row, order_code)`` for rows that point at an order (lines, returns,
    reviews) and ``order_codes`` the codes an orders file holds: the service checks the first
    against the second, across the whole import, and against the store. Both are filled even
    when the file has problems, so that every problem is found in one pass.
    """

    source: str
    kind: ImportKind
    rows_read: int
    problems: tuple[FieldProblem, ...] = ()
    orders: tuple[Order, ...] = ()
    order_lines: Mapping[str, tuple[OrderLine, ...]] = field(default_factory=dict)
    reviews: tuple[Review, ...] = ()
    returns: tuple[Return, ...] = ()
    products: tuple[Product, ...] = ()
    product_costs: tuple[ProductCost, ...] = ()
    ad_spend: tuple[AdSpend, ...] = ()
    references: tuple[tuple[int, str], ...] = ()
    order_codes: frozenset[str] = frozenset()
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileReport:
    source: str
    kind: ImportKind
    rows_read: int
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KindReport:
    """Rows read from files of one kind, and how many records were inserted or changed.

    For the kinds in ``COUNTS_ROWS_WRITTEN`` (advertising), ``written`` counts every record
    written, changed or not: re-importing the same file reports them all again.
    """

    kind: ImportKind
    rows_read: int
    written: int


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: tuple[FileReport, ...]
    kinds: tuple[KindReport, ...]
    #: ``ProductCost`` rows inserted or changed (a products row carries one of each).
    product_costs_written: int = 0

    def for_kind(self, kind: ImportKind | str) -> KindReport:
        wanted = ImportKind(kind)
        for report in self.kinds:
            if report.kind == wanted:
                return report
        return KindReport(wanted, 0, 0)

    @property
    def rows_read(self) -> int:
        return sum(k.rows_read for k in self.kinds)

    @property
    def written(self) -> int:
        """Records written: inserted or changed, plus every advertising row (see ``KindReport``)."""
        return sum(k.written for k in self.kinds) + self.product_costs_written

    def __str__(self) -> str:
        """What the CLI prints: per kind, rows read and records written; then ignored columns."""
        lines = [
            f"{k.kind.value}: {k.rows_read} row(s) read, {k.written} "
            + (
                "written (changed or not)"
                if k.kind in COUNTS_ROWS_WRITTEN
                else "inserted or changed"
            )
            for k in self.kinds
        ]
        if any(k.kind == ImportKind.PRODUCTS for k in self.kinds):
            lines.append(f"product costs: {self.product_costs_written} inserted or changed")
        lines.extend(
            f"{f.source}: ignored column(s) {', '.join(f.ignored_columns)}"
            for f in self.files
            if f.ignored_columns
        )
        return "\n".join(lines) or "no files"
