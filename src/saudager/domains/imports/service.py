"""``saudager import``: read every file, validate all of it, then write it in one transaction.

All or nothing: one bad cell in one file and nothing of any file is written, and the seller
gets every problem of every file at once. Files are read before the transaction opens, so a
slow read never holds the database's write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from saudager.core.errors import FieldProblem, InputValidationError
from saudager.domains.imports.logic import (
    ImportBatch,
    merge,
    reference_problems,
    unresolved_order_codes,
    validate_table,
)
from saudager.domains.imports.ports import TableReader
from saudager.domains.imports.types import (
    FileReport,
    ImportKind,
    ImportReport,
    KindReport,
    ValidatedFile,
)
from saudager.domains.orders.ports import Store, StoreTx
from saudager.domains.shops.types import Shop

_ALL_KINDS = tuple(k.value for k in ImportKind)

#: Told how far an import got: files read, files in all, and the file about to be read (its
#: path), or ``None`` once every file is read and the import is being checked and written.
ImportProgress = Callable[[int, int, str | None], None]


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run so that it rolls back; carries the report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


class ImportService:
    def __init__(self, store: Store, reader: TableReader) -> None:
        self._store = store
        self._reader = reader

    def import_files(
        self,
        shop: Shop,
        paths: Sequence[Path],
        kind: str | None = None,
        *,
        dry_run: bool = False,
        on_progress: ImportProgress | None = None,
    ) -> ImportReport:
        """Import ``paths`` into ``shop``; every file's kind is ``kind`` or told by its header.

        Raises ``InputValidationError`` listing every problem of every file (nothing is then
        written). Re-importing the same files changes nothing and reports zero inserted or
        changed, except for advertising, whose rows are all reported written again.
        ``dry_run`` does all of it, writes included, then rolls the transaction back: the
        report says what an import would change. ``on_progress`` is told of each file read.
        """
        files = self.validate_files(shop, paths, kind, on_progress=on_progress)
        if on_progress is not None:
            on_progress(len(paths), len(paths), None)
        problems = [p for f in files for p in f.problems]
        try:
            with self._store.transaction() as tx:
                # Inside the writing transaction, so an order deleted meanwhile cannot slip by.
                unresolved = sorted(unresolved_order_codes(files))
                stored = tx.existing_order_codes(shop.id, unresolved) if unresolved else set()
                problems.extend(reference_problems(files, stored))
                if problems:
                    raise InputValidationError(problems)
                report = _write(tx, shop.id, files, merge(files))
                if dry_run:
                    raise _DryRunDone(report)
        except _DryRunDone as done:
            return done.report
        return report

    def validate_files(
        self,
        shop: Shop,
        paths: Sequence[Path],
        kind: str | None = None,
        *,
        on_progress: ImportProgress | None = None,
    ) -> list[ValidatedFile]:
        """Read and validate every table of every file, without the store.

        Problems are collected in the results, except that an unknown ``kind`` raises at once.
        """
        forced = _kind(kind)
        files: list[ValidatedFile] = []
        for done, path in enumerate(paths):
            if on_progress is not None:
                on_progress(done, len(paths), str(path))
            try:
                tables = self._reader.read_tables(
                    path, (forced.value,) if forced is not None else _ALL_KINDS
                )
            except InputValidationError as exc:
                # An unreadable file is a problem like any other: report it with the rest.
                files.append(
                    ValidatedFile(str(path), forced or ImportKind.ORDERS, 0, tuple(exc.problems))
                )
                continue
            files.extend(validate_table(table, shop.timezone, forced) for table in tables)
        return files


def _kind(kind: str | None) -> ImportKind | None:
    if kind is None:
        return None
    try:
        return ImportKind(kind.strip().lower())
    except ValueError:
        problem = FieldProblem(
            "--kind", None, None, f"expected one of {', '.join(_ALL_KINDS)}, found '{kind}'"
        )
        raise InputValidationError([problem]) from None


def _write(
    tx: StoreTx, shop_id: int, files: Sequence[ValidatedFile], batch: ImportBatch
) -> ImportReport:
    # Orders before their lines: replace_order_lines needs the order stored.
    written = {
        ImportKind.PRODUCTS: tx.upsert_products(shop_id, batch.products),
        ImportKind.ORDERS: tx.upsert_orders(shop_id, batch.orders),
        ImportKind.ORDER_LINES: tx.replace_order_lines(shop_id, batch.order_lines),
        ImportKind.REVIEWS: tx.upsert_reviews(shop_id, batch.reviews),
        ImportKind.RETURNS: tx.upsert_returns(shop_id, batch.returns),
        # Every row upserted, changed or not: the store does not compare (COUNTS_ROWS_WRITTEN).
        ImportKind.ADVERTISING: tx.add_ad_spend(shop_id, batch.ad_spend),
    }
    costs_written = tx.add_product_costs(shop_id, batch.product_costs)
    rows_read: dict[ImportKind, int] = {}
    for f in files:
        rows_read[f.kind] = rows_read.get(f.kind, 0) + f.rows_read
    return ImportReport(
        files=tuple(FileReport(f.source, f.kind, f.rows_read, f.ignored_columns) for f in files),
        kinds=tuple(KindReport(k, rows_read[k], written[k]) for k in ImportKind if k in rows_read),
        product_costs_written=costs_written,
    )
