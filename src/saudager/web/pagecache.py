"""Rendered shop pages kept between requests.

Under 20 clients at once a page's own work (turning a report into rows, formatting every number,
rendering the template: 5–60 ms) is shared with every other request on the process's one
interpreter, and a page's latency becomes many times its work. A shop page depends only on the
shop's data (its revision), the viewer (user, role, language), the address with its query, and
the time (today, the at-risk orders of the minute), so the rendered page is kept per
(shop, user, role, language, path, query) for a version (data revision, time zone, minute) and
served from memory until one of them moves.

The one part that differs per session, the CSRF token in its forms, is rendered as a placeholder
and put in per request. The placeholder cannot be mistaken for page content: it is not valid
text in any of our pages (``\\x00`` cannot reach a page through escaping).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from saudager.core.revcache import RevisionCache

#: Rendered in place of the session's CSRF token while a page is built for the cache.
CSRF_PLACEHOLDER = "\x00csrf\x00"
_BUILDING = ContextVar("saudager_page_for_cache", default=False)

#: Pages kept (each some 5–100 KB); the least recently used go first.
CACHED_PAGES = 1_000
#: Pages are rebuilt at least this often: "today", the at-risk orders and the sync state move
#: with the clock, not with the data revision.
PAGE_SECONDS = 60


def building_for_cache() -> bool:
    """Whether the page being rendered now will be kept (render the CSRF placeholder)."""
    return _BUILDING.get()


@dataclass(frozen=True, slots=True)
class KeptPage:
    status_code: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    media_type: str | None

    def respond(self, csrf_token: str) -> Response:
        body = self.body.replace(CSRF_PLACEHOLDER.encode(), csrf_token.encode())
        response = Response(body, status_code=self.status_code, media_type=self.media_type)
        for name, value in self.headers:
            response.headers[name] = value
        return response


def _kept(response: Response) -> KeptPage:
    skipped = {"content-length", "set-cookie"}
    return KeptPage(
        status_code=response.status_code,
        body=bytes(response.body),
        headers=tuple((k, v) for k, v in response.headers.items() if k not in skipped),
        media_type=response.media_type,
    )


class PageCache:
    def __init__(self, max_pages: int = CACHED_PAGES) -> None:
        self.pages: RevisionCache[Hashable, KeptPage] = RevisionCache(max_pages)

    def get(
        self,
        request: Request,
        key: Hashable,
        version: Hashable,
        csrf_token: str,
        build: Callable[[], Response],
    ) -> Response:
        """The page for ``key`` at ``version`` (built by ``build`` when not kept), with the
        viewer's CSRF token. ``key`` must name everything the page depends on besides the
        address, which is added here."""
        address = (request.url.path, tuple(sorted(request.query_params.multi_items())))
        minute = int(time.time()) // PAGE_SECONDS

        def render() -> KeptPage:
            mark = _BUILDING.set(True)
            try:
                return _kept(build())
            finally:
                _BUILDING.reset(mark)

        kept = self.pages.get((key, address), (version, minute), render)
        return kept.respond(csrf_token)
