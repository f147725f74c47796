"""Money is exact: tenge as ``Decimal``, never float.

Kaspi sends prices as JSON numbers such as ``5990.0``; they are whole tenge in practice, but a
delivery cost may carry tiyn, so amounts keep two decimal places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TIYN = Decimal("0.01")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of tenge."""


def to_tenge(value: object) -> Decimal:
    """Read an amount of tenge from an int, a str or a JSON float, exactly to the tiyn.

    Floats go through ``repr`` so that ``5990.1`` stays ``5990.10`` rather than picking up binary
    noise. Thousands separators (spaces, non-breaking spaces) and a trailing ``₸`` are accepted.
    """
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        cleaned = (
            value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("₸", "")
        )
        cleaned = cleaned.replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return amount.quantize(TIYN, rounding=ROUND_HALF_UP)


def format_tenge(amount: Decimal) -> str:
    """Format for Kazakhstan: ``12 345 ₸`` (no-break space groups; tiyn only when present)."""
    sign = "-" if amount < 0 else ""
    whole, _, frac = f"{abs(amount):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    body = "\u00a0".join(groups)
    if frac != "00":
        body = f"{body},{frac}"
    return f"{sign}{body}\u00a0₸"
