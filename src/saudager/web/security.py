"""Who is asking, and may they: sessions, bearer tokens, CSRF and the shop check.

- Pages: a session cookie (``saudager_session``: HttpOnly, SameSite=Lax, Secure over HTTPS)
  whose secret the accounts service knows only by digest. Every form carries the session's
  CSRF token in a hidden field, and every state-changing request made with the cookie must
  present it (a form field, or the ``X-CSRF-Token`` header from the pages' own scripts).
- API: ``Authorization: Bearer sgr_…`` (a user's API token), no cookie needed and no CSRF (a
  browser never adds that header by itself); the pages' scripts may also call the API with the
  cookie, then with the CSRF header on anything but GET.
- A shop the user is no member of does not exist for them: 404 everywhere, pages and API. A
  member whose role is too low for an action gets 403.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

from saudager.core.errors import NotFoundError
from saudager.domains.accounts.types import Role, User, WebSession
from saudager.domains.shops.types import Shop
from saudager.web.i18n import Language, language_of
from saudager.wiring import Services

SESSION_COOKIE = "saudager_session"
LANGUAGE_COOKIE = "saudager_lang"
LOGIN_CSRF_COOKIE = "saudager_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user behind a request, and how they proved it."""

    user: User
    session: WebSession | None  # None: a bearer token

    @property
    def language(self) -> Language:
        return language_of(self.user.language)

    @property
    def csrf_token(self) -> str:
        return "" if self.session is None else self.session.csrf_token


class LoginRequired(Exception):
    """A page asked for by nobody logged in."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(Exception):
    """An error shown as a page (404 for a shop that is not the user's, 403, CSRF)."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        self.status = status
        self.key = key
        self.values = values


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


class Guard:
    """The checks every route runs, bound to the services."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def viewer(self, request: Request) -> Viewer | None:
        """The user of a bearer token, else of the session cookie, else nobody. A request
        carrying a bearer token is judged by it alone."""
        token = bearer_token(request)
        accounts = self._services.accounts
        if token is not None:
            user = accounts.token_user(token)
            return None if user is None else Viewer(user, None)
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            return None
        session = accounts.session(secret)
        return None if session is None else Viewer(session.user, session)

    def page_viewer(self, request: Request) -> Viewer:
        viewer = self.viewer(request)
        if viewer is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(path)
        return viewer

    def api_viewer(self, request: Request) -> Viewer:
        viewer = self.viewer(request)
        if viewer is None:
            raise HTTPException(
                status_code=401,
                detail="log in or send 'Authorization: Bearer <API token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        # A cookie riding along with a script's call must prove it comes from our page.
        if (
            viewer.session is not None
            and request.method not in _SAFE_METHODS
            and not _same(request.headers.get(CSRF_HEADER), viewer.csrf_token)
        ):
            raise HTTPException(status_code=403, detail="missing or wrong X-CSRF-Token")
        return viewer

    def shop(self, viewer: Viewer, shop_id: int, needed: Role = Role.VIEWER) -> tuple[Shop, Role]:
        """The shop and the viewer's role in it; raises ``NotFoundError`` when the viewer is
        no member (or there is no such shop) and ``PermissionError`` when the role is too low."""
        role = self._services.accounts.role(viewer.user.id, shop_id)
        if role is None:
            raise NotFoundError(f"no shop {shop_id}")
        if not role.allows(needed):
            raise PermissionError(needed.value)
        with self._services.store.transaction() as tx:
            return tx.get_shop(shop_id), role

    def page_shop(
        self, viewer: Viewer, shop_id: int, needed: Role = Role.VIEWER
    ) -> tuple[Shop, Role]:
        try:
            return self.shop(viewer, shop_id, needed)
        except NotFoundError:
            raise PageError(404, "error.not_found") from None
        except PermissionError:
            raise PageError(403, "error.forbidden", role=f"role.{needed.value}") from None

    def api_shop(self, viewer: Viewer, shop_id: int, needed: Role = Role.VIEWER) -> Shop:
        try:
            return self.shop(viewer, shop_id, needed)[0]
        except NotFoundError:
            raise HTTPException(status_code=404, detail=f"no shop {shop_id}") from None
        except PermissionError:
            raise HTTPException(
                status_code=403, detail=f"this needs the role {needed.value!r} in the shop"
            ) from None

    async def page_post(
        self, request: Request, shop_id: int, needed: Role
    ) -> tuple[Viewer, Shop, Role, FormData]:
        """A shop page's form post: the viewer, the shop (404 for a non-member, 403 below
        ``needed``) and the form with its CSRF token checked."""
        viewer = self.page_viewer(request)
        shop, role = self.page_shop(viewer, shop_id, needed)
        return viewer, shop, role, await self.form(request, viewer)

    async def form(self, request: Request, viewer: Viewer) -> FormData:
        """A submitted form whose CSRF token matches the viewer's session."""
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        if viewer.session is None or not _same(
            sent if isinstance(sent, str) else None, viewer.csrf_token
        ):
            raise PageError(403, "error.csrf")
        return form


def _same(sent: str | None, expected: str) -> bool:
    return bool(sent) and bool(expected) and hmac.compare_digest(str(sent), expected)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def login_csrf_ok(request: Request, sent: Any) -> bool:
    """The login form's token matches its cookie (double submit: there is no session yet)."""
    return isinstance(sent, str) and _same(sent, request.cookies.get(LOGIN_CSRF_COOKIE, ""))


def cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"
