"""``POST /api/v1/shops`` and a shop's settings: its sync log, Kaspi token, time zone,
members and own commission rates. Owners manage the token, zone and members; managers the
commission rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from saudager.core.errors import NotFoundError, SaudagerError
from saudager.domains.accounts.errors import AccountInputError, LastOwner
from saudager.domains.accounts.types import Role, User
from saudager.domains.analytics.records import CommissionRate
from saudager.domains.analytics.service import commission_rate
from saudager.domains.shops.types import SyncRun
from saudager.web.api.shops import shop_json
from saudager.web.context import Web


def _unicode(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("expected Unicode text (a lone surrogate is not)") from None
    return value


#: Texts of a request: real Unicode, of a bounded length.
ShortText = Annotated[str, Field(max_length=100), AfterValidator(_unicode)]
Text = Annotated[str, Field(max_length=200), AfterValidator(_unicode)]
LongText = Annotated[str, Field(max_length=4000), AfterValidator(_unicode)]


class ErrorAnswer(BaseModel):
    """An error: ``detail`` says what was wrong (text, or the list of invalid fields)."""

    model_config = ConfigDict(extra="allow")
    detail: str | list[Any] | None = None


#: The 422 of routes that refuse a value themselves, beside the framework's field checks.
REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorAnswer, "description": "A value was refused: see detail."}
}


class NewShop(BaseModel):
    name: Text = Field(description="The shop's name, unique in this install.")
    token: LongText | None = Field(
        default=None, description="The Kaspi API token; none: the shop is filled by import."
    )
    timezone: ShortText | None = Field(
        default=None, description="IANA time zone; none: the default_timezone setting."
    )


class NewMember(BaseModel):
    username: Text = Field(description="An existing user's name.")
    role: Role


class NewToken(BaseModel):
    token: LongText = Field(min_length=1, description="The Kaspi API token (stored encrypted).")


class NewZone(BaseModel):
    timezone: ShortText = Field(description="IANA time zone, e.g. Asia/Almaty.")


class NewCommission(BaseModel):
    category: Text = Field(description="Kaspi category title, or * for all others.")
    percent: Decimal = Field(description="The commission in percent, e.g. 12.5.")
    payment_mode: ShortText = Field(default="*", description="PREPAID, PAY_WITH_CREDIT or *.")
    effective_from: date = Field(default=date(2000, 1, 1), description="From this day on.")
    source: Text = Field(default="set by the seller", description="Where the rate comes from.")


def run_json(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "orders_seen": run.orders_seen,
        "orders_written": run.orders_written,
        "error": run.error,
    }


def member_json(user: User, role: Role) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": role.value,
    }


def commission_json(rate: CommissionRate) -> dict[str, Any]:
    return {
        "category": rate.category,
        "payment_mode": rate.payment_mode,
        "effective_from": rate.effective_from.isoformat(),
        "percent": str(Decimal(rate.rate_bp) / 100),
        "source": rate.source,
    }


def add_routes(app: FastAPI, web: Web) -> None:
    guard, services = web.guard, web.services
    accounts = services.accounts

    def overview(shop_id: int, role: Role) -> dict[str, Any]:
        [row] = services.shops.overview(only={shop_id})
        return shop_json(row, role.value)

    @app.post("/api/v1/shops", tags=["shops"], status_code=201, responses=REFUSED)
    def api_add_shop(request: Request, body: NewShop) -> JSONResponse:
        """Add a shop; the caller becomes its owner. 409 when the name is taken, 422 for an
        empty name or an unknown time zone."""
        viewer = guard.api_viewer(request)
        try:
            shop = services.add_shop(
                body.name, body.token or None, None, body.timezone or None,
                owner_id=viewer.user.id,
            )  # fmt: skip
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except SaudagerError as exc:
            status = 422 if not body.name.strip() else 409
            raise HTTPException(status_code=status, detail=str(exc)) from None
        return JSONResponse(overview(shop.id, Role.OWNER), status_code=201)

    @app.get("/api/v1/shops/{shop_id}/sync-runs", tags=["shops"])
    def api_sync_runs(
        request: Request, shop_id: int, limit: int = Query(20, ge=1, le=200)
    ) -> dict[str, Any]:
        """The shop's sync runs, newest first: when, how it ended, orders read and written."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        return {"runs": [run_json(r) for r in services.shops.sync_runs(shop.id, limit)]}

    @app.put("/api/v1/shops/{shop_id}/token", tags=["shops"], status_code=204)
    def api_set_token(request: Request, shop_id: int, body: NewToken) -> Response:
        """Set or replace the shop's Kaspi API token (owner); it is never shown again."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        services.set_token(shop, body.token.strip())
        return Response(status_code=204)

    @app.delete("/api/v1/shops/{shop_id}/token", tags=["shops"], status_code=204)
    def api_remove_token(request: Request, shop_id: int) -> Response:
        """Forget the shop's Kaspi token (owner): it is then filled by file import only."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        services.remove_token(shop)
        return Response(status_code=204)

    @app.put("/api/v1/shops/{shop_id}/timezone", tags=["shops"], responses=REFUSED)
    def api_set_timezone(request: Request, shop_id: int, body: NewZone) -> dict[str, Any]:
        """Change the shop's time zone (owner); 422 for an unknown one."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        try:
            services.shops.set_timezone(shop.id, body.timezone.strip())
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return overview(shop.id, Role.OWNER)

    @app.get("/api/v1/shops/{shop_id}/members", tags=["shops"])
    def api_members(request: Request, shop_id: int) -> dict[str, Any]:
        """The shop's members and their roles (owner)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        return {"members": [member_json(u, r) for u, r in accounts.members(shop.id)]}

    @app.post("/api/v1/shops/{shop_id}/members", tags=["shops"], responses=REFUSED)
    def api_add_member(request: Request, shop_id: int, body: NewMember) -> dict[str, Any]:
        """Add an existing user with a role, or change a member's role (owner). 422 for an
        unknown user, 409 when it would leave the shop without an owner."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        try:
            user = accounts.user_by_name(body.username)
        except (NotFoundError, AccountInputError):
            raise HTTPException(
                status_code=422, detail=f"no user named {body.username!r}"
            ) from None
        try:
            accounts.set_member_role(shop.id, user.id, body.role)
        except LastOwner as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return member_json(user, body.role)

    @app.delete("/api/v1/shops/{shop_id}/members/{user_id}", tags=["shops"], status_code=204)
    def api_remove_member(request: Request, shop_id: int, user_id: int) -> Response:
        """Remove a member (owner); 409 for the last owner, 404 for a user no member."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.OWNER)
        try:
            accounts.remove_member(shop.id, user_id)
        except LastOwner as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return Response(status_code=204)

    @app.get("/api/v1/shops/{shop_id}/commissions", tags=["shops"])
    def api_commissions(request: Request, shop_id: int) -> dict[str, Any]:
        """The shop's own Kaspi commission rates (they win over the shipped table)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        rates = services.analytics.commission_rates(shop)
        return {"commissions": [commission_json(r) for r in rates]}

    @app.post(
        "/api/v1/shops/{shop_id}/commissions", tags=["shops"], status_code=201, responses=REFUSED
    )
    def api_add_commission(request: Request, shop_id: int, body: NewCommission) -> JSONResponse:
        """Add a commission rate, or replace the one of the same category, mode and day
        (manager); 422 for a rate outside 0–100 % or an unknown payment mode."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        try:
            rate = commission_rate(
                body.category, body.percent, body.payment_mode, body.effective_from, body.source
            )
        except SaudagerError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        services.analytics.set_commission_rate(shop, rate)
        return JSONResponse(commission_json(rate), status_code=201)
