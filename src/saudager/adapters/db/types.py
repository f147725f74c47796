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

from sqlalchemy import BigInteger, DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator, TypeEngine


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


#: How ``UtcDateTime`` writes an instant on SQLite: naive UTC, always with microseconds.
SQLITE_INSTANT_FORMAT = "%Y-%m-%d %H:%M:%S%.f"


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: ``timestamptz`` on PostgreSQL, naive-UTC text on SQLite; reads aware UTC.

    On SQLite the text is ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, always with microseconds, so
    comparing and sorting the text is comparing and sorting the instants. We write and read it
    ourselves (``isoformat``/``fromisoformat``, in C) rather than through SQLAlchemy's SQLite
    ``DATETIME``, which formats every value in Python: instants are most of an order's columns.

    A naive datetime is refused on write: guessing its zone is how off-by-five-hours bugs in
    Almaty-day windows are born.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__} {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: attach a time zone")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        return value.astimezone(UTC)
