"""Keep phone numbers and secrets out of logs and error messages."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_phone(phone: str | None) -> str:
    """``+77011234567`` → ``+7701***4567``: enough to tell numbers apart, not enough to dial."""
    if not phone:
        return ""
    digits = "".join(_DIGITS.findall(phone))
    if len(digits) < 7:
        return "***"
    return f"+{digits[:-7]}***{digits[-4:]}"


def mask_secret(secret: str | None) -> str:
    """A token shown only by its last four characters."""
    if not secret:
        return ""
    return f"…{secret[-4:]}" if len(secret) > 8 else "****"


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(\+?7|8)?[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")


def redact_phones(text: str) -> str:
    """Mask every Kazakh phone number inside free text (log lines, error bodies)."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
