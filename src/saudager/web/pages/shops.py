"""The Shops page (the user's shops, adding one) and a shop's Settings page: sync now and the
sync log, the Kaspi token, the time zone, the quality thresholds in force, members and the
seller's own commission rates."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from saudager.core.errors import ConfigurationError, NotFoundError, SaudagerError
from saudager.domains.accounts.errors import AccountInputError, LastOwner
from saudager.domains.accounts.types import Role
from saudager.domains.analytics.service import COMMISSION_PAYMENT_MODES, commission_rate
from saudager.domains.jobs.types import JobKind
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.i18n import register, translate
from saudager.web.jobs import job_message, start_sync
from saudager.web.security import Viewer

register(
    {
        "shops.title": ("Магазины", "Shops"),
        "shops.name": ("Название", "Name"),
        "shops.role": ("Ваша роль", "Your role"),
        "shops.timezone": ("Часовой пояс", "Time zone"),
        "shops.orders": ("Заказы", "Orders"),
        "shops.token": ("Токен Kaspi", "Kaspi token"),
        "shops.token_set": ("задан", "set"),
        "shops.token_unset": ("не задан", "not set"),
        "shops.last_sync": ("Последняя синхронизация", "Last sync"),
        "shops.never": ("ещё не было", "never"),
        "shops.settings": ("настройки", "settings"),
        "shops.add": ("Добавить магазин", "Add a shop"),
        "shops.add.submit": ("Добавить", "Add"),
        "shops.add.token_hint": (
            "Необязательно: без токена магазин заполняется импортом файлов. Токен хранится "
            "зашифрованным и больше не показывается.",
            "Optional: without a token the shop is filled by importing files. The token is "
            "stored encrypted and never shown again.",
        ),
        "shops.add.owner_hint": (
            "Вы станете владельцем нового магазина.",
            "You become the new shop's owner.",
        ),
        "shops.error.name_required": ("Укажите название магазина.", "Give the shop a name."),
        "shops.error.name_taken": (
            "Магазин «{name}» уже есть: выберите другое название.",
            "A shop named “{name}” already exists: choose another name.",
        ),
        "shops.error.timezone": (
            "Неизвестный часовой пояс «{zone}»: укажите имя IANA, например Asia/Almaty.",
            "Unknown time zone “{zone}”: give an IANA name such as Asia/Almaty.",
        ),
        "sync.status.running": ("идёт", "running"),
        "sync.status.succeeded": ("успешно", "succeeded"),
        "sync.status.failed": ("ошибка", "failed"),
        "sync.status.interrupted": ("прервана", "interrupted"),
        "settings.title": ("Настройки магазина", "Shop settings"),
        "settings.saved.created": (
            "Магазин добавлен. Задайте токен Kaspi или импортируйте файлы.",
            "The shop is added. Set its Kaspi token or import files.",
        ),
        "settings.saved.token": ("Токен сохранён.", "The token is saved."),
        "settings.saved.token_removed": ("Токен удалён.", "The token is removed."),
        "settings.saved.timezone": ("Часовой пояс изменён.", "The time zone is changed."),
        "settings.saved.member": ("Участник сохранён.", "The member is saved."),
        "settings.saved.member_removed": ("Участник удалён.", "The member is removed."),
        "settings.saved.commission": ("Ставка комиссии сохранена.", "The commission is saved."),
        "settings.sync": ("Синхронизация с Kaspi", "Sync with Kaspi"),
        "settings.sync.now": ("Синхронизировать сейчас", "Sync now"),
        "settings.sync.no_token": (
            "У магазина нет токена Kaspi API: задайте его ниже или импортируйте файлы.",
            "The shop has no Kaspi API token: set one below, or import files.",
        ),
        "settings.sync.manager_only": (
            "Запускать синхронизацию может менеджер или владелец.",
            "A manager or owner may start a sync.",
        ),
        "settings.sync.log": ("Журнал синхронизаций", "Sync log"),
        "settings.sync.none": ("Синхронизаций ещё не было.", "No sync has run yet."),
        "settings.sync.started": ("Начало", "Started"),
        "settings.sync.finished": ("Конец", "Finished"),
        "settings.sync.status": ("Состояние", "Status"),
        "settings.sync.seen": ("Прочитано заказов", "Orders read"),
        "settings.sync.written": ("Записано", "Written"),
        "settings.sync.error": ("Ошибка", "Error"),
        "settings.token": ("Токен Kaspi API", "Kaspi API token"),
        "settings.token.is_set": (
            "Токен задан (хранится зашифрованным, не показывается).",
            "A token is set (stored encrypted, never shown).",
        ),
        "settings.token.not_set": ("Токен не задан.", "No token is set."),
        "settings.token.new": ("Новый токен", "New token"),
        "settings.token.save": ("Сохранить токен", "Save the token"),
        "settings.token.remove": ("Удалить токен", "Remove the token"),
        "settings.token.owner_only": (
            "Токен и часовой пояс меняет владелец магазина.",
            "The shop's owner changes its token and time zone.",
        ),
        "settings.error.token_empty": ("Вставьте токен.", "Paste the token."),
        "settings.timezone.hint": (
            "Окна показателей и дни отчётов считаются в этом поясе (Казахстан: Asia/Almaty).",
            "Indicator windows and report days are counted in this zone (Kazakhstan: Asia/Almaty).",
        ),
        "settings.thresholds": ("Пороги показателей качества", "Quality thresholds"),
        "settings.thresholds.note": (
            "Это настройки всей установки, одинаковые для всех магазинов; меняются в файле "
            "настроек или переменных окружения (docs/settings.md, таблица quality).",
            "These are install-wide settings, the same for every shop; they are changed in the "
            "settings file or environment (docs/settings.md, the quality table).",
        ),
        "settings.thresholds.indicator": ("Показатель", "Indicator"),
        "settings.thresholds.window": ("Окно, дней", "Window, days"),
        "settings.thresholds.critical": ("Критическая отметка", "Critical mark"),
        "settings.thresholds.good": ("Хороший уровень", "Good level"),
        "settings.thresholds.rating": ("Рейтинг", "Rating"),
        "settings.thresholds.cancellations": (
            "Отмены по вине продавца",
            "Cancellations by the seller's fault",
        ),
        "settings.thresholds.late": ("Опоздания с передачей", "Late handovers"),
        "settings.thresholds.returns": ("Возвраты по качеству", "Quality returns"),
        "settings.thresholds.below": ("ниже {value}", "below {value}"),
        "settings.thresholds.from": ("от {value}", "from {value}"),
        "settings.thresholds.at_least": ("не ниже {value}", "at least {value}"),
        "settings.thresholds.at_most": ("не выше {value}", "at most {value}"),
        "settings.thresholds.minimum": (
            "Показатели считаются, когда за последние {days} дн. не меньше {orders} заказов "
            "или нарушений уже не меньше {violations}; рейтинг — когда в окне не меньше "
            "{ratings} оценок.",
            "Indicators count with at least {orders} orders in the last {days} days, or once "
            "there have been {violations} violations; the rating once its window holds "
            "{ratings} ratings.",
        ),
        "settings.members": ("Участники", "Members"),
        "settings.members.user": ("Пользователь", "User"),
        "settings.members.role": ("Роль", "Role"),
        "settings.members.change": ("Изменить", "Change"),
        "settings.members.remove": ("Удалить", "Remove"),
        "settings.members.add": (
            "Добавить существующего пользователя",
            "Add an existing user",
        ),
        "settings.members.username": ("Имя пользователя", "Username"),
        "settings.members.add_submit": ("Добавить", "Add"),
        "settings.members.owner_only": (
            "Участниками управляет владелец магазина.",
            "The shop's owner manages its members.",
        ),
        "settings.members.roles": (
            "Наблюдатель читает; менеджер также меняет себестоимость и комиссии, импортирует "
            "файлы и запускает синхронизацию; владелец также управляет токеном, настройками и "
            "участниками.",
            "A viewer reads; a manager also edits costs and commissions, imports files and "
            "starts syncs; an owner also manages the token, the settings and the members.",
        ),
        "settings.error.last_owner": (
            "У магазина должен остаться владелец: сначала сделайте владельцем другого участника.",
            "A shop needs an owner: make another member owner first.",
        ),
        "settings.error.no_user": (
            "Пользователя «{name}» нет. Его создаёт администратор: saudager user add.",
            "There is no user “{name}”. An administrator creates one: saudager user add.",
        ),
        "settings.error.not_member": ("Этот пользователь не участник.", "No such member."),
        "settings.error.role": ("Неизвестная роль.", "Unknown role."),
        "settings.commissions": ("Ставки комиссии Kaspi", "Kaspi commission rates"),
        "settings.commissions.note": (
            "Ваши ставки важнее встроенной таблицы: для категории и способа оплаты действует "
            "ставка с последней даты начала.",
            "Your rates win over the shipped table: for a category and payment mode the rate "
            "with the latest start day applies.",
        ),
        "settings.commissions.none": (
            "Своих ставок нет: действует встроенная таблица.",
            "No rates of your own: the shipped table applies.",
        ),
        "settings.commissions.category": ("Категория", "Category"),
        "settings.commissions.category_hint": (
            "Название категории Kaspi или * для всех остальных",
            "Kaspi category title, or * for all others",
        ),
        "settings.commissions.mode": ("Способ оплаты", "Payment mode"),
        "settings.commissions.mode.*": ("любой", "any"),
        "settings.commissions.mode.PREPAID": ("предоплата", "prepaid"),
        "settings.commissions.mode.PAY_WITH_CREDIT": ("кредит / рассрочка", "credit"),
        "settings.commissions.from": ("Действует с", "Effective from"),
        "settings.commissions.rate": ("Ставка, %", "Rate, %"),
        "settings.commissions.source": ("Источник", "Source"),
        "settings.commissions.source_default": ("указано продавцом", "set by the seller"),
        "settings.all_shops": ("← Все магазины", "← All shops"),
        "settings.commissions.add": ("Добавить ставку", "Add a rate"),
        "settings.commissions.manager_only": (
            "Ставки меняет менеджер или владелец.",
            "A manager or owner changes the rates.",
        ),
        "settings.commissions.costs": (
            "Себестоимость товаров задаётся на странице «Товары» или импортом файла товаров.",
            "Purchase costs are set on the Products page or by importing a products file.",
        ),
        "settings.error.commission": (
            "Ставка не сохранена: {error}",
            "The rate is not saved: {error}",
        ),
    }
)

#: Notices a settings page may show after a change (``?saved=KEY``).
_SAVED = frozenset(
    {"created", "token", "token_removed", "timezone", "member", "member_removed", "commission"}
)
#: Zones offered while typing (any IANA name is accepted).
_SUGGESTED_ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Oral", "Asia/Qostanay",
                    "Asia/Qyzylorda", "Asia/Atyrau", "Asia/Tashkent", "Asia/Bishkek",
                    "Europe/Moscow", "UTC")  # fmt: skip


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def add_routes(app: FastAPI, web: Web) -> None:
    guard, services = web.guard, web.services
    accounts = services.accounts

    # ------------------------------------------------------------------------------ shops

    def shops_page(
        request: Request,
        viewer: Viewer,
        *,
        error: str | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        roles = {shop.id: role for shop, role in accounts.shops_of(viewer.user.id)}
        rows = services.shops.overview(only=set(roles))
        return web.page(
            request, viewer, "shops.html", rows=[(row, roles[row.shop.id]) for row in rows],
            error=error, values=values or {"timezone": services.settings.default_timezone},
            zones=_SUGGESTED_ZONES, status_code=status_code,
        )  # fmt: skip

    @app.get("/shops", response_class=HTMLResponse, include_in_schema=False)
    def shops(request: Request) -> Response:
        return shops_page(request, guard.page_viewer(request))

    @app.post("/shops", response_class=HTMLResponse, include_in_schema=False)
    async def add_shop(request: Request) -> Response:
        viewer = guard.page_viewer(request)
        form = await guard.form(request, viewer)
        name, token, zone = _text(form, "name"), _text(form, "token"), _text(form, "timezone")
        language = viewer.language
        values = {"name": name, "timezone": zone}
        error: str | None = None
        if not name:
            error = translate(language, "shops.error.name_required")
        else:
            try:
                shop = services.add_shop(name, token or None, None, zone or None,
                                         owner_id=viewer.user.id)  # fmt: skip
            except ValueError:
                error = translate(language, "shops.error.timezone", zone=zone)
            except SaudagerError:
                error = translate(language, "shops.error.name_taken", name=name)
            else:
                return RedirectResponse(f"/shops/{shop.id}/settings?saved=created", status_code=303)
        return shops_page(request, viewer, error=error, values=values, status_code=422)

    # --------------------------------------------------------------------------- settings

    def settings_page(
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        *,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        saved = request.query_params.get("saved")
        job = services.jobs.active(shop.id, JobKind.SYNC)
        finished = None
        wanted = request.query_params.get("job")
        if job is None and wanted:
            try:
                finished = services.jobs.get(shop.id, wanted)
            except NotFoundError:
                finished = None
            if finished is not None and finished.kind != JobKind.SYNC:
                finished = None
        [row] = services.shops.overview(only={shop.id})
        return web.page(
            request, viewer, "settings.html", shop=shop, role=role, status_code=status_code,
            row=row, runs=services.shops.sync_runs(shop.id, 20),
            sync_job=job, finished_job=finished, job_unknown=bool(wanted) and job is None
            and finished is None,
            job_message=lambda j: job_message(j, viewer.language),
            saved=saved if saved in _SAVED else None, errors=errors or {},
            quality=services.settings.quality,
            members=accounts.members(shop.id) if role == Role.OWNER else [],
            roles=[r.value for r in Role],
            commissions=services.analytics.commission_rates(shop),
            payment_modes=COMMISSION_PAYMENT_MODES, zones=_SUGGESTED_ZONES,
            can_manage=role.allows(Role.MANAGER), is_owner=role == Role.OWNER,
        )  # fmt: skip

    def back(shop: Shop, saved: str, anchor: str) -> RedirectResponse:
        return RedirectResponse(
            f"/shops/{shop.id}/settings?saved={saved}#{anchor}", status_code=303
        )

    @app.get("/shops/{shop_id}/settings", response_class=HTMLResponse, include_in_schema=False)
    def settings(request: Request, shop_id: int) -> Response:
        viewer = guard.page_viewer(request)
        shop, role = guard.page_shop(viewer, shop_id)
        return settings_page(request, viewer, shop, role)

    @app.post("/shops/{shop_id}/sync", response_class=HTMLResponse, include_in_schema=False)
    async def sync_now(request: Request, shop_id: int) -> Response:
        viewer, shop, role, _ = await guard.page_post(request, shop_id, Role.MANAGER)
        try:
            job, _ = start_sync(services, shop, viewer.user.id)
        except ConfigurationError:
            errors = {"sync": translate(viewer.language, "settings.sync.no_token")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=409)
        return RedirectResponse(f"/shops/{shop.id}/settings?job={job.id}#sync", status_code=303)

    @app.post(
        "/shops/{shop_id}/settings/token", response_class=HTMLResponse, include_in_schema=False
    )
    async def set_token(request: Request, shop_id: int) -> Response:
        viewer, shop, role, form = await guard.page_post(request, shop_id, Role.OWNER)
        if _text(form, "action") == "remove":
            services.remove_token(shop)
            return back(shop, "token_removed", "token")
        token = _text(form, "token")
        if not token:
            errors = {"token": translate(viewer.language, "settings.error.token_empty")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=422)
        services.set_token(shop, token)
        return back(shop, "token", "token")

    @app.post(
        "/shops/{shop_id}/settings/timezone", response_class=HTMLResponse,
        include_in_schema=False,
    )  # fmt: skip
    async def set_timezone(request: Request, shop_id: int) -> Response:
        viewer, shop, role, form = await guard.page_post(request, shop_id, Role.OWNER)
        zone = _text(form, "timezone")
        try:
            shop = services.shops.set_timezone(shop.id, zone)
        except ValueError:
            errors = {"timezone": translate(viewer.language, "shops.error.timezone", zone=zone)}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=422)
        return back(shop, "timezone", "token")

    @app.post(
        "/shops/{shop_id}/settings/members", response_class=HTMLResponse,
        include_in_schema=False,
    )  # fmt: skip
    async def members(request: Request, shop_id: int) -> Response:
        """Add a user by ``username`` with ``role``; or, for the member ``user_id``, change the
        role (``role``) or remove them (``action=remove``)."""
        viewer, shop, role, form = await guard.page_post(request, shop_id, Role.OWNER)
        member = _text(form, "user_id")
        if not member:
            username = _text(form, "username")
            try:
                user = accounts.user_by_name(username)
            except (NotFoundError, AccountInputError):
                errors = {"members": translate(viewer.language, "settings.error.no_user",
                                               name=username)}  # fmt: skip
                return settings_page(request, viewer, shop, role, errors=errors, status_code=422)
            return change_member(request, viewer, shop, role, user.id, _text(form, "role"))
        user_id = int(member) if member.isdigit() else 0
        if accounts.role(user_id, shop.id) is None:
            errors = {"members": translate(viewer.language, "settings.error.not_member")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=404)
        if _text(form, "action") != "remove":
            return change_member(request, viewer, shop, role, user_id, _text(form, "role"))
        try:
            accounts.remove_member(shop.id, user_id)
        except LastOwner:
            errors = {"members": translate(viewer.language, "settings.error.last_owner")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=409)
        if user_id == viewer.user.id:
            return RedirectResponse("/shops", status_code=303)
        return back(shop, "member_removed", "members")

    def change_member(
        request: Request, viewer: Viewer, shop: Shop, role: Role, user_id: int, new_role: str
    ) -> Response:
        try:
            wanted = Role(new_role)
        except ValueError:
            errors = {"members": translate(viewer.language, "settings.error.role")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=422)
        try:
            accounts.set_member_role(shop.id, user_id, wanted)
        except LastOwner:
            errors = {"members": translate(viewer.language, "settings.error.last_owner")}
            return settings_page(request, viewer, shop, role, errors=errors, status_code=409)
        if user_id == viewer.user.id and wanted != Role.OWNER:
            # No longer an owner: the settings page now shows what the new role may do.
            return RedirectResponse(f"/shops/{shop.id}/settings", status_code=303)
        return back(shop, "member", "members")

    @app.post(
        "/shops/{shop_id}/settings/commissions", response_class=HTMLResponse,
        include_in_schema=False,
    )  # fmt: skip
    async def add_commission(request: Request, shop_id: int) -> Response:
        viewer, shop, role, form = await guard.page_post(request, shop_id, Role.MANAGER)
        try:
            day = date.fromisoformat(_text(form, "effective_from") or "2000-01-01")
            rate = commission_rate(
                _text(form, "category"), _text(form, "percent"), _text(form, "payment_mode"),
                day,
                _text(form, "source")
                or translate(viewer.language, "settings.commissions.source_default"),
            )  # fmt: skip
        except (ValueError, SaudagerError) as exc:
            errors = {"commissions": translate(viewer.language, "settings.error.commission",
                                               error=str(exc))}  # fmt: skip
            return settings_page(request, viewer, shop, role, errors=errors, status_code=422)
        services.analytics.set_commission_rate(shop, rate)
        return back(shop, "commission", "commissions")
