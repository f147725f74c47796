"""The web app factory. Nothing is built at import time; routes only check access and call
services (one service layer for pages and API)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from saudager import __version__
from saudager.core.errors import NotFoundError
from saudager.web.api import jobs as jobs_api
from saudager.web.api import messages as messages_api
from saudager.web.api import messaging_setup as messaging_setup_api
from saudager.web.api import overview as overview_api
from saudager.web.api import products as products_api
from saudager.web.api import quality as quality_api
from saudager.web.api import reports as reports_api
from saudager.web.api import shop_settings as shop_settings_api
from saudager.web.api import shops as shops_api
from saudager.web.api import whatsapp as whatsapp_api
from saudager.web.context import Web
from saudager.web.i18n import translate
from saudager.web.pages import auth as auth_pages
from saudager.web.pages import imports as import_pages
from saudager.web.pages import messages as messages_pages
from saudager.web.pages import messages_setup as messages_setup_pages
from saudager.web.pages import overview as overview_pages
from saudager.web.pages import products as products_pages
from saudager.web.pages import quality as quality_pages
from saudager.web.pages import sales as sales_pages
from saudager.web.pages import shops as shops_pages
from saudager.web.pages import zhuma as zhuma_pages
from saudager.web.rendering import Pages
from saudager.web.security import Guard, LoginRequired, PageError
from saudager.wiring import Services

STATIC = Path(__file__).parent / "static"
ROUTE_MODULES = (
    auth_pages,
    shops_api,
    quality_api,
    reports_api,
    overview_pages,
    quality_pages,
    sales_pages,
    products_pages,
    products_api,
    zhuma_pages,
    messages_pages,
    messages_setup_pages,
    overview_api,
    shops_pages,
    import_pages,
    shop_settings_api,
    jobs_api,
    whatsapp_api,
    messages_api,
    messaging_setup_api,
)

#: Pages and API answer with these; scripts come only from this site, none inline.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; frame-ancestors 'none'; form-action 'self'"
    ),
}


def plotly_js() -> Path:
    """Plotly's own bundled script, from the installed package: served here, never a CDN."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def create_app(services: Services, *, demo_login: tuple[str, str] | None = None) -> FastAPI:
    app = FastAPI(
        title="Saudager",
        version=__version__,
        description="Kaspi seller cockpit. Authenticate with `Authorization: Bearer <API token>` "
        "(`saudager user token USERNAME`).",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    web = Web(
        services=services, guard=Guard(services), pages=Pages(services), demo_login=demo_login
    )
    app.state.web = web  # for operators' tools and tests (the page cache's statistics)

    @app.middleware("http")
    async def timing_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The server's own time for the request, for the browser's tools and the benchmark.
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1e3:.1f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(PageError)
    async def error_page(request: Request, exc: PageError) -> Response:
        return _error_page(web, request, exc.status, exc.key, **exc.values)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return _error_page(web, request, 404, "error.not_found")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return _error_page(web, request, 404, "error.not_found")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        with services.store.transaction() as tx:
            tx.list_shops()  # proves the database answers
        return {"status": "ok", "version": __version__}

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(
            plotly_js(), media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=604800"},
        )  # fmt: skip

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in ROUTE_MODULES:
        module.add_routes(app, web)
    return app


def _error_page(web: Web, request: Request, status: int, key: str, **values: object) -> Response:
    viewer = web.guard.viewer(request)
    language = web.language(request, viewer)
    shown = {k: translate(language, str(v)) if k == "role" else v for k, v in values.items()}
    return web.pages.render(
        request, "error.html", viewer=viewer, language=language, status_code=status,
        message=translate(language, key, **shown),
    )  # fmt: skip


def _plain(errors: object) -> object:
    """Validation errors as JSON (inputs that are not JSON themselves shown as text)."""
    if isinstance(errors, dict):
        return {k: _plain(v) for k, v in errors.items()}
    if isinstance(errors, list | tuple):
        return [_plain(v) for v in errors]
    if errors is None or isinstance(errors, str | int | float | bool):
        return errors
    return str(errors)
