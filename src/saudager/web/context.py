"""What every route module receives: the services, the guard and the page renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop
from saudager.web.i18n import Language, language_of
from saudager.web.pagecache import PageCache
from saudager.web.rendering import Pages
from saudager.web.security import LANGUAGE_COOKIE, Guard, Viewer
from saudager.wiring import Services


@dataclass(frozen=True, slots=True)
class Web:
    services: Services
    guard: Guard
    pages: Pages
    #: Username and password of the demo user, logged in automatically (``saudager demo``).
    demo_login: tuple[str, str] | None = None
    page_cache: PageCache = field(default_factory=PageCache)

    def cached_page(
        self,
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        build: Callable[[], Response],
    ) -> Response:
        """A shop page that depends only on the shop's data, the viewer and the address: kept
        rendered until the shop's data revision or the minute moves (``pagecache.py``). Call
        it after the access checks; ``build`` computes and renders the page."""
        with self.services.store.reading() as tx:
            revision = tx.data_revision(shop.id)
        key = (shop.id, viewer.user.id, role, self.language(request, viewer))
        return self.page_cache.get(
            request, key, (revision, shop.timezone), viewer.csrf_token, build
        )

    def language(self, request: Request, viewer: Viewer | None) -> Language:
        """The user's own language; before login, the one chosen on the login page."""
        if viewer is not None:
            return viewer.language
        return language_of(request.cookies.get(LANGUAGE_COOKIE))

    def page(
        self,
        request: Request,
        viewer: Viewer,
        name: str,
        *,
        shop: Shop | None = None,
        role: Role | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        return self.pages.render(
            request, name, viewer=viewer, language=self.language(request, viewer), shop=shop,
            role=role, status_code=status_code, **context,
        )  # fmt: skip
