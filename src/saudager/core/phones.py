"""Kazakh mobile numbers in one form, ``+7XXXXXXXXXX``, as WhatsApp and Kaspi expect them."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")


def normalize_kz_phone(raw: str | None) -> str | None:
    """``+7XXXXXXXXXX`` from the usual spellings, or ``None`` when it is not a usable number.

    Accepts 10 digits (Kaspi's ``cellPhone``: ``7011234567``), ``8`` or ``7`` followed by 10
    digits, with any spaces, brackets or dashes. Kaspi's masked numbers on archived orders
    (``+0(000)-000-00-00``) and anything else give ``None``.
    """
    if not raw:
        return None
    digits = _NON_DIGITS.sub("", raw)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] != "7" or digits.count("0") == 10:
        return None
    return f"+7{digits}"
