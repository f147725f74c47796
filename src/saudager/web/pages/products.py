"""The products page (``/shops/{id}/products``): every SKU with its unit economics, a page of
them at a time (searched by SKU or name, sorted by any column: ``web/paging.py``), and its
purchase cost edited in place by managers and owners — a plain form per row posting to
``/shops/{id}/products/{sku}/cost`` that redirects back to the same page, order and search (no
script needed). Figures: the catalog service's, as in the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from saudager.core.timewindows import local_day
from saudager.domains.accounts.types import Role
from saudager.domains.analytics.report_views import DEFAULT_TARGET_MARGIN, reportable
from saudager.domains.catalog.errors import CostInputError
from saudager.domains.catalog.types import ProductEconomics
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.i18n import register
from saudager.web.paging import Column, Table, page_rows
from saudager.web.security import PageError, Viewer

register(
    {
        "products.title": ("Товары", "Products"),
        "products.as_of": ("Экономика на дату", "Economics as of"),
        "products.target": ("Целевая маржа, %", "Target margin, %"),
        "products.window": (
            "Цена и расходы на единицу — средние за {first} – {last}; закупочная цена — "
            "действующая на {last}.",
            "Price and costs per unit are averages over {first} – {last}; the purchase cost is "
            "the one in effect on {last}.",
        ),
        "products.no_sales": (
            "В эти дни продаж не было. Последняя продажа — {day}.",
            "No sales on these days. The last sale was on {day}.",
        ),
        "products.show_day": ("Показать на эту дату", "Show as of that day"),
        "products.col.sku": ("Артикул", "SKU"),
        "products.col.name": ("Название", "Name"),
        "products.col.stock": ("Остаток", "Stock"),
        "products.col.price": ("Цена", "Price"),
        "products.col.purchase": ("Закупка", "Purchase cost"),
        "products.col.commission": ("Комиссия", "Commission"),
        "products.col.delivery": ("Доставка", "Delivery"),
        "products.col.other": ("Прочее", "Other"),
        "products.col.tax": ("Налог", "Tax"),
        "products.col.profit": ("Прибыль на ед.", "Profit per unit"),
        "products.col.margin": ("Маржа", "Margin"),
        "products.col.break_even": ("Цена безубыточности", "Break-even price"),
        "products.col.target_price": ("Цена для целевой маржи", "Target-margin price"),
        "products.col.missing": ("Не хватает", "Missing"),
        "products.missing.price": ("цены (не продавался)", "price (not sold)"),
        "products.missing.purchase": ("закупочной цены", "purchase cost"),
        "products.missing.commission": ("комиссии категории", "category commission"),
        "products.missing.delivery": ("стоимости доставки", "delivery cost"),
        "products.missing.other": ("расходов на упаковку", "packaging cost"),
        "products.other_hint": (
            "Расходы на упаковку заказа не заданы: укажите их в настройке "
            "analytics.packaging_per_order_tiyn (0 — если их нет).",
            "The packaging cost per order is not set: give it in the setting "
            "analytics.packaging_per_order_tiyn (0 if there is none).",
        ),
        "products.cost": ("Закупочная цена, ₸", "Purchase cost, ₸"),
        "products.effective_from": ("Действует с", "In effect from"),
        "products.since": ("с {day}", "since {day}"),
        "products.not_in_catalog": ("нет в каталоге", "not in the catalog"),
        "products.saved": (
            "Закупочная цена {sku} сохранена: {cost} с {day}.",
            "The purchase cost of {sku} is saved: {cost} from {day}.",
        ),
        "products.bad_input": (
            "Ничего не сохранено для {sku}.",
            "Nothing was saved for {sku}.",
        ),
        "products.field.cost": ("Закупочная цена", "Purchase cost"),
        "products.field.effective_from": ("Действует с", "In effect from"),
        "products.expected.money": (
            "нужна сумма в тенге, например 12 345 или 12345,50 (не больше двух знаков после "
            "запятой)",
            "expected tenge such as 12 345 or 12345.50 (at most two decimals)",
        ),
        "products.expected.non_negative": (
            "сумма не может быть меньше 0 ₸",
            "the amount cannot be below 0 ₸",
        ),
        "products.expected.too_large": (
            "не больше 1 000 000 000 ₸",
            "at most 1 000 000 000 ₸",
        ),
        "products.expected.date": (
            "нужна дата, например 2026-03-01 или 01.03.2026",
            "expected a date such as 2026-03-01 or 01.03.2026",
        ),
        "products.found": ("введено: «{value}»", "entered: “{value}”"),
        "products.bad_date": (
            "Дата «{value}» не распознана: нужна дата вида 2026-03-01.",
            "The date “{value}” is not understood: expected a date such as 2026-03-01.",
        ),
        "products.bad_target": (
            "Целевая маржа «{value}» не распознана: нужно число процентов от 0 до 99.",
            "The target margin “{value}” is not understood: expected a percent from 0 to 99.",
        ),
        "products.filter": ("Артикул или название", "SKU or name"),
    }
)

#: What the redirect after a saved cost adds to the page's address (not kept by its links).
SAVED_PARAMS = ("saved", "cost", "day")


def _unit(name: str) -> Column:
    """A figure of the unit economics (missing when they cannot be computed)."""

    def value(row: ProductEconomics) -> Any:
        return None if row.economics is None else getattr(row.economics, name)

    return Column(name.removesuffix("_tiyn"), value=value, desc_first=True)


#: The products table: every column sortable; searched by SKU and name; by SKU at first.
PRODUCTS = Table(
    columns=(
        Column("sku"),
        Column("name"),
        Column("stock", desc_first=True),
        _unit("price_tiyn"),
        Column(
            "purchase",
            value=lambda r: None if r.cost is None else r.cost.purchase_cost,
            desc_first=True,
        ),
        _unit("commission_tiyn"),
        _unit("delivery_tiyn"),
        _unit("other_tiyn"),
        _unit("tax_tiyn"),
        _unit("profit_tiyn"),
        _unit("margin"),
        _unit("break_even_price_tiyn"),
        _unit("target_price_tiyn"),
        Column("missing", value=lambda r: ", ".join(r.missing) or None),
    ),
    search=("sku", "name"),
    sort="sku",
    anchor="products-list",
)


def _as_of(shop: Shop, raw: str | None) -> date:
    """``?as_of=``, else yesterday in the shop's zone (today is not over)."""
    if raw is None or not raw.strip():
        return local_day(datetime.now(UTC), shop.timezone) - timedelta(days=1)
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or not reportable(day):
        raise PageError(400, "products.bad_date", value=raw[:40])
    return day


def _target(raw: str | None) -> Decimal:
    """``?target=15`` (percent) as a share; default 15 %."""
    if raw is None or not raw.strip():
        return DEFAULT_TARGET_MARGIN
    try:
        percent = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise PageError(400, "products.bad_target", value=raw[:40]) from None
    if not percent.is_finite() or not 0 <= percent < 100:
        raise PageError(400, "products.bad_target", value=raw[:40])
    return percent / 100


def _saved(request: Request) -> dict[str, object] | None:
    """What the redirect after a saved cost says was saved (nothing if it does not read)."""
    params = request.query_params
    sku = params.get("saved")
    if not sku:
        return None
    try:
        return {
            "sku": sku,
            "cost": Decimal(params.get("cost", "")),
            "day": date.fromisoformat(params.get("day", "")),
        }
    except (InvalidOperation, ValueError):
        return None


def add_routes(app: FastAPI, web: Web) -> None:
    catalog = web.services.catalog

    def page(
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        as_of: date,
        target: Decimal,
        *,
        status_code: int = 200,
        error_sku: str | None = None,
        error: CostInputError | None = None,
        entered: dict[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        view = catalog.products(shop, as_of, target)
        shown = page_rows(
            view.rows, PRODUCTS, request.query_params if params is None else params,
            f"/shops/{shop.id}/products", drop=SAVED_PARAMS,
        )  # fmt: skip
        return web.page(
            request, viewer, "products.html", shop=shop, role=role, status_code=status_code,
            view=view, table=shown, can_edit=role.allows(Role.MANAGER),
            target_percent=target * 100,
            today=local_day(datetime.now(UTC), shop.timezone),
            any_missing_other=any("other" in r.missing for r in view.rows),
            saved=_saved(request),
            error_sku=error_sku, error=error, entered=entered or {},
            sku_path=lambda sku: quote(sku, safe=""),
        )  # fmt: skip

    @app.get("/shops/{shop_id}/products", response_class=HTMLResponse, include_in_schema=False)
    def products_page(
        request: Request,
        shop_id: int,
        as_of: str | None = None,
        target: str | None = None,
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            return page(request, viewer, shop, role, _as_of(shop, as_of), _target(target))

        return web.cached_page(request, viewer, shop, role, build)

    @app.post("/shops/{shop_id}/products/{sku:path}/cost", include_in_schema=False)
    async def set_cost(
        request: Request,
        shop_id: int,
        sku: str,
        as_of: Annotated[str | None, Query()] = None,
    ) -> Response:
        viewer, shop, role, form = await web.guard.page_post(request, shop_id, Role.MANAGER)
        cost, day = str(form.get("cost", "")), str(form.get("effective_from", ""))
        shown_day = str(form.get("as_of", "")) or as_of
        target = str(form.get("target", "")) or None
        today = local_day(datetime.now(UTC), shop.timezone)
        # The table's page, order and search the form was sent from, to come back to.
        table = {name: str(form.get(name, "")) for name in PRODUCTS.params}
        try:
            stored = catalog.set_purchase_cost_text(shop, sku, cost, day, today)
        except CostInputError as exc:
            return page(
                request, viewer, shop, role, _as_of(shop, shown_day), _target(target),
                status_code=400, error_sku=sku, error=exc,
                entered={"cost": cost, "effective_from": day},
                params={"as_of": shown_day or "", "target": target or "", **table},
            )  # fmt: skip
        back = {
            "as_of": shown_day or "", "target": target or "", **table, "saved": stored.sku,
            "cost": str(stored.purchase_cost), "day": stored.effective_from.isoformat(),
        }  # fmt: skip
        query = urlencode({k: v for k, v in back.items() if v})
        return RedirectResponse(f"/shops/{shop.id}/products?{query}", status_code=303)
