"""Pages: the Jinja2 environment and what every template may use.

Every page gets ``t`` (the text of a key in the viewer's language), ``fmt`` (numbers, money and
dates for Kazakhstan), ``lang``, ``user``, ``csrf_token``, the viewer's ``shops`` with roles
(the shop switcher), and, on a shop's pages, ``shop`` and ``role``. Charts are drawn by
``static/app.js`` from JSON placed in ``<script type="application/json">`` blocks (no inline
script, so the content security policy can forbid them).
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from saudager import __version__
from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop
from saudager.web.i18n import LANGUAGES, Formatter, Language, translate
from saudager.web.pagecache import CSRF_PLACEHOLDER, building_for_cache
from saudager.web.security import Viewer
from saudager.wiring import Services

TEMPLATES = Path(__file__).parent / "templates"


def _json_block(value: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script data block


class Pages:
    def __init__(self, services: Services) -> None:
        self._services = services
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.filters["json_block"] = _json_block
        self.templates.env.globals["version"] = __version__
        self.templates.env.globals["languages"] = LANGUAGES

    def render(
        self,
        request: Request,
        name: str,
        *,
        viewer: Viewer | None,
        language: Language,
        shop: Shop | None = None,
        role: Role | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        shops = [] if viewer is None else self._services.accounts.shops_of(viewer.user.id)
        values = {
            "t": partial(translate, language),
            "fmt": Formatter(language),
            "lang": language,
            "user": None if viewer is None else viewer.user,
            "csrf_token": ""
            if viewer is None
            else (CSRF_PLACEHOLDER if building_for_cache() else viewer.csrf_token),
            "shops": shops,
            "shop": shop,
            "role": role,
            "path": request.url.path,
            **context,
        }
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)
