"""Column types that keep money, weights and instants exact on both SQLite and PostgreSQL.

SQLite has no decimal type (SQLAlchemy's ``Numeric`` there goes through float) and no time zones,
so amounts are stored as scaled integers and instants as naive-UTC text; PostgreSQL gets the same
integers and ``timestamptz``. Conversion happens here, at the border, so the rest of the adapter
only ever sees ``Decimal`` and aware UTC ``datetime``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored as ``BIGINT`` units of ``10**-scale`` (money: scale 2, tiyn).

    A value finer than the scale is refused rather than rounded: silently losing a tiyn is the
    kind of error nobody finds later. Floats are refused too; they are never exact.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"expected a Decimal, got {type(value).__name__} {value!r}")
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValueError(f"cannot store {amount}: not a finite amount")
        units = amount.scaleb(self.scale)
        if units != units.to_integral_value():
            raise ValueError(f"cannot store {amount} exactly: at most {self.scale} decimal places")
        return int(units)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)


class Money(ScaledDecimal):
    """Tenge, stored as integer tiyn (×100)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(2)


class Kilograms(ScaledDecimal):
    """A weight in kg, stored as integer grams (×1000)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(3)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: ``timestamptz`` on PostgreSQL, naive-UTC text on SQLite; reads aware UTC.

    A naive datetime is refused on write: guessing its zone is how off-by-five-hours bugs in
    Almaty-day windows are born. SQLite's text form has a fixed width (microseconds always
    written), so comparing and sorting the text is comparing and sorting the instants.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__} {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: attach a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
