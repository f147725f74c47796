"""Errors from talking to Kaspi. Messages never carry the token or a buyer's phone number."""

from __future__ import annotations

from saudager.core.errors import SaudagerError


class KaspiError(SaudagerError):
    """Kaspi answered something we cannot use."""


class KaspiAuthError(KaspiError):
    """401/403: the token is wrong, revoked, or not the shop's."""


class KaspiHtmlResponseError(KaspiError):
    """An HTML page where JSON was expected (Kaspi's 404 without the Accept header, a proxy)."""


class KaspiNotFoundError(KaspiError):
    """404 with a JSON body: the order or entry does not exist."""


class KaspiRequestError(KaspiError):
    """4xx with Kaspi's ``{"errors": [{"title": ...}]}``: the request itself was refused."""

    def __init__(self, status_code: int, titles: list[str]) -> None:
        self.status_code = status_code
        self.titles = titles
        joined = "; ".join(titles) if titles else "no reason given"
        super().__init__(f"Kaspi refused the request (HTTP {status_code}): {joined}")


class KaspiUnavailableError(KaspiError):
    """Still failing (429, 5xx, timeouts, cut bodies) after every retry."""


class KaspiPayloadError(KaspiError):
    """A document that does not have the shape of Kaspi's API."""
