"""Buyer messaging end to end, from the Kaspi simulator to the buyer's phone and back.

Each test starts Kaspi simulators over loopback HTTP, adds their shops (two shops write from the
same business number where the rule is about the number) and syncs them through the real Kaspi
client as ``saudager sync`` does. Then the planner queues the messages, the dispatcher sends them
through the real Cloud API client to the fake Cloud API, and the fake posts its signed status
webhooks (and the buyers' replies) to the app served by uvicorn.

Time is explicit everywhere it decides something: the simulators' now, the sync's now, the
planner's clock, the dispatcher's clock and the fake's clock (webhook timestamps, inbound
messages) all read one hand-set instant. Shops are in Asia/Almaty (UTC+5, no daylight saving), so
10:00 local is 05:00 UTC. Every assertion is an exact count or state, per phone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from saudager.adapters.db import tables
from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig, running_simulator
from saudager.adapters.whatsapp.fake import (
    AcceptedMessage,
    FakeCloudConfig,
    RunningFakeCloudApi,
    escaped_json,
    running_fake_cloud_api,
)
from saudager.domains.messaging.inbox import OPTED_OUT
from saudager.domains.messaging.planner import ShopMessaging
from saudager.domains.messaging.planning import PlanningService
from saudager.domains.messaging.provider import STATUS_RANK, DeliveryStatus
from saudager.domains.messaging.records import NewMessage, OutboxMessage, OutboxState
from saudager.domains.orders.types import CancelledBy, Order, Return
from saudager.domains.shops.types import Shop
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.settings import Settings, load_settings
from saudager.web.app import create_app
from saudager.wiring import Services, build_services
from served import serving

FAKE = FakeCloudConfig()
NUMBER = FAKE.phone_number_id
RECEIVED = "order_received_v1"
CANCELLED = "order_cancelled_v1"
FOLLOW_UP = "order_complaint_follow_up_v1"
REVIEW = "order_delivered_review_v1"
LATE = "order_late_apology_v1"
RETURNED = "order_returned_v1"
#: How long an order's news stays news: message 1 after it began, message 2 after it ended.
FRESH_FOR = timedelta(days=3)


def almaty(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock time in Almaty (UTC+5) in November 2026, as a UTC instant."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=5)


#: When the night tests' orders are synced and planned: 23:30 in Almaty.
NIGHT = almaty(24, 23, 30)


class Clock:
    """One hand-set instant shared by the planner, the dispatcher and the fake Cloud API."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sim_config(
    seed: int,
    *,
    orders_per_day: float = 5.0,
    start: datetime | None = None,
    history_days: int = 2,
    **knobs: Any,
) -> SimConfig:
    """A small shop whose orders begin ``history_days`` before ``start`` (default: the night
    tests' sync) and go on for ten days after it, so that moving the simulator's clock forward
    brings orders along. Two days: every order is still news (the planner writes about orders
    of the last three days only) when the tests plan, at most half a day after ``start``."""
    start = start or NIGHT
    return SimConfig(
        seed=seed, start=start - timedelta(days=history_days), end=start + timedelta(days=10),
        orders_per_day=orders_per_day, sku_count=8, **knobs,
    )  # fmt: skip


@dataclass
class Rig:
    """Simulators, their shops in one database, the app serving the webhook, and the fake."""

    services: Services
    sending: Settings  # the settings with the fake's URL, as a worker would have them
    api: RunningFakeCloudApi
    app_url: str
    clock: Clock
    sims: list[RunningSimulator]
    shops: list[Shop] = field(default_factory=list)

    def sync(self, shop: Shop, at: datetime) -> None:
        """``saudager sync`` for the shop at ``at``, the simulator's clock moved there first
        through its admin API."""
        sim = self.sims[self.shops.index(shop)]
        moved = httpx.post(f"{sim.admin_url}/clock", json={"now_ms": int(at.timestamp() * 1000)})
        assert moved.status_code == 200, moved.text
        with self.services.kaspi_client(shop) as client:
            self.services.sync.sync(shop, client, at)

    def plan(self, shop: Shop, at: datetime) -> list[NewMessage]:
        """The planner built as ``Services.planning`` builds it, with its clock at ``at``."""
        m = self.services.settings.messaging

        def settings_for(s: Shop) -> ShopMessaging:
            return ShopMessaging(
                shop_id=s.id, shop_name=s.name, number=m.phone_number_id or NUMBER,
                holdout_share=m.holdout_share,
            )  # fmt: skip

        return PlanningService(self.services.store, settings_for, lambda: at).plan_shop(shop)

    def dispatch(self, at: datetime) -> dict[str, Any]:
        """One dispatcher pass at ``at``; returns once every status webhook was answered."""
        self.clock.now = at
        result = dispatch_messages_now(self.sending, clock=self.clock)
        self.settle()
        return result

    def settle(self) -> None:
        assert self.api.fake.wait_for_webhooks(timeout=20)
        assert all(hook.delivered for hook in self.api.fake.webhooks())

    def outbox(self, shop: Shop | None = None) -> list[OutboxMessage]:
        with self.services.store.transaction() as tx:
            return tx.outbox_messages(None if shop is None else shop.id)

    def orders(self, shop: Shop) -> list[Order]:
        with self.services.store.transaction() as tx:
            return tx.list_orders(shop.id)

    def calls_for(self, shop: Shop, at: datetime) -> dict[tuple[str, str], str]:
        """What the shop's synced orders call for at ``at``: see :func:`calls_for`."""
        with self.services.store.transaction() as tx:
            return calls_for(tx.list_orders(shop.id), tx.list_returns(shop.id), at)

    def received(self, phone: str | None = None) -> list[AcceptedMessage]:
        fake = self.api.fake
        return fake.accepted() if phone is None else fake.accepted_to(phone)

    def row_counts(self) -> dict[str, int]:
        with self.services.engine.connect() as conn:
            return {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in tables.metadata.sorted_tables
            }


@contextmanager
def rig(
    tmp_path: Path,
    configs: Sequence[SimConfig],
    *,
    fake: FakeCloudConfig = FAKE,
    **messaging: Any,
) -> Iterator[Rig]:
    """One shop per simulator config, all on the fake's business number, synced at
    :data:`NIGHT`. ``messaging``: settings of the ``messaging`` section (window, caps). No
    holdout: whether a buyer gets a review request must not depend on a hash of their phone."""
    section = {
        "provider": "cloud", "phone_number_id": fake.phone_number_id,
        "access_token": fake.access_token, "app_secret": fake.app_secret,
        "verify_token": "verify-me", "holdout_share": "0", **messaging,
    }  # fmt: skip
    settings = load_settings(None, home=tmp_path, jobs_backend="memory", messaging=section)
    services = build_services(settings)
    clock = Clock(NIGHT)
    try:
        with ExitStack() as stack:
            sims = [
                stack.enter_context(running_simulator(config, f"token-{n}", now=NIGHT))
                for n, config in enumerate(configs)
            ]
            app_url = stack.enter_context(serving(create_app(services)))
            config = replace(fake, webhook_url=f"{app_url}/webhooks/whatsapp")
            api = stack.enter_context(running_fake_cloud_api(config, clock=clock))
            sending = settings.model_copy(
                update={"messaging": settings.messaging.model_copy(
                    update={"cloud_api_url": api.base_url})}
            )  # fmt: skip
            built = Rig(services, sending, api, app_url, clock, sims)
            for n, sim in enumerate(sims):
                shop = services.add_shop(
                    f"Магазин {n + 1}", f"token-{n}", sim.base_url, None,
                    requests_per_second=1000.0,
                )  # fmt: skip
                built.shops.append(shop)
                built.sync(shop, NIGHT)
            yield built
    finally:
        services.close()


RETURN_STATUSES = {"RETURNED", "KASPI_DELIVERY_RETURN_REQUESTED", "RETURN_ACCEPTED_BY_MERCHANT"}
CANCEL_STATUSES = {"CANCELLED", "CANCELLING"}
OVER = {"COMPLETED", *CANCEL_STATUSES, *RETURN_STATUSES}


def still_open(orders: Sequence[Order]) -> set[str]:
    """Codes of the synced orders that call for message 1: on their way, with a phone."""
    return {o.code for o in orders if o.customer_phone and o.status not in OVER}


def message_2s(orders: Sequence[Order], returns: Sequence[Return], at: datetime) -> dict[str, str]:
    """Order code → template of the synced orders that call for message 2 at ``at``, read off
    the orders by the rules of docs/messaging.md §1 (no complaints here, no holdout): the order
    is over, has a phone (Kaspi masks it once the order is archived; the one seen while it was
    active is kept) and ended at most three days before ``at``; service first."""
    found: dict[str, str] = {}
    for o in orders:
        its_returns = [item.created_at for item in returns if item.order_code == o.code]
        ends = [t for t in (o.completed_at, o.cancelled_at, *its_returns) if t is not None]
        if not o.customer_phone or max(ends, default=o.created_at) < at - FRESH_FOR:
            continue
        if o.status in RETURN_STATUSES or its_returns:
            found[o.code] = RETURNED
        elif o.status in CANCEL_STATUSES:
            if o.cancelled_by != CancelledBy.BUYER:  # the buyer who cancelled knows
                found[o.code] = CANCELLED
        elif o.status == "COMPLETED":
            late = (
                o.is_kaspi_delivery and o.handed_over_at is not None
                and o.handover_deadline is not None and o.handed_over_at > o.handover_deadline
            )  # fmt: skip
            found[o.code] = LATE if late else REVIEW
    return found


def calls_for(
    orders: Sequence[Order], returns: Sequence[Return], at: datetime
) -> dict[tuple[str, str], str]:
    """(order code, slot) → template of every message the synced orders call for at ``at``:
    message 1 for the orders on their way begun at most three days before, message 2 as
    :func:`message_2s` says."""
    fresh = {o.code for o in orders if o.created_at >= at - FRESH_FOR}
    first = {(code, "message_1"): RECEIVED for code in still_open(orders) & fresh}
    second = {(code, "message_2"): t for code, t in message_2s(orders, returns, at).items()}
    return first | second


def planned_as(
    messages: Sequence[NewMessage] | Sequence[OutboxMessage],
) -> dict[tuple[str, str], str]:
    """(order code, slot) → template of planned or queued messages, each key once."""
    found = {(m.key.order_code, m.key.kind): m.template for m in messages}
    assert len(found) == len(messages), "a message planned twice"
    return found


def states(messages: Sequence[OutboxMessage]) -> Counter[OutboxState]:
    return Counter(m.state for m in messages)


def by_phone(messages: Sequence[AcceptedMessage]) -> Counter[str]:
    return Counter("+" + "".join(ch for ch in m.to if ch.isdigit()) for m in messages)


# ---- 1. the send window, in the shop's own time ------------------------------------------------


def test_messages_due_at_night_wait_for_ten_in_the_morning(tmp_path: Path) -> None:
    with rig(tmp_path, [sim_config(seed=101)]) as r:
        (shop,) = r.shops
        assert shop.timezone == "Asia/Almaty"
        planned = r.plan(shop, NIGHT)
        phones = {m.to for m in planned}
        # Every active order with a phone gets message 1, one buyer each (no repeat buyers here);
        # no order is over yet with a phone seen while it was active: no message 2.
        assert {m.key.order_code for m in planned} == still_open(r.orders(shop))
        assert planned_as(planned) == r.calls_for(shop, NIGHT)
        assert len(planned) == len(phones) == 10
        assert {m.template for m in planned} == {RECEIVED}

        # 23:30, 00:30, 09:59:59: the window (10:00–21:00) is shut; nothing leaves.
        first = r.dispatch(NIGHT)
        assert (first["claimed"], first["postponed"], first["sent"]) == (10, 10, 0)
        morning = almaty(25, 10)
        for held in r.outbox(shop):
            assert (held.state, held.attempts, held.next_attempt_at) == (
                OutboxState.QUEUED, 0, morning,
            )  # fmt: skip
        for at in (almaty(25, 0, 30), almaty(25, 9, 59, 59)):
            assert r.dispatch(at)["claimed"] == 0  # not due again before 10:00
        assert r.received() == []

        # 10:00:00 exactly: all go, one to each buyer, through the fake.
        opened = r.dispatch(morning)
        assert (opened["claimed"], opened["sent"], opened["postponed"]) == (10, 10, 0)
        assert states(r.outbox(shop)) == {OutboxState.SENT: 10}
        assert by_phone(r.received()) == Counter({phone: 1 for phone in phones})
        assert {m.at for m in r.received()} == {morning}
        # Every status webhook landed: each message is delivered, most are read.
        assert Counter(m.delivery_status for m in r.outbox(shop)) == Counter(
            {DeliveryStatus.READ: 8, DeliveryStatus.DELIVERED: 2}
        )


def test_a_window_across_midnight_is_open_at_one_and_shut_at_two(tmp_path: Path) -> None:
    # 20:00–02:00: two shops on one number; the first's orders are planned at 00:30 local,
    # the second's at 01:30, so a pass at 01:00 has only the first's messages due.
    configs = [sim_config(seed=201), sim_config(seed=202)]
    with rig(tmp_path, configs, window_start="20:00", window_end="02:00") as r:
        early, late = r.shops
        r.sync(early, almaty(25, 0, 30))
        r.sync(late, almaty(25, 1, 30))
        early_planned = r.plan(early, almaty(25, 0, 30))
        late_planned = r.plan(late, almaty(25, 1, 30))
        assert planned_as(early_planned) == r.calls_for(early, almaty(25, 0, 30))
        assert planned_as(late_planned) == r.calls_for(late, almaty(25, 1, 30))
        # The first shop: 13 message 1s and a review request for an order completed (and
        # archived, its phone masked) between the night's sync and 00:30. The second: 12
        # message 1s; its orders that are over ended before the night's sync, phone masked.
        assert Counter(m.template for m in early_planned) == {RECEIVED: 13, REVIEW: 1}
        assert Counter(m.template for m in late_planned) == {RECEIVED: 12}

        one = r.dispatch(almaty(25, 1))  # 01:00: open, past midnight
        assert (one["claimed"], one["sent"]) == (14, 14)
        assert states(r.outbox(early)) == {OutboxState.SENT: 14}

        two = r.dispatch(almaty(25, 2))  # 02:00:00: the end is exclusive
        assert (two["claimed"], two["sent"], two["postponed"]) == (12, 0, 12)
        assert {(m.state, m.next_attempt_at) for m in r.outbox(late)} == {
            (OutboxState.QUEUED, almaty(25, 20)),
        }
        assert r.dispatch(almaty(25, 19, 59, 59))["claimed"] == 0
        evening = r.dispatch(almaty(25, 20))
        assert (evening["claimed"], evening["sent"]) == (12, 12)
        sent_at = Counter(m.at for m in r.received())
        assert sent_at == Counter({almaty(25, 1): 14, almaty(25, 20): 12})


# ---- 2. the caps ------------------------------------------------------------------------------


def twins(seed: int, **knobs: Any) -> list[SimConfig]:
    """Two shops drawn from one seed: the same buyers order from both, one order each, so every
    phone is written to by both shops from the one business number."""
    return [
        sim_config(seed, repeat_buyer_share=0.0, **knobs),
        sim_config(seed, repeat_buyer_share=0.0, merchant_id="30100777", **knobs),
    ]


NOON = almaty(25, 12)


def test_a_buyer_of_both_shops_gets_the_second_message_an_hour_later(tmp_path: Path) -> None:
    with rig(tmp_path, twins(301)) as r:
        first, second = r.shops
        for shop in r.shops:
            r.sync(shop, NOON)
        planned = [r.plan(shop, NOON) for shop in r.shops]
        # The same orders in both shops: message 1 for the 6 on their way and a review request
        # for the 2 completed since the night's sync, one buyer each.
        expected = r.calls_for(first, NOON)
        assert planned_as(planned[0]) == planned_as(planned[1]) == expected
        assert Counter(expected.values()) == {RECEIVED: 6, REVIEW: 2}
        phones = {m.to for m in planned[0]}
        assert {m.to for m in planned[1]} == phones
        assert len(phones) == len(planned[0]) == len(planned[1]) == 8

        at_noon = r.dispatch(NOON)
        # The first shop's messages go; the second shop's wait for the gap, buyer by buyer.
        assert (at_noon["claimed"], at_noon["sent"], at_noon["postponed"]) == (16, 8, 8)
        waiting = r.outbox(second)
        assert {(m.state, m.next_attempt_at, m.attempts) for m in waiting} == {
            (OutboxState.QUEUED, NOON + timedelta(hours=1), 0),
        }
        assert {m.last_error for m in waiting} == {"buyer_gap"}
        assert by_phone(r.received()) == Counter({phone: 1 for phone in phones})
        assert {m.callback_data.split(":")[0] for m in r.received() if m.callback_data} == {
            str(first.id),
        }

        assert r.dispatch(NOON + timedelta(minutes=59, seconds=59))["claimed"] == 0
        later = r.dispatch(NOON + timedelta(hours=1))
        assert (later["claimed"], later["sent"]) == (8, 8)
        assert states(r.outbox()) == {OutboxState.SENT: 16}
        for phone in phones:
            got = r.received(phone)
            assert [m.at for m in got] == [NOON, NOON + timedelta(hours=1)]
            shops = [m.callback_data.split(":")[0] for m in got if m.callback_data]
            assert shops == [str(first.id), str(second.id)]


def test_a_new_number_sends_its_first_day_allowance_and_the_rest_the_next_day(
    tmp_path: Path,
) -> None:
    # The warm-up lets a number that never sent anything send 50 messages in its first 24 h.
    with rig(tmp_path, [sim_config(401, orders_per_day=40.0, repeat_buyer_share=0.0)]) as r:
        (shop,) = r.shops
        r.sync(shop, NOON)
        planned = r.plan(shop, NOON)
        total = len(planned)
        assert planned_as(planned) == r.calls_for(shop, NOON)
        # 71 message 1s, and message 2 for 5 orders over since the night's sync: 4 review
        # requests and one cancellation by the seller. One buyer each.
        assert Counter(m.template for m in planned) == {RECEIVED: 71, REVIEW: 4, CANCELLED: 1}
        assert total == len({m.to for m in planned}) == 76

        day_one = r.dispatch(NOON)
        assert (day_one["sent"], day_one["postponed"]) == (50, total - 50)
        held = [m for m in r.outbox(shop) if m.state is OutboxState.QUEUED]
        # Room comes back when the first sends are 24 h old: noon the next day, in the window.
        assert {(m.next_attempt_at, m.last_error, m.attempts) for m in held} == {
            (NOON + timedelta(days=1), "daily_cap", 0),
        }
        evening = r.dispatch(almaty(25, 20, 59))
        assert evening["claimed"] == 0
        assert r.dispatch(NOON + timedelta(days=1) - timedelta(seconds=1))["claimed"] == 0
        day_two = r.dispatch(NOON + timedelta(days=1))
        assert (day_two["claimed"], day_two["sent"]) == (total - 50, total - 50)
        assert states(r.outbox(shop)) == {OutboxState.SENT: total}
        assert Counter(m.at for m in r.received()) == Counter(
            {NOON: 50, NOON + timedelta(days=1): total - 50}
        )
        assert set(by_phone(r.received()).values()) == {1}


# ---- 3. an opt-out stops every shop on the number ---------------------------------------------


def test_stop_to_one_shop_cancels_the_other_shops_queued_message(tmp_path: Path) -> None:
    with rig(tmp_path, twins(501)) as r:
        first, second = r.shops
        for shop in r.shops:
            r.sync(shop, NOON)
            r.plan(shop, NOON)
        r.dispatch(NOON)  # the first shop's messages go, the second's wait for the gap
        assert planned_as(r.outbox(first)) == r.calls_for(first, NOON)
        phones = sorted({m.to for m in r.outbox(first)})
        assert len(phones) == 8
        stoppers = phones[:4]

        # Half an hour later four buyers answer the first shop: a stop word in Russian, in
        # English and in Kazakh, and the template's opt-out button.
        r.clock.now = NOON + timedelta(minutes=30)
        fake = r.api.fake
        fake.inject_text(stoppers[0], "Стоп")
        fake.inject_text(stoppers[1], "STOP")
        fake.inject_text(stoppers[2], "Тоқта")
        fake.inject_button(stoppers[3], "OPT_OUT", "Отписаться")
        fake.inject_text(phones[4], "Спасибо!")  # not an opt-out
        r.settle()

        with r.services.store.transaction() as tx:
            stopped = sorted(o.phone for o in tx.opt_outs(NUMBER))
            assert {o.shop_id for o in tx.opt_outs(NUMBER)} == {first.id}
        assert stopped == stoppers
        cancelled = [m for m in r.outbox(second) if m.state is OutboxState.CANCELLED]
        assert sorted(m.to for m in cancelled) == stoppers
        assert {m.last_error for m in cancelled} == {OPTED_OUT}
        assert {m.attempts for m in cancelled} == {0}

        later = r.dispatch(NOON + timedelta(hours=1))
        assert (later["claimed"], later["sent"]) == (4, 4)
        assert states(r.outbox(second)) == {OutboxState.SENT: 4, OutboxState.CANCELLED: 4}
        for phone in phones:
            assert by_phone(r.received(phone))[phone] == (1 if phone in stoppers else 2)

        # Nothing is left over for the next day: the cancelled messages stay cancelled.
        assert r.dispatch(almaty(26, 12))["claimed"] == 0
        assert len(r.received()) == 8 + 4


# ---- 4. service first -------------------------------------------------------------------------


CANCEL_DAY = almaty(27, 12)


@contextmanager
def cancelling_shop(
    tmp_path: Path,
) -> Iterator[tuple[Rig, Shop, list[NewMessage], dict[str, Order]]]:
    """A shop with many cancellations by the buyer's side, synced at night and again at 12:00
    two and a half days on, then planned: pick-up timeouts and failed Kaspi deliveries are
    cancelled by Kaspi and travel back (``CANCELLING``) while the buyer's phone is still shown;
    once archived (``CANCELLED``) Kaspi masks it and the phone seen at night is the one kept.
    Yields its message 2s and its orders by code."""
    config = sim_config(
        601, orders_per_day=12.0, start=CANCEL_DAY, history_days=8, buyer_cancel_share=0.9,
        seller_cancel_share=0.0,
    )  # fmt: skip
    with rig(tmp_path, [config]) as r:
        (shop,) = r.shops
        r.sync(shop, CANCEL_DAY)
        orders = {o.code: o for o in r.orders(shop)}
        planned = r.plan(shop, CANCEL_DAY)
        assert planned_as(planned) == r.calls_for(shop, CANCEL_DAY)
        second = [m for m in planned if m.key.kind == "message_2"]
        # Message 2 is news for three days after the order ended (cancelled or completed).
        fresh = CANCEL_DAY - FRESH_FOR
        cancelled = {
            code: o for code, o in orders.items()
            if o.status in CANCEL_STATUSES and o.customer_phone
            and o.cancelled_at is not None and o.cancelled_at >= fresh
        }  # fmt: skip
        by_kaspi_or_seller = {
            code for code, o in cancelled.items()
            if o.cancelled_by in (CancelledBy.KASPI, CancelledBy.SELLER)
        }  # fmt: skip
        by_buyer = {code for code, o in cancelled.items() if o.cancelled_by == CancelledBy.BUYER}
        completed = {
            code for code, o in orders.items()
            if o.status == "COMPLETED" and o.customer_phone
            and o.completed_at is not None and o.completed_at >= fresh
        }  # fmt: skip
        # Service first: an acknowledgement for Kaspi's cancellations, still travelling back or
        # archived; nothing when the buyer cancelled (they know), never a review request. Only
        # the completed orders (none handed over late) get the review request.
        assert {m.key.order_code: m.template for m in second} == {
            **{code: CANCELLED for code in by_kaspi_or_seller},
            **{code: REVIEW for code in completed},
        }
        # Both kinds of cancellation, on both sides, and reviews to tell them from.
        assert Counter((orders[c].status, orders[c].cancelled_by) for c in by_kaspi_or_seller) == {
            ("CANCELLING", CancelledBy.KASPI): 2, ("CANCELLED", CancelledBy.KASPI): 3,
        }  # fmt: skip
        assert Counter(orders[c].status for c in by_buyer) == {"CANCELLING": 2, "CANCELLED": 8}
        assert len(completed) == 2
        yield r, shop, second, orders


def test_an_order_kaspi_is_cancelling_gets_the_service_message_not_a_review(
    tmp_path: Path,
) -> None:
    with cancelling_shop(tmp_path) as (r, shop, second, orders):
        service = [m for m in second if orders[m.key.order_code].status in CANCEL_STATUSES]
        assert {orders[m.key.order_code].status for m in service} == CANCEL_STATUSES
        assert {m.template for m in service} == {CANCELLED}
        assert {m.button_url_parameter for m in service} == {None}
        assert not any("kaspi.kz/shop/review" in p for m in service for p in m.body_parameters)
        reviews = [m for m in second if m.template == REVIEW]
        assert {orders[m.key.order_code].status for m in reviews} == {"COMPLETED"}
        r.dispatch(CANCEL_DAY)
        # What reached the buyers: the acknowledgements for the cancelled orders, and review
        # requests for the completed ones only.
        got = r.received()
        assert {m.callback_data for m in got if m.template == CANCELLED} == {
            m.key.callback_data for m in service
        }
        assert {m.callback_data for m in got if m.template == REVIEW} == {
            m.key.callback_data for m in reviews
        }
        assert r.plan(shop, CANCEL_DAY + timedelta(hours=1)) == []  # one message 2 per order


def test_the_fake_takes_the_service_message_of_a_cancelling_order(tmp_path: Path) -> None:
    with cancelling_shop(tmp_path) as (r, _shop, second, _orders):
        # The cancellation's service message has no button; a review request carries its link.
        assert {(m.template, m.button_url_parameter is None) for m in second} == {
            (CANCELLED, True), (REVIEW, False),
        }  # fmt: skip
        r.dispatch(CANCEL_DAY)
        for message in second:
            got = r.api.fake.accepted_with(message.key.callback_data)
            assert [(m.template, m.button_url_parameter) for m in got] == [
                (message.template, message.button_url_parameter)
            ]
        with r.services.store.transaction() as tx:
            for message in second:
                stored = tx.outbox_message_by_key(message.key)
                assert stored is not None and stored.state is OutboxState.SENT


@pytest.mark.parametrize(
    ("per_order", "follow_up"),
    [
        (2, OutboxState.SENT),
        # With one message per order, the follow-up is never sent: the order had its one.
        (1, OutboxState.CANCELLED),
    ],
)
def test_a_complaint_before_message_2_makes_it_the_follow_up(
    tmp_path: Path, per_order: int, follow_up: OutboxState
) -> None:
    with rig(tmp_path, [sim_config(701, repeat_buyer_share=0.0)], per_order=per_order) as r:
        (shop,) = r.shops
        r.sync(shop, NOON)
        r.plan(shop, NOON)
        r.dispatch(NOON)
        first = r.outbox(shop)
        assert states(first) == {OutboxState.SENT: len(first)}
        # Message 1 for the 12 orders on their way, and a review request for the one completed
        # since the night's sync.
        assert planned_as(first) == r.calls_for(shop, NOON)
        assert Counter(m.template for m in first) == {RECEIVED: 12, REVIEW: 1}
        reviewed = {m.to for m in first if m.template == REVIEW}
        # The unhappy buyer had only message 1: their order is on its way, message 2 not yet due.
        unhappy = next(m for m in first if m.key.kind == "message_1")
        assert unhappy.to not in reviewed

        r.clock.now = NOON + timedelta(minutes=20)
        r.api.fake.inject_text(unhappy.to, "Здравствуйте, товар пришёл сломанный")
        r.settle()
        with r.services.store.transaction() as tx:
            (complaint,) = tx.inbound_messages(shop.id)
        assert (complaint.triage.category.value, complaint.order_code) == (
            "complaint", unhappy.key.order_code,
        )  # fmt: skip

        again = r.plan(shop, NOON + timedelta(minutes=30))
        assert [
            (m.key.order_code, m.key.kind, m.template, m.button_url_parameter) for m in again
        ] == [(unhappy.key.order_code, "message_2", FOLLOW_UP, None)]
        r.dispatch(NOON + timedelta(hours=1))  # the gap after message 1 has passed
        with r.services.store.transaction() as tx:
            message_2 = tx.outbox_message_by_key(again[0].key)
        assert message_2 is not None and message_2.state is follow_up
        templates = [m.template for m in r.received(unhappy.to)]
        if per_order == 2:
            assert templates == [RECEIVED, FOLLOW_UP]
        else:  # the order had its one message: the follow-up is never sent
            assert templates == [RECEIVED]
            assert "order_cap" in (message_2.last_error or "")
        assert len(r.received()) == len(first) + (per_order == 2)
        # The one review request sent is the completed order's, not the complainer's.
        assert {m.to for m in r.received() if m.template == REVIEW} == reviewed


def test_orders_delivered_after_message_1_get_message_2(tmp_path: Path) -> None:
    with rig(tmp_path, [sim_config(801, repeat_buyer_share=0.0)]) as r:
        (shop,) = r.shops
        r.plan(shop, NIGHT)
        r.dispatch(almaty(25, 10))
        written = {m.key.order_code for m in r.outbox(shop)}
        assert len(written) == 8
        # Two and a half days on, half of those orders are over, all within the three days
        # after their end in which message 2 is still news.
        later = almaty(27, 12)
        r.sync(shop, later)
        over = {
            o.code: o for o in r.orders(shop)
            if o.code in written and o.status in ("COMPLETED", "CANCELLED", "RETURNED")
            and o.cancelled_by != CancelledBy.BUYER  # the buyer knows: no message
        }  # fmt: skip
        assert len(over) == 4
        # The phone Kaspi showed while the order was open is what message 2 goes to.
        assert [code for code, o in over.items() if o.customer_phone is None] == []
        second = {m.key.order_code for m in r.plan(shop, later) if m.key.kind == "message_2"}
        assert second == set(over)


# ---- 5. a webhook that is not Meta's ----------------------------------------------------------


def signed(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_badly_signed_webhook_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    with rig(tmp_path, [sim_config(901)]) as r:
        (shop,) = r.shops
        r.sync(shop, NOON)
        r.plan(shop, NOON)
        r.dispatch(NOON)
        target = r.outbox(shop)[0]
        assert target.provider_message_id is not None
        # A "failed" status for a sent message and a buyer's "Стоп", as Meta would post them:
        # accepted, they would fail the message and opt the buyer out.
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": FAKE.display_phone_number,
                         "phone_number_id": NUMBER},
            "statuses": [{"id": target.provider_message_id, "status": "failed",
                          "timestamp": str(int(NOON.timestamp()) + 60),
                          "recipient_id": target.to.lstrip("+"),
                          "errors": [{"code": 131026, "title": "Message undeliverable"}]}],
            "contacts": [{"profile": {"name": "Покупатель"}, "wa_id": target.to.lstrip("+")}],
            "messages": [{"from": target.to.lstrip("+"), "id": "wamid.FORGED0001",
                          "timestamp": str(int(NOON.timestamp()) + 60), "type": "text",
                          "text": {"body": "Стоп"}}],
        }  # fmt: skip
        body = escaped_json(
            {"object": "whatsapp_business_account",
             "entry": [{"id": FAKE.waba_id, "changes": [{"field": "messages", "value": value}]}]}
        )  # fmt: skip
        url = f"{r.app_url}/webhooks/whatsapp"
        before = r.row_counts()
        # 10 message 1s and 3 review requests (orders completed since the night's sync).
        assert Counter(r.calls_for(shop, NOON).values()) == {RECEIVED: 10, REVIEW: 3}
        assert before["outbox_messages"] == 13 and before["message_status_events"] > 0
        for headers in (
            {"X-Hub-Signature-256": signed(body, "not-the-app-secret")},
            {"X-Hub-Signature-256": signed(body + b" ", FAKE.app_secret)},  # another body's
            {"X-Hub-Signature-256": "sha1=" + signed(body, FAKE.app_secret)[7:]},
            {},
        ):
            answer = httpx.post(url, content=body, headers={"Content-Type": "application/json",
                                                            **headers})  # fmt: skip
            assert answer.status_code == 403, answer.text
        assert r.row_counts() == before
        with r.services.store.transaction() as tx:
            unchanged = tx.outbox_message_by_key(target.key)
            assert tx.opt_outs(NUMBER) == []
        assert unchanged == target

        # The same body signed with the app secret is taken: the refusal was the signature's.
        answer = httpx.post(url, content=body, headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signed(body, FAKE.app_secret)})  # fmt: skip
        assert answer.status_code == 200, answer.text
        after = r.row_counts()
        changed = {
            name: after[name] - before[name] for name in after if after[name] != before[name]
        }
        assert changed == {
            "message_status_events": 1, "messaging_inbound": 1, "messaging_opt_outs": 1,
        }  # fmt: skip


# ---- 6. statuses out of order and twice -------------------------------------------------------


def test_shuffled_and_repeated_statuses_end_in_the_highest_one(tmp_path: Path) -> None:
    # Every message gets one status twice and two statuses swapped; some come batched, some
    # skip "delivered"; one buyer has no WhatsApp, so Meta posts "failed" for them.
    shuffling = replace(
        FAKE, seed=17, duplicate_rate=1.0, reorder_rate=1.0, batch_rate=0.5, read_rate=0.6,
        skip_delivered_rate=0.5,
    )  # fmt: skip
    with rig(tmp_path, [sim_config(1001, orders_per_day=6.0)], fake=shuffling) as r:
        (shop,) = r.shops
        r.sync(shop, NOON)
        planned = r.plan(shop, NOON)
        # 8 message 1s and a review request for the order completed since the night's sync.
        assert planned_as(planned) == r.calls_for(shop, NOON)
        assert Counter(m.template for m in planned) == {RECEIVED: 8, REVIEW: 1}
        no_whatsapp = planned[0].to
        r.api.fake.fail_delivery_to(no_whatsapp)
        result = r.dispatch(NOON)
        assert (result["claimed"], result["sent"]) == (9, 9)

        posted: dict[str, list[str]] = {}
        for hook in r.api.fake.webhooks():
            for entry in hook.payload()["entry"]:
                for change in entry["changes"]:
                    for status in change["value"].get("statuses", []):
                        posted.setdefault(status["id"], []).append(status["status"])
        assert len(posted) == 9
        # The fake did shuffle and repeat: otherwise this test would prove nothing.
        assert all(len(names) > len(set(names)) for names in posted.values())
        rank = {s.value: STATUS_RANK[s] for s in DeliveryStatus}
        shuffled = [
            n for n in posted.values() if [rank[x] for x in n] != sorted(rank[x] for x in n)
        ]
        # Among them a "delivered" that comes after "read": it must not take the read back.
        assert sorted(shuffled) == [["delivered", "delivered", "sent"],
                                    ["delivered", "sent", "delivered"],
                                    ["sent", "read", "read", "delivered"]]  # fmt: skip

        final = {m.to: (m.state, m.delivery_status) for m in r.outbox(shop)}
        expected = {
            m.to: (OutboxState.SENT, DeliveryStatus(max(posted[m.provider_message_id or ""],
                                                        key=rank.__getitem__)))
            for m in r.outbox(shop)
        }  # fmt: skip
        assert final == expected
        # The buyer without WhatsApp: the provider took the message (sent), Meta failed it.
        assert final[no_whatsapp] == (OutboxState.SENT, DeliveryStatus.FAILED)
        assert Counter(status for _, status in final.values()) == Counter(
            {DeliveryStatus.READ: 4, DeliveryStatus.DELIVERED: 4, DeliveryStatus.FAILED: 1}
        )
        # Each (message, status) is stored once however often it came.
        assert r.row_counts()["message_status_events"] == sum(len(set(n)) for n in posted.values())
