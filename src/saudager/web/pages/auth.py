"""Logging in and out, the language, the home page and the shop switcher."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from saudager.domains.accounts.errors import LoginRefused, TooManyAttempts
from saudager.web.context import Web
from saudager.web.i18n import language_of, translate
from saudager.web.security import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    client_address,
    cookie_secure,
    login_csrf_ok,
    new_login_csrf,
)

_YEAR = 365 * 24 * 3600


def safe_next(path: str | None) -> str:
    """Only a path on this site: never ``//elsewhere`` or ``https://…`` (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def set_session_cookie(request: Request, response: Response, secret: str, days: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=days * 24 * 3600, httponly=True, samesite="lax",
        secure=cookie_secure(request), path="/",
    )  # fmt: skip


def add_routes(app: FastAPI, web: Web) -> None:
    accounts = web.services.accounts
    session_days = web.services.settings.accounts.session_days

    def login_page(
        request: Request, *, next_path: str, error: str | None = None, username: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:  # fmt: skip
        language = web.language(request, None)
        token = new_login_csrf()
        response = web.pages.render(
            request, "login.html", viewer=None, language=language, status_code=status_code,
            login_csrf=token, next_path=next_path, error=error, username=username,
        )  # fmt: skip
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
            secure=cookie_secure(request), path="/login",
        )  # fmt: skip
        return response

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(
        request: Request,
        next_path: Annotated[str | None, Query(alias="next")] = None,
        lang: str | None = None,
    ) -> Response:
        if web.demo_login is not None:
            return RedirectResponse(
                f"/login/demo?next={quote(safe_next(next_path))}", status_code=303
            )
        if lang is not None:
            # Chosen on the login page: remembered for this browser until the user logs in.
            request = _with_language(request, language_of(lang))
        response = login_page(request, next_path=safe_next(next_path))
        if lang is not None:
            response.set_cookie(
                LANGUAGE_COOKIE, language_of(lang), max_age=_YEAR, samesite="lax", path="/"
            )
        return response

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf_token: Annotated[str, Form()] = "",
        next_path: Annotated[str, Form(alias="next")] = "/",
    ) -> Response:
        language = web.language(request, None)
        if not login_csrf_ok(request, csrf_token):
            return login_page(
                request, next_path=safe_next(next_path), username=username, status_code=403,
                error=translate(language, "error.csrf"),
            )  # fmt: skip
        try:
            secret, _ = accounts.login(username, password, client_address(request))
        except TooManyAttempts as exc:
            minutes = max(1, -(-exc.retry_after_seconds // 60))
            response = login_page(
                request, next_path=safe_next(next_path), username=username, status_code=429,
                error=translate(language, "login.too_many", minutes=minutes),
            )  # fmt: skip
            response.headers["Retry-After"] = str(exc.retry_after_seconds)
            return response
        except LoginRefused:
            return login_page(
                request, next_path=safe_next(next_path), username=username, status_code=401,
                error=translate(language, "login.refused"),
            )  # fmt: skip
        redirect = RedirectResponse(safe_next(next_path), status_code=303)
        set_session_cookie(request, redirect, secret, session_days)
        redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return redirect

    @app.get("/login/demo", include_in_schema=False)
    def demo_login(
        request: Request, next_path: Annotated[str | None, Query(alias="next")] = None
    ) -> Response:
        """The demo's own user, logged in without a form (only when serving the demo)."""
        if web.demo_login is None:
            return RedirectResponse("/login", status_code=303)
        username, password = web.demo_login
        secret, _ = accounts.login(username, password, client_address(request))
        response = RedirectResponse(safe_next(next_path), status_code=303)
        set_session_cookie(request, response, secret, session_days)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        viewer = web.guard.page_viewer(request)
        await web.guard.form(request, viewer)
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            accounts.logout(secret)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.post("/language", include_in_schema=False)
    async def set_language(request: Request) -> Response:
        viewer = web.guard.page_viewer(request)
        form = await web.guard.form(request, viewer)
        language = language_of(str(form.get("language", "")))
        accounts.set_language(viewer.user.id, language)
        response = RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=_YEAR, samesite="lax", path="/")
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        viewer = web.guard.page_viewer(request)
        shops = accounts.shops_of(viewer.user.id)
        if len(shops) == 1:
            return RedirectResponse(f"/shops/{shops[0][0].id}", status_code=303)
        return web.page(request, viewer, "home.html")

    @app.get("/go", include_in_schema=False)
    def switch_shop(request: Request, shop: int) -> Response:
        """The shop switcher: the same page of another shop the user may see."""
        viewer = web.guard.page_viewer(request)
        web.guard.page_shop(viewer, shop)
        return RedirectResponse(f"/shops/{shop}", status_code=303)


def _with_language(request: Request, language: str) -> Request:
    """The request as if it already carried the language cookie (the page answering the
    choice is rendered in the chosen language)."""
    scope = dict(request.scope)
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"]
    cookies = {**request.cookies, LANGUAGE_COOKIE: language}
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers.append((b"cookie", cookie_header.encode("latin-1")))
    scope["headers"] = headers
    return Request(scope, request.receive)
