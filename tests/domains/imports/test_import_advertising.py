"""The ``advertising`` kind: Kaspi Marketing spend per day and SKU or campaign.

Validation table-driven, with the exact messages a seller reads; then ``ImportService``
against a real, migrated database (SQLite, and PostgreSQL when reachable).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from saudager.adapters.db.store import SqlStore
from saudager.core.errors import InputValidationError
from saudager.domains.analytics.records import AdSpend
from saudager.domains.imports.logic import (
    UndetectedKindError,
    detect_kind,
    merge,
    validate_table,
)
from saudager.domains.imports.service import ImportService
from saudager.domains.imports.types import (
    FileReport,
    ImportKind,
    ImportReport,
    KindReport,
    RawTable,
    ValidatedFile,
)
from saudager.domains.shops.types import Shop

ALMATY = "Asia/Almaty"
DOCS = Path(__file__).resolve().parents[3] / "docs"
EXAMPLE = DOCS / "examples" / "import" / "advertising.csv"
HEADER = "day,amount,sku,campaign"

MONEY = "expected an amount in tenge such as 12 345, 12345.50 or 12 345,50 ₸"
NEITHER = "expected a sku, a campaign or both (spend on a product or on a campaign), found neither"

SPEND: dict[str, object] = {"day": "2026-03-01", "amount": "1 200", "sku": "KETTLE-01"}


def table(header: str, *rows: Mapping[str, object], source: str = "f.csv") -> RawTable:
    """A raw table as a reader makes it: data rows numbered from 2, under a header row 1."""
    return RawTable(source, tuple(header.split(",")), [(i, dict(r)) for i, r in enumerate(rows, 2)])


def ads(*rows: Mapping[str, object], header: str = HEADER) -> ValidatedFile:
    return validate_table(table(header, *rows), ALMATY)


def messages(result: ValidatedFile) -> list[str]:
    return [str(p) for p in result.problems]


# ------------------------------------------------------------------ the kind


@pytest.mark.parametrize(
    ("header", "sheet"),
    [
        ("day,amount,sku,campaign", None),
        ("day,amount,sku", None),
        ("campaign,amount,day", None),
        ("day,amount,comment", None),  # sku/campaign are checked per row, not per header
        ("whatever", "Advertising "),
        ("order_code,day,amount", "advertising"),  # a sheet named after the kind decides
    ],
)
def test_detected_from_the_header_or_the_sheet(header: str, sheet: str | None) -> None:
    assert detect_kind(tuple(header.split(",")), sheet) == ImportKind.ADVERTISING


def test_a_header_naming_an_order_is_not_advertising() -> None:
    with pytest.raises(UndetectedKindError) as caught:
        detect_kind(("order_code", "day", "amount", "sku"))
    assert str(caught.value) == (
        "cannot tell which kind of file this is from its header (order_code, day, amount,"
        " sku): it has the required columns of advertising, but advertising files have no"
        " order_code column; pass --kind advertising to import it as advertising anyway"
    )
    # Other kinds are still told apart as before, whatever else the header holds.
    assert detect_kind(("order_code", "created_at", "status", "total_price", "day", "amount")) == (
        ImportKind.ORDERS
    )


def test_forced_the_order_code_column_is_ignored() -> None:
    result = validate_table(
        table("order_code,day,amount,sku", SPEND | {"order_code": "510000001"}),
        ALMATY,
        "advertising",
    )
    assert result.problems == ()
    assert result.ignored_columns == ("order_code",)
    assert result.ad_spend == (AdSpend(date(2026, 3, 1), Decimal("1200.00"), "KETTLE-01"),)


def test_a_missing_required_column() -> None:
    result = validate_table(
        table("day,sku", {"day": "2026-03-01", "sku": "A"}), ALMATY, "advertising"
    )
    assert messages(result) == [
        "f.csv, column 'amount': required column of advertising files is missing"
        " (the header has: day, sku)"
    ]


# ------------------------------------------------------------------ good rows


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (SPEND, AdSpend(date(2026, 3, 1), Decimal("1200.00"), "KETTLE-01", None)),
        (
            {"day": "01.03.2026", "amount": "2 350,50", "campaign": "Весна"},
            AdSpend(date(2026, 3, 1), Decimal("2350.50"), None, "Весна"),
        ),
        (
            SPEND | {"campaign": " Весна ", "amount": "12 345,50 ₸"},
            AdSpend(date(2026, 3, 1), Decimal("12345.50"), "KETTLE-01", "Весна"),
        ),
        # Excel cells: a date, a date-time, a number; a SKU typed as a number.
        (
            {"day": date(2026, 3, 1), "amount": 450, "sku": 1002.0},
            AdSpend(date(2026, 3, 1), Decimal("450.00"), "1002", None),
        ),
        (
            {"day": datetime(2026, 3, 1, 23, 59), "amount": 0.5, "sku": "A"},
            AdSpend(date(2026, 3, 1), Decimal("0.50"), "A", None),
        ),
        # An instant with an offset counts on the shop-local day: 20:30 UTC is 01:30 in Almaty.
        (
            SPEND | {"day": "2026-02-28T20:30:00+00:00"},
            AdSpend(date(2026, 3, 1), Decimal("1200.00"), "KETTLE-01", None),
        ),
        (SPEND | {"amount": "0"}, AdSpend(date(2026, 3, 1), Decimal("0.00"), "KETTLE-01", None)),
        # An empty campaign is "none", not an empty name.
        (SPEND | {"campaign": "  "}, AdSpend(date(2026, 3, 1), Decimal("1200.00"), "KETTLE-01")),
    ],
)
def test_a_row_becomes_ad_spend(cells: Mapping[str, object], expected: AdSpend) -> None:
    result = ads(cells)
    assert result.problems == ()
    assert result.kind == ImportKind.ADVERTISING
    assert result.ad_spend == (expected,)


# ------------------------------------------------------------------ bad rows


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"day": "31/02/2026"},
            [
                "f.csv, row 2, column 'day': expected a date in ISO 8601 such as 2026-03-01,"
                " found '31/02/2026'"
            ],
        ),
        (
            {"day": "31.02.2026"},
            [
                "f.csv, row 2, column 'day': expected a date in ISO 8601 such as 2026-03-01,"
                " found '31.02.2026'"
            ],
        ),
        ({"day": ""}, ["f.csv, row 2, column 'day': required, found an empty cell"]),
        ({"day": None}, ["f.csv, row 2, column 'day': required, found an empty cell"]),
        ({"amount": " "}, ["f.csv, row 2, column 'amount': required, found an empty cell"]),
        ({"amount": "abc"}, [f"f.csv, row 2, column 'amount': {MONEY}, found 'abc'"]),
        ({"amount": "12,345"}, [f"f.csv, row 2, column 'amount': {MONEY}, found '12,345'"]),
        ({"amount": True}, [f"f.csv, row 2, column 'amount': {MONEY}, found 'True'"]),
        (
            {"amount": "-5"},
            ["f.csv, row 2, column 'amount': expected an amount of 0 or more, found '-5'"],
        ),
        (
            {"amount": -1200},
            ["f.csv, row 2, column 'amount': expected an amount of 0 or more, found '-1200'"],
        ),
        ({"sku": ""}, [f"f.csv, row 2: {NEITHER}"]),
        ({"sku": None, "campaign": " "}, [f"f.csv, row 2: {NEITHER}"]),
        (
            {"day": "", "amount": "-1", "sku": ""},
            [
                "f.csv, row 2, column 'day': required, found an empty cell",
                "f.csv, row 2, column 'amount': expected an amount of 0 or more, found '-1'",
                f"f.csv, row 2: {NEITHER}",
            ],
        ),
    ],
)
def test_a_bad_row(change: Mapping[str, object], expected: list[str]) -> None:
    result = ads(SPEND | dict(change))
    assert messages(result) == expected
    assert result.ad_spend == ()


def test_neither_sku_nor_campaign_columns() -> None:
    result = ads({"day": "2026-03-01", "amount": "5"}, header="day,amount")
    assert messages(result) == [f"f.csv, row 2: {NEITHER}"]


def test_a_bad_row_stops_the_whole_file() -> None:
    result = ads(SPEND, SPEND | {"sku": "MUG-02", "amount": "x"})
    assert len(result.problems) == 1
    assert result.ad_spend == ()


# ------------------------------------------------------------------ repeated keys


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [SPEND, SPEND | {"amount": "300"}],
            [
                "f.csv, row 3: day 2026-03-01, sku 'KETTLE-01' and no campaign already has a"
                " row in row 2: one row per day, sku and campaign, with the day's total amount"
            ],
        ),
        (
            # The same day written two ways is the same day.
            [
                SPEND | {"campaign": "Весна"},
                SPEND,
                SPEND | {"day": "01.03.2026", "campaign": "Весна"},
            ],
            [
                "f.csv, row 4: day 2026-03-01, sku 'KETTLE-01' and campaign 'Весна' already has"
                " a row in row 2: one row per day, sku and campaign, with the day's total amount"
            ],
        ),
        (
            [
                {"day": "2026-03-01", "amount": "1", "campaign": "Весна"},
                SPEND,
                {"day": "2026-03-01", "amount": "2", "campaign": "Весна"},
                {"day": "2026-03-01", "amount": "3", "campaign": "Весна"},
            ],
            [
                f"f.csv, row {row}: day 2026-03-01, no sku and campaign 'Весна' already has a"
                " row in row 2: one row per day, sku and campaign, with the day's total amount"
                for row in (4, 5)
            ],
        ),
    ],
)
def test_a_repeated_day_sku_and_campaign(
    rows: Sequence[Mapping[str, object]], expected: list[str]
) -> None:
    result = ads(*rows)
    assert messages(result) == expected
    assert result.ad_spend == ()


def test_keys_that_differ_in_one_part_are_different_rows() -> None:
    result = ads(
        SPEND,
        SPEND | {"campaign": "Весна"},
        {"day": "2026-03-01", "amount": "1", "campaign": "Весна"},
        SPEND | {"sku": "MUG-02"},
        SPEND | {"day": "2026-03-02"},
        # A row with a bad day is reported once, not also as a repeat.
        SPEND | {"day": "someday"},
        SPEND | {"day": "someday"},
    )
    assert [(p.row, p.column) for p in result.problems] == [(7, "day"), (8, "day")]


# ------------------------------------------------------------------ across files and the report


def test_a_later_file_wins_over_an_earlier_one() -> None:
    first = ads(SPEND, SPEND | {"sku": "MUG-02"})
    second = ads(SPEND | {"amount": "999"})
    batch = merge([first, second])
    assert batch.ad_spend == (
        AdSpend(date(2026, 3, 1), Decimal("999.00"), "KETTLE-01"),
        AdSpend(date(2026, 3, 1), Decimal("1200.00"), "MUG-02"),
    )
    assert merge([first]).orders == ()


def test_the_report_says_written_not_changed() -> None:
    report = ImportReport(
        files=(FileReport("advertising.csv", ImportKind.ADVERTISING, 5),),
        kinds=(KindReport(ImportKind.ORDERS, 5, 0), KindReport(ImportKind.ADVERTISING, 5, 5)),
    )
    assert str(report) == (
        "orders: 5 row(s) read, 0 inserted or changed\n"
        "advertising: 5 row(s) read, 5 written (changed or not)"
    )
    assert report.written == 5


def test_the_example_is_valid_and_the_docs_show_it() -> None:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        raw = [dict(zip(header, row, strict=True)) for row in reader]
    result = validate_table(table(",".join(header), *raw), ALMATY)
    assert result.problems == ()
    assert len(result.ad_spend) == 5
    with (EXAMPLE.parent / "products.csv").open(encoding="utf-8", newline="") as handle:
        skus = {row["sku"] for row in csv.DictReader(handle)}
    assert {a.sku for a in result.ad_spend if a.sku is not None} <= skus
    docs = (DOCS / "import-formats.md").read_text(encoding="utf-8")
    section = docs.split("\n## `advertising`", 1)[1].split("\n## ", 1)[0]
    example = section.split("```csv\n", 1)[1].split("```", 1)[0]
    assert example == EXAMPLE.read_text(encoding="utf-8")


# ------------------------------------------------------------------ against the store


def stored(store: SqlStore, shop: Shop) -> set[tuple[date, str | None, str | None, int]]:
    """The shop's stored spend as (day, sku, campaign, tiyn)."""
    with store.transaction() as tx:
        frame = tx.sales_frames(shop.id).ad_spend
    return {
        (row["day"], row["sku"], row["campaign"], row["amount_tiyn"])
        for row in frame.iter_rows(named=True)
    }


def counts(report: ImportReport) -> dict[str, tuple[int, int]]:
    return {k.kind.value: (k.rows_read, k.written) for k in report.kinds}


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


EXAMPLE_STORED = {
    (date(2026, 3, 1), "KETTLE-01", None, 120_000),
    (date(2026, 3, 1), "MUG-02", None, 45_000),
    (date(2026, 3, 2), None, "Бренд-кампания март", 300_000),
    (date(2026, 3, 4), "KETTLE-01", "Весенняя распродажа", 150_000),
    (date(2026, 3, 5), "BLENDER-03", None, 235_050),
}


def test_the_example_imports_and_a_reimport_rewrites_the_same_rows(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    report = service.import_files(shop, [EXAMPLE])
    assert counts(report) == {"advertising": (5, 5)}
    assert [(f.kind, f.ignored_columns) for f in report.files] == [(ImportKind.ADVERTISING, ())]
    assert stored(store, shop) == EXAMPLE_STORED

    again = service.import_files(shop, [EXAMPLE])
    # The store upserts without comparing: every row is reported written, and nothing changed.
    assert counts(again) == {"advertising": (5, 5)}
    assert "advertising: 5 row(s) read, 5 written (changed or not)" in str(again)
    assert stored(store, shop) == EXAMPLE_STORED


def test_a_corrected_file_replaces_amounts_and_keeps_other_rows(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    service.import_files(shop, [EXAMPLE])
    path = write_csv(
        tmp_path / "spend.csv",
        [
            ["Day", " AMOUNT ", "sku", "campaign"],
            ["01.03.2026", "1 300", "KETTLE-01", ""],  # corrected, written the other way
            ["2026-03-06", "700", "MUG-02", "Весна"],  # new
        ],
    )
    report = service.import_files(shop, [path])
    assert counts(report) == {"advertising": (2, 2)}
    assert stored(store, shop) == (
        EXAMPLE_STORED - {(date(2026, 3, 1), "KETTLE-01", None, 120_000)}
    ) | {
        (date(2026, 3, 1), "KETTLE-01", None, 130_000),
        (date(2026, 3, 6), "MUG-02", "Весна", 70_000),
    }


def test_imported_with_every_other_example(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    examples = sorted(EXAMPLE.parent.glob("*.csv"))
    report = service.import_files(shop, examples)
    assert counts(report)["advertising"] == (5, 5)
    assert len(report.kinds) == len(ImportKind)
    assert stored(store, shop) == EXAMPLE_STORED


def test_a_bad_row_leaves_nothing_behind(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "spend.csv",
        [
            ["day", "amount", "sku", "campaign"],
            ["2026-03-01", "1 200", "KETTLE-01", ""],
            ["2026-03-01", "-5", "MUG-02", ""],
            ["2026-03-02", "100", "", ""],
            ["01.03.2026", "300", "KETTLE-01", ""],
        ],
    )
    products = EXAMPLE.parent / "products.csv"
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, [products, path])
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, row 3, column 'amount': expected an amount of 0 or more, found '-5'",
        f"{path}, row 4: {NEITHER}",
        f"{path}, row 5: day 2026-03-01, sku 'KETTLE-01' and no campaign already has a row"
        " in row 2: one row per day, sku and campaign, with the day's total amount",
    ]
    assert stored(store, shop) == set()
    with store.transaction() as tx:
        assert tx.list_products(shop.id) == []


def test_a_dry_run_reports_and_writes_nothing(
    service: ImportService, store: SqlStore, shop: Shop
) -> None:
    report = service.import_files(shop, [EXAMPLE], dry_run=True)
    assert counts(report) == {"advertising": (5, 5)}
    assert stored(store, shop) == set()


def test_order_code_needs_the_kind_forced(
    service: ImportService, store: SqlStore, shop: Shop, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "spend.csv",
        [["order_code", "day", "amount", "sku"], ["510000001", "2026-03-01", "1200", "KETTLE-01"]],
    )
    with pytest.raises(InputValidationError) as caught:
        service.import_files(shop, [path])
    assert [p.row for p in caught.value.problems] == [None]
    assert "pass --kind advertising" in str(caught.value.problems[0])
    report = service.import_files(shop, [path], kind="advertising")
    assert counts(report) == {"advertising": (1, 1)}
    assert report.files[0].ignored_columns == ("order_code",)
    assert stored(store, shop) == {(date(2026, 3, 1), "KETTLE-01", None, 120_000)}
