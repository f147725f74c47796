"""Money, weights and instants survive both databases exactly; wrong values are refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Date, Engine, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from saudager.adapters.db.types import Kilograms, Money, UtcDateTime

# A scratch table, created and dropped by this test only (never in the real schema).
scratch = MetaData()
values = Table(
    "db_types_scratch",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("money", Money),
    Column("weight", Kilograms),
    Column("moment", UtcDateTime),
    Column("day", Date),
)


@pytest.fixture
def scratch_engine(engine: Engine) -> Iterator[Engine]:
    scratch.create_all(engine)
    yield engine
    scratch.drop_all(engine)


def round_trip(engine: Engine, **row: object) -> dict[str, object]:
    with engine.begin() as conn:
        key = conn.execute(insert(values).values(**row)).inserted_primary_key
        assert key is not None
        got = conn.execute(select(values).where(values.c.id == key[0])).one()
    return dict(got._mapping)


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0"),
        Decimal("0.01"),
        Decimal("-0.01"),
        Decimal("5990"),
        Decimal("5990.1"),
        Decimal("92233720368547758.07"),  # the largest BIGINT, in tiyn
        Decimal("-92233720368547758.08"),
        Decimal("1E+3"),
    ],
)
def test_money_is_exact(scratch_engine: Engine, amount: Decimal) -> None:
    got = round_trip(scratch_engine, money=amount)["money"]
    assert isinstance(got, Decimal)
    assert got == amount
    assert got.as_tuple().exponent == -2  # always two places: 5990 comes back as 5990.00


def test_weight_is_exact_grams(scratch_engine: Engine) -> None:
    got = round_trip(scratch_engine, weight=Decimal("0.125"))["weight"]
    assert got == Decimal("0.125")
    assert str(got) == "0.125"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("0.001"), "at most 2 decimal places"),
        (Decimal("NaN"), "not a finite amount"),
        (Decimal("Infinity"), "not a finite amount"),
        (0.1, "expected a Decimal, got float"),
        (True, "expected a Decimal, got bool"),
        ("5990", "expected a Decimal, got str"),
    ],
)
def test_money_refuses_inexact_values(scratch_engine: Engine, value: object, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        round_trip(scratch_engine, money=value)


def test_ints_are_money_too(scratch_engine: Engine) -> None:
    assert round_trip(scratch_engine, money=5990)["money"] == Decimal("5990.00")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 8, 25, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Almaty")),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 29, 12, 0, 0, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
        datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_instants_come_back_aware_utc(scratch_engine: Engine, moment: datetime) -> None:
    got = round_trip(scratch_engine, moment=moment)["moment"]
    assert isinstance(got, datetime)
    assert got == moment
    assert got.tzinfo is UTC


def test_naive_instants_are_refused(scratch_engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        round_trip(scratch_engine, moment=datetime(2025, 8, 25, 12, 0))


def test_instants_compare_as_instants(scratch_engine: Engine) -> None:
    """SQLite compares the stored text: it must order exactly as the instants do."""
    base = datetime(2025, 8, 25, 12, tzinfo=UTC)
    moments = [base + timedelta(microseconds=n) for n in (0, 1, 999_999, 1_000_000)]
    moments.append(base.astimezone(ZoneInfo("Asia/Almaty")) - timedelta(hours=1))
    with scratch_engine.begin() as conn:
        conn.execute(insert(values), [{"moment": m} for m in moments])
        later = conn.execute(
            select(values.c.moment).where(values.c.moment >= base).order_by(values.c.moment)
        ).scalars()
        assert list(later) == sorted(m for m in moments if m >= base)


def test_dates_round_trip(scratch_engine: Engine) -> None:
    assert round_trip(scratch_engine, day=date(2025, 2, 12))["day"] == date(2025, 2, 12)


def test_nulls_stay_null(scratch_engine: Engine) -> None:
    got = round_trip(scratch_engine)
    assert got["money"] is None
    assert got["weight"] is None
    assert got["moment"] is None
    assert got["day"] is None
