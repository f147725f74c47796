"""Each shop's messaging setup on SQLite and PostgreSQL: its send window (checked, with the
install's as default), its language, its own wordings (checked when saved, nothing stored on a
problem), previews with a real order, the kill switch — and the planner and the dispatcher's
gate using them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.core.errors import NotFoundError
from saudager.domains.messaging.caps import CapRules
from saudager.domains.messaging.planning import PlanningService
from saudager.domains.messaging.provider import SendAccepted, TemplateMessage, TextMessage
from saudager.domains.messaging.records import MessageKey, OutboxState
from saudager.domains.messaging.service import Gate, OutboxService
from saudager.domains.messaging.setup import (
    InstallDefaults,
    MessagingSetupService,
    SetupError,
    window_problems,
)
from saudager.domains.messaging.templates import Language, MessageKind, TemplateError
from saudager.domains.orders.types import Order, OrderLine
from saudager.domains.shops.types import Shop

NOW = datetime(2026, 11, 24, 7, tzinfo=UTC)  # 12:00 in Almaty
NUMBER = "106540352242922"
DEFAULTS = InstallDefaults(time(10), time(21))
OWN_RU = "Здравствуйте! Магазин {shop}: заказ № {order_code} принят, {first_name}."


def an_order(code: str, created: datetime, status: str = "APPROVED_BY_BANK") -> Order:
    return Order(
        code=code, created_at=created, state="NEW", status=status,
        total_price=Decimal("5000"), customer_name="Ерлан Серіков",
        customer_phone="+77011110001",
        completed_at=created + timedelta(days=1) if status == "COMPLETED" else None,
        lines=(OrderLine(line_no=1, sku="MUG-1", quantity=1, unit_price=Decimal("5000"),
                         total_price=Decimal("5000"), product_name="Кружка",
                         kaspi_product_code="104561239"),),
    )  # fmt: skip


class World:
    def __init__(self, engine: Engine) -> None:
        self.store = SqlStore(engine)
        self.now = NOW
        with self.store.transaction() as tx:
            self.shop: Shop = tx.add_shop("Кружки", "Asia/Almaty", None, None)
            self.other: Shop = tx.add_shop("Чашки", "Asia/Almaty", None, None)
        self.setups = MessagingSetupService(self.store, DEFAULTS, lambda: self.now)

    def orders(self, *orders: Order) -> None:
        with self.store.transaction() as tx:
            tx.upsert_orders(self.shop.id, list(orders))


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (time(10), time(21), None),
        (time(20), time(2), None),  # across midnight
        (time(23, 30), time(0, 30), None),  # exactly an hour, across midnight
        (time(9), time(10), None),  # exactly an hour
        (time(9), time(9, 59), "59 minutes"),
        (time(23, 30), time(0, 29), "59 minutes"),
        (time(10), time(10), "must differ"),
        (time(10, 0, 30), time(21), "whole minutes"),
    ],
)
def test_window_problems(start: time, end: time, problem: str | None) -> None:
    found = window_problems(start, end)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_a_shop_without_a_setup_has_the_install_defaults(world: World) -> None:
    setup = world.setups.setup(world.shop)
    assert (setup.window_start, setup.window_end) == (time(10), time(21))
    assert setup.window_is_default and setup.language is Language.RU and not setup.paused


def test_the_window_is_the_shops_own_and_a_bad_one_changes_nothing(world: World) -> None:
    world.setups.set_window(world.shop, time(20), time(2))
    with pytest.raises(SetupError, match="must differ"):
        world.setups.set_window(world.shop, time(9), time(9))
    setup = world.setups.setup(world.shop)
    assert (setup.window_start, setup.window_end, setup.window_is_default) == (
        time(20), time(2), False,
    )  # fmt: skip
    assert world.setups.setup(world.other).window_is_default  # the neighbour keeps its own
    assert world.setups.use_default_window(world.shop).window_is_default
    world.setups.set_language(world.shop, Language.KK)
    assert world.setups.setup(world.shop).language is Language.KK
    assert world.setups.setup(world.shop).window_start == time(10)


def test_own_wordings_are_checked_and_a_refused_one_stores_nothing(world: World) -> None:
    saved = world.setups.save_template(world.shop, MessageKind.ORDER_RECEIVED, Language.RU, OWN_RU)
    assert saved.own and saved.updated_at == NOW
    with pytest.raises(TemplateError) as refused:
        world.setups.save_template(
            world.shop, MessageKind.ORDER_RECEIVED, Language.RU,
            "Магазин {shop}: заказ № {order_code}, {name}! Скидка 10 % за отзыв.",
        )  # fmt: skip
    problems = refused.value.problems
    assert any("unknown placeholder {name}" in p for p in problems)
    assert any("'скидк'" in p for p in problems)
    entries = {(e.kind, e.language): e for e in world.setups.templates(world.shop)}
    assert len(entries) == len(MessageKind) * len(Language)
    kept = entries[MessageKind.ORDER_RECEIVED, Language.RU]
    assert kept.own and kept.body == OWN_RU  # the earlier wording stays
    assert not entries[MessageKind.ORDER_RECEIVED, Language.KK].own
    assert entries[MessageKind.REVIEW_REQUEST, Language.EN].provider_template == (
        "order_delivered_review_v1"
    )
    assert not any(e.own for e in world.setups.templates(world.other))  # its own shop only
    assert world.setups.reset_template(world.shop, MessageKind.ORDER_RECEIVED, Language.RU)
    assert not world.setups.reset_template(world.shop, MessageKind.ORDER_RECEIVED, Language.RU)
    assert not any(e.own for e in world.setups.templates(world.shop))


def test_a_preview_fills_a_real_order_as_the_planner_would(world: World) -> None:
    with pytest.raises(NotFoundError, match="no orders yet"):
        world.setups.preview(world.shop, MessageKind.ORDER_RECEIVED, Language.RU)
    world.orders(an_order("700", NOW - timedelta(days=3)), an_order("701", NOW - timedelta(days=1)))
    latest = world.setups.preview(world.shop, MessageKind.ORDER_RECEIVED, Language.RU)
    assert latest.order_code == "701"
    assert latest.text.startswith("Здравствуйте, Ерлан! Магазин Кружки получил ваш заказ № 701")
    assert latest.provider_template == "order_received_v1"
    assert latest.body_parameters == ("Ерлан", "Кружки", "701", "Кружка")
    typed = world.setups.preview(
        world.shop, MessageKind.ORDER_RECEIVED, Language.RU, body=OWN_RU, order_code="700"
    )
    assert typed.text == "Здравствуйте! Магазин Кружки: заказ № 700 принят, Ерлан."
    assert typed.approved_body == "Здравствуйте! Магазин {{1}}: заказ № {{2}} принят, {{3}}."
    review = world.setups.preview(world.shop, MessageKind.REVIEW_REQUEST, Language.EN)
    assert review.button_url_parameter == "orderCode=701&productCode=104561239"
    assert review.text.endswith(
        "https://kaspi.kz/shop/review/productreview?orderCode=701&productCode=104561239"
    )
    with pytest.raises(TemplateError, match="missing required placeholder"):
        world.setups.preview(
            world.shop, MessageKind.ORDER_RECEIVED, Language.RU, body="Привет, {shop}"
        )
    with pytest.raises(NotFoundError, match="'999'"):
        world.setups.preview(world.shop, MessageKind.ORDER_RECEIVED, Language.RU, order_code="999")


def test_the_planner_writes_in_the_shops_language_and_own_words(world: World) -> None:
    world.orders(an_order("800", NOW - timedelta(hours=2)))
    world.setups.set_language(world.shop, Language.KK)
    own_kk = "Сәлем, {first_name}! {shop}: № {order_code} тапсырыс қабылданды."
    world.setups.save_template(world.shop, MessageKind.ORDER_RECEIVED, Language.KK, own_kk)
    planning = PlanningService(
        world.store,
        lambda shop: world.setups.shop_messaging(shop, number=NUMBER, holdout_share=Decimal(0)),
        lambda: world.now,
    )
    (added,) = planning.plan_shop(world.shop)
    # The shop's own wording goes out as its own approved template, never under a ready name.
    assert (added.template, added.language) == (f"shop{world.shop.id}_order_received", "kk")
    assert added.body_parameters == ("Ерлан", "Кружки", "800")
    assert added.purpose == "order_received"


def test_an_own_wording_is_approved_under_its_own_name(world: World) -> None:
    kind, language = MessageKind.REVIEW_REQUEST, Language.RU
    body = "Заказ № {order_code} от {shop} доставлен. Оцените товар: {review_link}"
    for bad, problem in (
        ("Review Request", "lower-case Latin letters"),
        ("order_delivered_review_v1", "is a ready template's"),
    ):
        with pytest.raises(TemplateError, match=problem):
            world.setups.save_template(world.shop, kind, language, body, bad)
    saved = world.setups.save_template(world.shop, kind, language, body, "kruzhki_review_v2")
    assert saved.provider_template == "kruzhki_review_v2"
    entries = {(e.kind, e.language): e for e in world.setups.templates(world.shop)}
    assert entries[kind, language].provider_template == "kruzhki_review_v2"
    assert entries[kind, Language.KK].provider_template == "order_delivered_review_v1"
    world.orders(an_order("810", NOW))
    preview = world.setups.preview(world.shop, kind, language)
    assert preview.provider_template == "kruzhki_review_v2"
    assert preview.approved_body == "Заказ № {{1}} от {{2}} доставлен. Оцените товар:"


class Recording:
    def __init__(self) -> None:
        self.sent: list[datetime] = []
        self.now = NOW

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        self.sent.append(self.now)
        return SendAccepted(f"wamid.{len(self.sent)}")

    def send_text(self, message: TextMessage) -> SendAccepted:
        raise AssertionError("templates only")


def test_the_gate_keeps_each_shops_own_window_and_kill_switch(world: World) -> None:
    """Shop 1 writes 07:00–09:00 (02:00–04:00 UTC), its neighbour keeps 10:00–21:00."""
    world.setups.set_window(world.shop, time(7), time(9))
    world.orders(an_order("900", NOW - timedelta(days=1)))
    with world.store.transaction() as tx:
        tx.upsert_orders(world.other.id, [an_order("901", NOW - timedelta(days=1))])
    provider = Recording()
    outbox = OutboxService(
        world.store, lambda: provider.now, gate=Gate(world.store, DEFAULTS, CapRules())
    )
    planning = PlanningService(
        world.store,
        lambda shop: world.setups.shop_messaging(shop, number=NUMBER, holdout_share=Decimal(0)),
        lambda: datetime(2026, 11, 24, 1, tzinfo=UTC),  # 06:00 local: both closed
    )
    for shop in (world.shop, world.other):
        planning.plan_shop(shop)

    def state(shop: Shop, code: str) -> OutboxState:
        with world.store.reading() as tx:
            found = tx.outbox_message_by_key(MessageKey(shop.id, code, "message_1"))
        assert found is not None
        return found.state

    for hour, expected in ((1, []), (2, ["900"]), (4, ["900"]), (5, ["900", "901"])):
        provider.now = datetime(2026, 11, 24, hour, tzinfo=UTC)  # 06:00, 07:00, 09:00, 10:00
        outbox.dispatch(lambda number: provider)
        sent = [c for s, c in ((world.shop, "900"), (world.other, "901"))
                if state(s, c) is OutboxState.SENT]  # fmt: skip
        assert sent == expected, hour
    world.setups.pause(world.other, "holiday")
    with world.store.transaction() as tx:
        tx.upsert_orders(world.other.id, [an_order("902", NOW)])
    planning.plan_shop(world.other)
    provider.now = datetime(2026, 11, 24, 7, tzinfo=UTC)
    outbox.dispatch(lambda number: provider)
    assert state(world.other, "902") is OutboxState.CANCELLED
    assert world.setups.setup(world.other).pause_reason == "holiday"
    assert world.setups.resume(world.other) and not world.setups.resume(world.other)
