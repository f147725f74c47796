from decimal import Decimal

import pytest

from saudager.core.masking import mask_phone, mask_secret, redact_phones
from saudager.core.money import MoneyError, format_tenge, to_tenge
from saudager.core.phones import normalize_kz_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5990.0, Decimal("5990.00")),
        (5990.1, Decimal("5990.10")),
        (895, Decimal("895.00")),
        ("12 345", Decimal("12345.00")),
        ("12\u00a0345,50 ₸", Decimal("12345.50")),
        (Decimal("0.005"), Decimal("0.01")),
    ],
)
def test_to_tenge(raw: object, expected: Decimal) -> None:
    assert to_tenge(raw) == expected


@pytest.mark.parametrize("raw", ["abc", True, None, float("nan"), "1e400e"])
def test_to_tenge_refuses(raw: object) -> None:
    with pytest.raises(MoneyError):
        to_tenge(raw)


def test_format_tenge() -> None:
    assert format_tenge(Decimal("12345")) == "12\u00a0345\u00a0₸"
    assert format_tenge(Decimal("-1234567.5")) == "-1\u00a0234\u00a0567,50\u00a0₸"
    assert format_tenge(Decimal("0")) == "0\u00a0₸"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7021234567", "+77021234567"),
        ("87021234567", "+77021234567"),
        ("+7 (702) 123-45-67", "+77021234567"),
        ("+0(000)-000-00-00", None),
        ("0000000000", None),
        ("12345", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_kz_phone(raw: str | None, expected: str | None) -> None:
    assert normalize_kz_phone(raw) == expected


def test_masking_keeps_numbers_out() -> None:
    assert mask_phone("+77021234567") == "+7702***4567"
    assert "1234567" not in redact_phones("buyer 7021234567 complained")
    assert mask_secret("abcdefghijklmnop") == "…mnop"
