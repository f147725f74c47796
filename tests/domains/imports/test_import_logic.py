"""Import validation, table-driven, with the exact messages a seller reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.core.errors import FieldProblem
from saudager.core.phones import normalize_kz_phone
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.imports.logic import (
    UndetectedKindError,
    default_state,
    detect_kind,
    merge,
    reference_problems,
    review_key,
    unresolved_order_codes,
    validate_table,
)
from saudager.domains.imports.types import (
    COLUMNS,
    FileReport,
    ImportKind,
    ImportReport,
    KindReport,
    RawTable,
    ValidatedFile,
    normalize_header,
)
from saudager.domains.orders.types import OrderLine, Return

ALMATY = "Asia/Almaty"
DOCS = Path(__file__).resolve().parents[3] / "docs"


def table(header: str, *rows: Mapping[str, object], source: str = "f.csv") -> RawTable:
    """A raw table as a reader makes it: data rows numbered from 2, under a header row 1."""
    return RawTable(source, tuple(header.split(",")), [(i, dict(r)) for i, r in enumerate(rows, 2)])


def one(kind: ImportKind, timezone: str = ALMATY, /, **cells: object) -> ValidatedFile:
    """A one-row table of ``kind`` holding ``cells``."""
    header = ",".join(c.name for c in COLUMNS[kind])
    return validate_table(table(header, dict(cells)), timezone, kind)


def messages(result: ValidatedFile) -> list[str]:
    return [str(p) for p in result.problems]


ORDER: dict[str, object] = {
    "order_code": "510000001",
    "created_at": "2026-03-01T14:05:00+05:00",
    "status": "COMPLETED",
    "total_price": "15 990",
}
LINE: dict[str, object] = {
    "order_code": "510000001",
    "sku": "KETTLE-01",
    "quantity": "2",
    "unit_price": "7 495,50",
}
REVIEW: dict[str, object] = {"rating": "5", "created_at": "2026-03-04T10:00"}
RETURN: dict[str, object] = {
    "order_code": "510000001",
    "sku": "KETTLE-01",
    "quantity": "1",
    "reason": "quality",
    "created_at": "2026-03-09",
}
PRODUCT: dict[str, object] = {
    "sku": "KETTLE-01",
    "name": "Чайник",
    "category": "Чайники",
    "purchase_cost": "7 500",
}


# ------------------------------------------------------------------ kinds


@pytest.mark.parametrize(
    ("header", "sheet", "expected"),
    [
        ("order_code,created_at,status,total_price", None, ImportKind.ORDERS),
        ("order_code,sku,quantity,unit_price", None, ImportKind.ORDER_LINES),
        ("rating,created_at,order_code,sku", None, ImportKind.REVIEWS),
        ("order_code,sku,quantity,reason,created_at", None, ImportKind.RETURNS),
        ("sku,name,category,purchase_cost,stock", None, ImportKind.PRODUCTS),
        # Orders also carry every column a review needs but rating: still orders.
        ("order_code,created_at,status,total_price,city", None, ImportKind.ORDERS),
        # Several kinds fit: the one naming more of the header's columns.
        ("order_code,sku,quantity,unit_price,reason,created_at", None, ImportKind.RETURNS),
        # A sheet named after a kind is that kind, whatever its header.
        ("whatever", "Returns ", ImportKind.RETURNS),
        ("sku,name,category,purchase_cost", "Лист1", ImportKind.PRODUCTS),
    ],
)
def test_detect_kind(header: str, sheet: str | None, expected: ImportKind) -> None:
    assert detect_kind(tuple(header.split(",")), sheet) == expected


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "order_code,sku,quantity,unit_price,reason,created_at,product_name",
            "the header fits several kinds (order_lines, returns): pass --kind to choose",
        ),
        (
            "order_code,created_at,total_price",
            "cannot tell which kind of file this is from its header (order_code, created_at,"
            " total_price): expected the required columns of one of orders, order_lines,"
            " reviews, returns, products, advertising; closest is orders, which also needs status"
            " (or pass --kind)",
        ),
    ],
)
def test_detect_kind_explains(header: str, message: str) -> None:
    with pytest.raises(UndetectedKindError) as caught:
        detect_kind(tuple(header.split(",")))
    assert str(caught.value) == message


def test_an_undetected_kind_is_a_file_problem() -> None:
    result = validate_table(table("foo,bar", {"foo": "1"}), ALMATY)
    assert [(p.row, p.column) for p in result.problems] == [(None, None)]
    assert result.problems[0].message.startswith("cannot tell which kind")


def test_header_names_are_trimmed_and_case_folded() -> None:
    assert normalize_header("\ufeff Order_Code\u00a0") == "order_code"
    assert normalize_header(None) == ""


def test_missing_required_columns_are_named() -> None:
    result = validate_table(
        table("order_code,created_at,extra", {"order_code": "1"}), ALMATY, ImportKind.ORDERS
    )
    assert messages(result) == [
        f"f.csv, column '{name}': required column of orders files is missing"
        " (the header has: order_code, created_at, extra)"
        for name in ("status", "total_price")
    ]


def test_a_column_twice_in_the_header() -> None:
    result = validate_table(
        table("order_code,created_at,status,total_price,city,city", ORDER), ALMATY
    )
    assert messages(result) == ["f.csv, column 'city': the column appears twice in the header"]


def test_unknown_columns_are_ignored_and_reported() -> None:
    result = validate_table(
        table("order_code,created_at,status,total_price,Comment,,note", ORDER), ALMATY
    )
    assert result.problems == ()
    assert result.ignored_columns == ("Comment", "note")


def test_a_row_longer_than_the_header() -> None:
    raw = RawTable(
        "f.csv",
        ("order_code", "created_at", "status", "total_price"),
        [(2, ORDER), (3, ORDER | {"order_code": "2"})],
        overlong_rows=((3, 5),),
    )
    assert messages(validate_table(raw, ALMATY)) == [
        "f.csv, row 3: the row has 5 cells but the header has 4: a value containing the"
        ' delimiter must be quoted, such as "12 345,50"'
    ]


# ------------------------------------------------------------------ one bad cell, one message


DT = "expected a date-time in ISO 8601 such as 2026-03-01T14:05:00+05:00"
MONEY = "expected an amount in tenge such as 12 345, 12345.50 or 12 345,50 ₸"


@pytest.mark.parametrize(
    ("kind", "base", "column", "raw", "message"),
    [
        (ImportKind.ORDERS, ORDER, "created_at", "31/02/2026", f"{DT}, found '31/02/2026'"),
        (ImportKind.ORDERS, ORDER, "created_at", "2026-02-31", f"{DT}, found '2026-02-31'"),
        (ImportKind.ORDERS, ORDER, "created_at", "31.02.2026", f"{DT}, found '31.02.2026'"),
        (ImportKind.ORDERS, ORDER, "created_at", 46082, f"{DT}, found '46082'"),
        (ImportKind.ORDERS, ORDER, "created_at", "  ", "required, found an empty cell"),
        (ImportKind.ORDERS, ORDER, "created_at", None, "required, found an empty cell"),
        (ImportKind.ORDERS, ORDER, "total_price", "abc", f"{MONEY}, found 'abc'"),
        (ImportKind.ORDERS, ORDER, "total_price", "12,345", f"{MONEY}, found '12,345'"),
        (ImportKind.ORDERS, ORDER, "total_price", "1.234,50", f"{MONEY}, found '1.234,50'"),
        (ImportKind.ORDERS, ORDER, "total_price", True, f"{MONEY}, found 'True'"),
        (
            ImportKind.ORDERS,
            ORDER,
            "total_price",
            "-5",
            "expected an amount of 0 or more, found '-5'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "status",
            "lost",
            "expected a Kaspi status (APPROVED_BY_BANK, ACCEPTED_BY_MERCHANT, COMPLETED,"
            " CANCELLED, CANCELLING, KASPI_DELIVERY_RETURN_REQUESTED,"
            " RETURN_ACCEPTED_BY_MERCHANT, RETURNED) or one of delivering, received, returned,"
            " cancelled (в доставке, получен, возврат, отменен), found 'lost'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "state",
            "DONE",
            "expected one of NEW, SIGN_REQUIRED, PICKUP, DELIVERY, KASPI_DELIVERY, ARCHIVE,"
            " found 'DONE'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "cancelled_by",
            "courier",
            "expected one of seller, buyer, kaspi, found 'courier'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "delivery_mode",
            "POST",
            "expected one of DELIVERY_LOCAL, DELIVERY_PICKUP, DELIVERY_REGIONAL_TODOOR,"
            " DELIVERY_REGIONAL_PICKUP, found 'POST'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "is_kaspi_delivery",
            "maybe",
            "expected true/false, 1/0, yes/no or да/нет, found 'maybe'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "customer_phone",
            "+7 701 123 45",
            "expected a Kazakh mobile number such as +77011234567 (also 87011234567,"
            " 77011234567 or 7011234567; spaces, brackets and dashes allowed),"
            " found '+77***2345'",
        ),
        (
            ImportKind.ORDERS,
            ORDER,
            "customer_phone",
            "n/a",
            "expected a Kazakh mobile number such as +77011234567 (also 87011234567,"
            " 77011234567 or 7011234567; spaces, brackets and dashes allowed), found 'n/a'",
        ),
        (
            ImportKind.ORDER_LINES,
            LINE,
            "quantity",
            "0",
            "expected a whole number of 1 or more, found '0'",
        ),
        (
            ImportKind.ORDER_LINES,
            LINE,
            "quantity",
            "1,000",
            "expected a whole number of 1 or more, found '1,000'",
        ),
        (
            ImportKind.ORDER_LINES,
            LINE,
            "quantity",
            1.5,
            "expected a whole number of 1 or more, found '1.5'",
        ),
        (
            ImportKind.REVIEWS,
            REVIEW,
            "rating",
            "6",
            "expected a whole number from 1 to 5, found '6'",
        ),
        (
            ImportKind.REVIEWS,
            REVIEW,
            "rating",
            "4.5",
            "expected a whole number from 1 to 5, found '4.5'",
        ),
        (
            ImportKind.REVIEWS,
            REVIEW,
            "deleted",
            "удален",
            "expected true/false, 1/0, yes/no or да/нет, found 'удален'",
        ),
        (
            ImportKind.RETURNS,
            RETURN,
            "reason",
            "broken",
            "expected one of quality, other, found 'broken'",
        ),
        (
            ImportKind.PRODUCTS,
            PRODUCT,
            "cost_effective_from",
            "1 March",
            "expected a date in ISO 8601 such as 2026-03-01, found '1 March'",
        ),
        (
            ImportKind.PRODUCTS,
            PRODUCT,
            "stock",
            "-1",
            "expected a whole number of 0 or more, found '-1'",
        ),
        (
            ImportKind.PRODUCTS,
            PRODUCT,
            "weight_kg",
            "heavy",
            "expected a weight in kilograms of 0 or more such as 0.25, found 'heavy'",
        ),
        (ImportKind.PRODUCTS, PRODUCT, "name", "", "required, found an empty cell"),
    ],
)
def test_a_bad_cell(
    kind: ImportKind, base: dict[str, object], column: str, raw: object, message: str
) -> None:
    result = one(kind, **(base | {column: raw}))
    assert result.problems == (FieldProblem("f.csv", 2, column, message),)
    assert (result.orders, result.order_lines, result.reviews) == ((), {}, ())


def test_every_problem_of_a_file_is_reported() -> None:
    result = validate_table(
        table(
            "order_code,created_at,status,total_price,customer_phone",
            ORDER,
            ORDER | {"order_code": "2", "created_at": "yesterday", "total_price": "much"},
            ORDER | {"order_code": "3"},
            ORDER | {"order_code": "4", "status": ""},
            ORDER,
        ),
        ALMATY,
    )
    assert messages(result) == [
        f"f.csv, row 3, column 'created_at': {DT}, found 'yesterday'",
        f"f.csv, row 3, column 'total_price': {MONEY}, found 'much'",
        "f.csv, row 5, column 'status': required, found an empty cell",
        "f.csv, row 6, column 'order_code': order_code '510000001' appears more than once in"
        " this file (first in row 2)",
    ]
    assert result.orders == ()  # nothing of a file with problems is kept
    assert result.order_codes == {"510000001", "2", "3", "4"}


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    "raw",
    [
        "+7 701 000 00 01",
        "87010000001",
        "8 (701) 000-00-01",
        "77010000001",
        "7010000001",
        87010000001,
        7010000001.0,
    ],
)
def test_phone_spellings(raw: object) -> None:
    [order] = one(ImportKind.ORDERS, **ORDER, customer_phone=raw).orders
    assert order.customer_phone == "+77010000001"


@given(
    st.text("0123456789", min_size=7, max_size=14).filter(lambda d: normalize_kz_phone(d) is None),
    st.sampled_from(["{}", "+{}", "8 ({})", "{} "]),
)
def test_a_bad_phone_is_never_echoed(digits: str, spelling: str) -> None:
    result = one(ImportKind.ORDERS, **ORDER, customer_phone=spelling.format(digits))
    [problem] = result.problems
    found = problem.message.split("found ", 1)[1]
    assert digits not in "".join(ch for ch in found if ch.isdigit())


def test_a_phone_in_the_wrong_column_is_masked_too() -> None:
    result = one(ImportKind.ORDERS, **ORDER | {"created_at": "8 701 123 45 67"})
    assert "1234567" not in messages(result)[0]
    assert messages(result)[0].endswith("found '+8701***4567'")


# ------------------------------------------------------------------ orders


def test_an_order_in_full() -> None:
    [order] = one(
        ImportKind.ORDERS,
        **ORDER,
        state="archive",
        cancellation_reason=" MERCHANT_OUT_OF_STOCK ",
        cancelled_by="Продавец",
        cancelled_at="2026-03-01 15:00",
        delivery_mode="delivery_local",
        is_kaspi_delivery="Да",
        handover_deadline="2026-03-02",
        handed_over_at="2026-03-02T10:00:00Z",
        delivered_at=datetime(2026, 3, 3, 16, 0),  # an Excel date-time cell: local time
        customer_name="Айгерим",
        city="Алматы",
    ).orders
    assert order.code == "510000001"
    assert order.created_at == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert order.status == "COMPLETED"
    assert order.state == "ARCHIVE"
    assert order.total_price == Decimal("15990.00")
    assert order.cancellation_reason == "MERCHANT_OUT_OF_STOCK"
    assert order.cancelled_by == "seller"
    assert order.cancelled_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert order.delivery_mode == "DELIVERY_LOCAL"
    assert order.is_kaspi_delivery is True
    assert order.handover_deadline == datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # local midnight
    assert order.handed_over_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert order.completed_at == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    assert (order.customer_name, order.city, order.source) == ("Айгерим", "Алматы", "import")
    assert order.lines == ()


def test_optional_cells_left_empty() -> None:
    [order] = one(ImportKind.ORDERS, **ORDER, city="", customer_phone=None).orders
    assert order.is_kaspi_delivery is False
    assert (order.city, order.customer_phone, order.cancelled_at, order.completed_at) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("raw", "timezone", "expected"),
    [
        ("2026-03-01T14:05:00+05:00", ALMATY, datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
        ("2026-03-01T09:05:00Z", ALMATY, datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
        ("2026-03-01 14:05", ALMATY, datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
        ("2026-03-01", ALMATY, datetime(2026, 2, 28, 19, 0, tzinfo=UTC)),
        ("01.03.2026 14:05", ALMATY, datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
        ("01.03.2026", ALMATY, datetime(2026, 2, 28, 19, 0, tzinfo=UTC)),
        (datetime(2026, 3, 1, 14, 5), ALMATY, datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
        (date(2026, 3, 1), ALMATY, datetime(2026, 2, 28, 19, 0, tzinfo=UTC)),
        # Before 1 March 2024 Almaty was UTC+6; tzdata knows, so old files read right.
        ("2024-02-01 12:00", ALMATY, datetime(2024, 2, 1, 6, 0, tzinfo=UTC)),
        # The shop's zone, not Almaty's, reads times without an offset.
        ("2026-03-01 14:05", "Europe/Moscow", datetime(2026, 3, 1, 11, 5, tzinfo=UTC)),
        ("2026-03-01T14:05:00+05:00", "Europe/Moscow", datetime(2026, 3, 1, 9, 5, tzinfo=UTC)),
    ],
)
def test_time_zones(raw: object, timezone: str, expected: datetime) -> None:
    [order] = one(ImportKind.ORDERS, timezone, **ORDER | {"created_at": raw}).orders
    assert order.created_at == expected
    assert order.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("COMPLETED", "COMPLETED"),
        ("completed", "COMPLETED"),
        ("Kaspi_Delivery_Return_Requested", "KASPI_DELIVERY_RETURN_REQUESTED"),
        ("delivering", "ACCEPTED_BY_MERCHANT"),
        ("В доставке", "ACCEPTED_BY_MERCHANT"),
        ("received", "COMPLETED"),
        ("Получен", "COMPLETED"),
        ("выдан", "COMPLETED"),
        ("returned", "RETURNED"),
        ("Возврат", "RETURNED"),
        ("возвращён", "RETURNED"),
        ("cancelled", "CANCELLED"),
        ("canceled", "CANCELLED"),
        ("Отменён", "CANCELLED"),
    ],
)
def test_status_words(raw: str, status: str) -> None:
    [order] = one(ImportKind.ORDERS, **ORDER | {"status": raw}).orders
    assert order.status == status


@pytest.mark.parametrize(
    ("status", "kaspi_delivery", "mode", "state"),
    [
        ("COMPLETED", True, None, "ARCHIVE"),
        ("CANCELLED", False, None, "ARCHIVE"),
        ("RETURNED", False, None, "ARCHIVE"),
        ("RETURN_ACCEPTED_BY_MERCHANT", True, None, "ARCHIVE"),
        ("APPROVED_BY_BANK", True, None, "NEW"),
        ("ACCEPTED_BY_MERCHANT", True, "DELIVERY_PICKUP", "KASPI_DELIVERY"),
        ("ACCEPTED_BY_MERCHANT", False, "DELIVERY_PICKUP", "PICKUP"),
        ("ACCEPTED_BY_MERCHANT", False, "DELIVERY_LOCAL", "DELIVERY"),
        ("CANCELLING", False, None, "DELIVERY"),
        ("KASPI_DELIVERY_RETURN_REQUESTED", False, None, "KASPI_DELIVERY"),
    ],
)
def test_default_state(status: str, kaspi_delivery: bool, mode: str | None, state: str) -> None:
    assert default_state(status, kaspi_delivery, mode) == state


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15990", "15990.00"),
        ("12 345", "12345.00"),
        ("12345.50", "12345.50"),
        ("12 345,50 ₸", "12345.50"),
        ("12\u00a0345,5\u00a0₸", "12345.50"),
        (15990, "15990.00"),
        (12345.5, "12345.50"),  # an Excel number cell
        ("0", "0.00"),
    ],
)
def test_money(raw: object, expected: str) -> None:
    [order] = one(ImportKind.ORDERS, **ORDER | {"total_price": raw}).orders
    assert order.total_price == Decimal(expected)
    assert str(order.total_price) == expected


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_money_in_kazakh_format_reads_back_exactly(amount: Decimal) -> None:
    whole, _, tiyn = f"{amount:.2f}".partition(".")
    groups = " ".join(whole[max(i - 3, 0) : i] for i in range(len(whole), 0, -3)[::-1])
    [order] = one(ImportKind.ORDERS, **ORDER | {"total_price": f"{groups},{tiyn} ₸"}).orders
    assert order.total_price == amount


# ------------------------------------------------------------------ order lines


def test_order_lines_are_numbered_per_order_in_file_order() -> None:
    result = validate_table(
        table(
            "order_code,sku,quantity,unit_price,product_name,category",
            LINE,
            LINE | {"order_code": "510000002", "sku": "MUG-02", "quantity": 3.0, "unit_price": 450},
            LINE | {"sku": "MUG-02", "quantity": "1", "unit_price": "1000", "category": "Посуда"},
        ),
        ALMATY,
    )
    assert result.problems == ()
    assert result.order_lines == {
        "510000001": (
            OrderLine(1, "KETTLE-01", 2, Decimal("7495.50"), Decimal("14991.00")),
            OrderLine(2, "MUG-02", 1, Decimal("1000.00"), Decimal("1000.00"), category="Посуда"),
        ),
        "510000002": (OrderLine(1, "MUG-02", 3, Decimal("450.00"), Decimal("1350.00")),),
    }
    # One reference per order, at its first row.
    assert result.references == ((2, "510000001"), (3, "510000002"))


# ------------------------------------------------------------------ reviews


def test_reviews() -> None:
    result = validate_table(
        table(
            "rating,created_at,order_code,sku,approved_at,text,deleted",
            REVIEW | {"order_code": "510000001", "sku": "KETTLE-01", "text": " Отлично "},
            REVIEW | {"rating": 4.0, "approved_at": "2026-03-05T10:00", "deleted": "да"},
            REVIEW | {"rating": "3"},  # the same identity as the row above: a second review
        ),
        ALMATY,
    )
    first, second, third = result.reviews
    assert first.text == "Отлично"
    assert (first.order_code, first.sku, first.source) == ("510000001", "KETTLE-01", "import")
    assert first.created_at == datetime(2026, 3, 4, 5, 0, tzinfo=UTC)
    assert second.rating == 4
    assert second.approved_at == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    assert second.deleted_at == second.created_at
    assert third.deleted_at is None
    assert len({first.key, second.key, third.key}) == 3
    assert second.key == review_key(None, None, second.created_at, 1)
    assert third.key == review_key(None, None, second.created_at, 2)
    assert result.references == ((2, "510000001"),)


def test_review_keys_are_stable_and_ignore_corrections() -> None:
    key = review_key("1", "A", datetime(2026, 3, 4, 5, 0, tzinfo=UTC), 1)
    assert key == "import:" + key.removeprefix("import:")
    assert len(key) == len("import:") + 32
    plain = one(ImportKind.REVIEWS, **REVIEW).reviews[0]
    corrected = one(ImportKind.REVIEWS, **REVIEW | {"text": "new", "deleted": "yes", "rating": 1})
    assert corrected.problems == ()
    offset = one(ImportKind.REVIEWS, **REVIEW | {"created_at": "2026-03-04T05:00Z"}).reviews[0]
    assert plain.key == corrected.reviews[0].key == offset.key
    assert plain.key != one(ImportKind.REVIEWS, **REVIEW, sku="X").reviews[0].key


# ------------------------------------------------------------------ returns


def test_returns_are_keyed_by_order_and_sku() -> None:
    [item] = one(ImportKind.RETURNS, **RETURN | {"reason": "Брак"}).returns
    assert item == Return(
        key="510000001/KETTLE-01",
        order_code="510000001",
        sku="KETTLE-01",
        quantity=1,
        reason="quality",
        created_at=datetime(2026, 3, 8, 19, 0, tzinfo=UTC),
        source="import",
    )


def test_one_return_per_order_and_sku() -> None:
    result = validate_table(
        table("order_code,sku,quantity,reason,created_at", RETURN, RETURN | {"quantity": "2"}),
        ALMATY,
    )
    assert messages(result) == [
        "f.csv, row 3, column 'sku': order '510000001' and sku 'KETTLE-01' already have a"
        " return in row 2: one row per order and SKU, with the total quantity returned"
    ]


# ------------------------------------------------------------------ products


def test_products_give_a_product_and_a_cost() -> None:
    result = validate_table(
        table(
            "sku,name,category,purchase_cost,brand,weight_kg,cost_effective_from,stock,"
            "kaspi_product_code",
            PRODUCT
            | {
                "brand": "Tefal",
                "weight_kg": "1,2",
                "cost_effective_from": "2026-01-01",
                "stock": "14",
                "kaspi_product_code": 102345678,  # an Excel number cell
            },
            PRODUCT
            | {"sku": 1002.0, "weight_kg": 0.35, "cost_effective_from": datetime(2026, 2, 1)},
            PRODUCT | {"sku": "C", "cost_effective_from": "2026-02-01T23:30:00+00:00"},
            PRODUCT | {"sku": "D", "purchase_cost": "12 345,50"},
        ),
        ALMATY,
    )
    assert result.problems == ()
    assert result.products[0] == Product(
        "KETTLE-01", "Чайник", "Чайники", "Tefal", Decimal("1.2"), 14, "102345678"
    )
    assert result.products[1].sku == "1002"
    assert result.products[1].weight_kg == Decimal("0.35")
    assert result.product_costs == (
        ProductCost("KETTLE-01", date(2026, 1, 1), Decimal("7500.00")),
        ProductCost("1002", date(2026, 2, 1), Decimal("7500.00")),
        ProductCost("C", date(2026, 2, 2), Decimal("7500.00")),  # 23:30 UTC is 2 Feb in Almaty
        # No cost_effective_from: the documented "always" day.
        ProductCost("D", date(2000, 1, 1), Decimal("12345.50")),
    )


def test_a_sku_twice_in_a_products_file() -> None:
    result = validate_table(table("sku,name,category,purchase_cost", PRODUCT, PRODUCT), ALMATY)
    assert messages(result) == [
        "f.csv, row 3, column 'sku': sku 'KETTLE-01' appears more than once in this file"
        " (first in row 2)"
    ]


# ------------------------------------------------------------------ across files


def test_references_resolve_against_the_import_and_the_store() -> None:
    orders = validate_table(table("order_code,created_at,status,total_price", ORDER), ALMATY)
    lines = validate_table(
        table("order_code,sku,quantity,unit_price", LINE, LINE | {"order_code": "9"}, source="l"),
        ALMATY,
    )
    reviews = validate_table(
        table("rating,created_at,order_code", REVIEW | {"order_code": "8"}, REVIEW, source="r"),
        ALMATY,
    )
    files = [orders, lines, reviews]
    assert unresolved_order_codes(files) == {"9", "8"}
    message = (
        "order '{}' is neither in this import nor already stored: import its orders file"
        " first, or together with this one"
    )
    assert reference_problems(files, set()) == [
        FieldProblem("l", 3, "order_code", message.format("9")),
        FieldProblem("r", 2, "order_code", message.format("8")),
    ]
    assert reference_problems(files, {"8", "9"}) == []


def test_a_later_file_wins_over_an_earlier_one() -> None:
    header = "order_code,created_at,status,total_price"
    first = validate_table(table(header, ORDER), ALMATY)
    second = validate_table(table(header, ORDER | {"total_price": "1"}), ALMATY)
    batch = merge([first, second])
    assert [o.total_price for o in batch.orders] == [Decimal("1.00")]


# ------------------------------------------------------------------ the docs


def test_the_docs_describe_every_column() -> None:
    text = (DOCS / "import-formats.md").read_text(encoding="utf-8")
    for kind, columns in COLUMNS.items():
        section = text.split(f"\n## `{kind.value}`", 1)[1].split("\n## ", 1)[0]
        for column in columns:
            flag = "required" if column.required else "optional"
            assert f"| `{column.name}` | {flag} |" in section, (kind, column.name)


def test_a_report_reads_well() -> None:
    report = ImportReport(
        files=(
            FileReport("orders.csv", ImportKind.ORDERS, 5, ("comment",)),
            FileReport("products.xlsx (sheet 'products')", ImportKind.PRODUCTS, 3),
        ),
        kinds=(KindReport(ImportKind.ORDERS, 5, 2), KindReport(ImportKind.PRODUCTS, 3, 0)),
        product_costs_written=1,
    )
    assert str(report) == (
        "orders: 5 row(s) read, 2 inserted or changed\n"
        "products: 3 row(s) read, 0 inserted or changed\n"
        "product costs: 1 inserted or changed\n"
        "orders.csv: ignored column(s) comment"
    )
    assert (report.rows_read, report.written) == (8, 3)
    assert report.for_kind("reviews") == KindReport(ImportKind.REVIEWS, 0, 0)
    assert str(ImportReport((), ())) == "no files"
