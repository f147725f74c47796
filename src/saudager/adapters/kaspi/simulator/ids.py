"""Kaspi's opaque JSON:API ids: base64 of a readable key, as the real ones turn out to be.

Decoding Kaspi's own samples shows ``NDk0MTQ0MDIxIyMx`` = ``494144021##1`` (order code ## entry)
and ``MTA5MzQ5MDI2`` = ``109349026`` (a product card code); the simulator follows that scheme so
an id can be mapped back to its object without a lookup table.
"""

from __future__ import annotations

import base64
import binascii


def opaque_id(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_id(opaque: str) -> str | None:
    """The key behind an id, or ``None`` when it is not one of ours."""
    try:
        return base64.urlsafe_b64decode(opaque + "=" * (-len(opaque) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def order_id(code: int) -> str:
    return opaque_id(str(code))


def entry_id(code: int, position: int) -> str:
    """``position`` is 0-based, like the ``##0`` suffix in Kaspi's sample."""
    return opaque_id(f"{code}##{position}")
