"""``ImportService`` against a real, migrated SQLite file, reading real files."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, text

from saudager.adapters.db.store import SqlStore
from saudager.core.errors import InputValidationError
from saudager.domains.imports.service import ImportService
from saudager.domains.imports.types import ImportKind, ImportReport
from saudager.domains.shops.types import Shop

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples" / "import"
RETAIL = ROOT.parent / "shared" / "data" / "online-retail-subsets" / "online_retail_germany.csv"
KINDS = [k.value for k in ImportKind]


def examples(*kinds: str) -> list[Path]:
    return [EXAMPLES / f"{kind}.csv" for kind in kinds or KINDS]


def counts(report: ImportReport) -> dict[str, tuple[int, int]]:
    return {k.kind.value: (k.rows_read, k.written) for k in report.kinds}


def nothing_stored(store: SqlStore, shop: Shop) -> bool:
    with store.transaction() as tx:
        return not (
            tx.order_count(shop.id)
            or tx.list_products(shop.id)
            or tx.product_costs(shop.id)
            or tx.list_reviews(shop.id)
            or tx.list_returns(shop.id)
        )


def problems(caught: pytest.ExceptionInfo[InputValidationError]) -> list[str]:
    return [str(p) for p in caught.value.problems]


def write_csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def test_the_examples_import_and_a_reimport_changes_nothing(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    report = service.import_files(shop, examples())
    assert counts(report) == {
        "orders": (5, 5),
        "order_lines": (7, 7),
        "reviews": (4, 4),
        "returns": (2, 2),
        "products": (3, 3),
        "advertising": (5, 5),
    }
    assert report.product_costs_written == 3
    assert [f.kind for f in report.files] == list(ImportKind)
    assert all(f.ignored_columns == () for f in report.files)

    again = service.import_files(shop, examples())
    # Advertising spend is upserted without comparing: its rows are reported written again.
    assert {kind: written for kind, (_, written) in counts(again).items()} == dict.fromkeys(
        KINDS, 0
    ) | {"advertising": 5}
    assert again.written == 5

    with store.transaction() as tx:
        order = tx.get_order(shop.id, "510000001")
        assert order is not None
        assert order.source == "import"
        assert order.created_at == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
        assert order.customer_phone == "+77010000001"
        assert [(x.line_no, x.sku, x.total_price) for x in order.lines] == [
            (1, "KETTLE-01", Decimal("14990.00")),
            (2, "MUG-02", Decimal("1000.00")),
        ]
        assert tx.order_count(shop.id) == 5
        assert {(r.key, r.reason) for r in tx.list_returns(shop.id)} == {
            ("510000005/BLENDER-03", "quality"),
            ("510000002/MUG-02", "other"),
        }
        reviews = tx.list_reviews(shop.id)
        assert [r.rating for r in reviews] == [5, 4, 2, 5]
        assert all(r.key.startswith("import:") and r.source == "import" for r in reviews)
        assert reviews[-1].deleted_at == reviews[-1].created_at
        assert [c.effective_from for c in tx.product_costs(shop.id, "MUG-02")] == [date(2000, 1, 1)]


def test_corrections_are_written_and_counted(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    service.import_files(shop, examples())
    products = (EXAMPLES / "products.csv").read_text(encoding="utf-8")
    reviews = (EXAMPLES / "reviews.csv").read_text(encoding="utf-8")
    (tmp_path / "products.csv").write_text(products.replace(",450,", ",480,"), encoding="utf-8")
    (tmp_path / "reviews.csv").write_text(
        reviews.replace("Кружки хорошие,", "Кружки хорошие,да"), encoding="utf-8"
    )
    report = service.import_files(shop, [tmp_path / "products.csv", tmp_path / "reviews.csv"])
    assert counts(report) == {"reviews": (4, 1), "products": (3, 0)}
    assert report.product_costs_written == 1
    with store.transaction() as tx:
        assert [c.purchase_cost for c in tx.product_costs(shop.id, "MUG-02")] == [Decimal("480.00")]
        assert len(tx.list_reviews(shop.id)) == 4  # the corrected review, not a fifth


def test_a_bad_file_leaves_nothing_behind(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    lines = write_csv(
        tmp_path / "lines.csv",
        [
            ["order_code", "sku", "quantity", "unit_price"],
            ["510000001", "KETTLE-01", "1", "14 990"],
            ["510000002", "MUG-02", "0", "450"],
        ],
    )
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, [*examples("orders", "products"), lines])
    assert problems(caught) == [
        f"{lines}, row 3, column 'quantity': expected a whole number of 1 or more, found '0'"
    ]
    assert "nothing was imported" in str(caught.value)
    assert nothing_stored(store, shop)


def test_every_problem_of_every_file_at_once(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    orders = write_csv(
        tmp_path / "orders.csv",
        [
            ["order_code", "created_at", "status", "total_price", "customer_phone"],
            ["1", "31/02/2026", "COMPLETED", "100", ""],
            ["2", "2026-03-01", "COMPLETED", "100", "+7 701 123 45"],
        ],
        delimiter=";",
    )
    returns = write_csv(
        tmp_path / "returns.csv",
        [
            ["order_code", "sku", "quantity", "reason", "created_at"],
            ["1", "A", "1", "quality", "2026-03-02"],  # order 1's row is bad, but it is there
            ["404", "A", "1", "other", "2026-03-02"],
        ],
    )
    missing = tmp_path / "missing.xlsx"
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, [orders, missing, returns])
    assert problems(caught) == [
        f"{orders}, row 2, column 'created_at': expected a date-time in ISO 8601 such as"
        " 2026-03-01T14:05:00+05:00, found '31/02/2026'",
        f"{orders}, row 3, column 'customer_phone': expected a Kazakh mobile number such as"
        " +77011234567 (also 87011234567, 77011234567 or 7011234567; spaces, brackets and"
        " dashes allowed), found '+77***2345'",
        f"{missing}: the file does not exist",
        f"{returns}, row 3, column 'order_code': order '404' is neither in this import nor"
        " already stored: import its orders file first, or together with this one",
    ]
    assert nothing_stored(store, shop)


def test_a_failed_write_leaves_nothing_behind(
    service: ImportService, store: SqlStore, shop: Shop, engine: Engine
) -> None:
    # A real database failure on the last kind written: products and orders, already written
    # in the same transaction, must go with it.
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER no_returns BEFORE INSERT ON returns"
                    " BEGIN SELECT RAISE(ABORT, 'returns are closed today'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION no_returns() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'returns are closed today'; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER no_returns BEFORE INSERT ON returns"
                    " FOR EACH ROW EXECUTE FUNCTION no_returns()"
                )
            )
    try:
        with pytest.raises(Exception, match="returns are closed today"):
            service.import_files(shop, examples())
        assert nothing_stored(store, shop)
    finally:
        # The PostgreSQL database lives for the whole session: leave it as it was.
        with engine.begin() as connection:
            connection.execute(
                text(
                    "DROP TRIGGER no_returns"
                    + ("" if engine.dialect.name == "sqlite" else " ON returns")
                )
            )
            if engine.dialect.name != "sqlite":
                connection.execute(text("DROP FUNCTION no_returns()"))


def test_lines_returns_and_reviews_may_name_stored_orders(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    service.import_files(shop, examples("orders"))
    report = service.import_files(shop, examples("order_lines", "returns", "reviews"))
    assert counts(report) == {"order_lines": (7, 7), "reviews": (4, 4), "returns": (2, 2)}
    with store.transaction() as tx:
        order = tx.get_order(shop.id, "510000004")
        assert order is not None
        assert [x.sku for x in order.lines] == ["KETTLE-01", "MUG-02"]


def test_a_review_naming_an_unknown_order(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, examples("reviews"))
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "order_code"),
        (3, "order_code"),
        (4, "order_code"),
    ]
    assert nothing_stored(store, shop)


def test_a_dry_run_reports_and_writes_nothing(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    report = service.import_files(shop, examples(), dry_run=True)
    assert counts(report)["orders"] == (5, 5)
    assert nothing_stored(store, shop)


def test_the_kind_can_be_forced(service: ImportService, shop: Shop, tmp_path: Path) -> None:
    # Both order_lines and returns fit this header equally well.
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            ["order_code", "sku", "quantity", "unit_price", "reason", "created_at", "category"],
            ["510000001", "KETTLE-01", "1", "14990", "quality", "2026-03-09", "Чайники"],
        ],
    )
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, [*examples("orders"), path])
    assert problems(caught) == [
        f"{path}: the header fits several kinds (order_lines, returns): pass --kind to choose"
    ]
    service.import_files(shop, examples("orders"))
    report = service.import_files(shop, [path], kind="Returns")
    assert counts(report) == {"returns": (1, 1)}
    assert report.files[0].ignored_columns == ("unit_price", "category")


def test_an_unknown_kind(service: ImportService, shop: Shop) -> None:
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, examples(), kind="refunds")
    assert problems(caught) == [
        "--kind: expected one of orders, order_lines, reviews, returns, products, advertising,"
        " found 'refunds'"
    ]


def test_a_workbook_with_a_sheet_per_kind(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Инструкция"
    for kind in reversed(KINDS):  # sheet order does not matter
        sheet = book.create_sheet(kind.upper())
        with (EXAMPLES / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    book.save(tmp_path / "shop.xlsx")
    report = service.import_files(shop, [tmp_path / "shop.xlsx"])
    assert counts(report) == {
        "orders": (5, 5),
        "order_lines": (7, 7),
        "reviews": (4, 4),
        "returns": (2, 2),
        "products": (3, 3),
        "advertising": (5, 5),
    }
    # The same data from the CSV examples: nothing new (advertising rows are rewritten as is).
    assert service.import_files(shop, examples()).written == 5


def test_times_without_an_offset_are_the_shops(
    service: ImportService, store: SqlStore, tmp_path: Path
) -> None:
    with store.transaction() as tx:
        moscow = tx.add_shop("Moscow branch", "Europe/Moscow", None, None)
    path = write_csv(
        tmp_path / "orders.csv",
        [
            ["order_code", "created_at", "status", "total_price"],
            ["1", "2026-03-01 14:05", "received", "5"],
        ],
    )
    service.import_files(moscow, [path])
    with store.transaction() as tx:
        order = tx.get_order(moscow.id, "1")
        assert order is not None
        assert order.created_at == datetime(2026, 3, 1, 11, 5, tzinfo=UTC)
        assert (order.status, order.state) == ("COMPLETED", "ARCHIVE")


def test_a_real_shops_year_of_orders(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    """UCI Online Retail (Germany), reshaped into orders and order_lines files."""
    if not RETAIL.exists():
        pytest.skip(f"{RETAIL} is not here")
    lines: dict[str, list[list[str]]] = defaultdict(list)
    created: dict[str, str] = {}
    with RETAIL.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["InvoiceNo"].startswith("C") or int(row["Quantity"]) <= 0:
                continue  # cancellations and corrections
            code = row["InvoiceNo"]
            moment = datetime.strptime(row["InvoiceDate"], "%m/%d/%Y %H:%M")
            created[code] = moment.isoformat()
            lines[code].append(
                [code, row["StockCode"], row["Quantity"], row["UnitPrice"], row["Description"]]
            )
    orders = [["order_code", "created_at", "status", "total_price"]]
    for code, entries in lines.items():
        total = sum(Decimal(e[3]) * int(e[2]) for e in entries)
        orders.append([code, created[code], "получен", str(total).replace(".", ",")])
    orders_path = write_csv(tmp_path / "orders.csv", orders, delimiter=";")
    lines_path = write_csv(
        tmp_path / "lines.csv",
        [["order_code", "sku", "quantity", "unit_price", "product_name"]]
        + [entry for entries in lines.values() for entry in entries],
    )
    report = service.import_files(shop, [orders_path, lines_path])
    line_count = sum(len(e) for e in lines.values())
    assert counts(report) == {
        "orders": (len(lines), len(lines)),
        "order_lines": (line_count, line_count),
    }
    assert service.import_files(shop, [orders_path, lines_path]).written == 0
    with store.transaction() as tx:
        for order in tx.list_orders(shop.id)[:50]:
            assert order.total_price == sum(x.total_price for x in order.lines)
