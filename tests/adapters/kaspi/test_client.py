"""The Kaspi client against the simulator, over real HTTP on loopback."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from kaspi_client_helpers import END, TOKEN, RecordedSleeps, config

from saudager.adapters.kaspi.client import KaspiClient, RateLimiter
from saudager.adapters.kaspi.errors import (
    KaspiAuthError,
    KaspiHtmlResponseError,
    KaspiRequestError,
    KaspiUnavailableError,
)
from saudager.adapters.kaspi.simulator import RunningSimulator
from saudager.core.timewindows import Window, from_epoch_ms, split_window
from saudager.domains.orders.sync import STATE_ORDER


def _truth(sim: RunningSimulator) -> dict[str, tuple[str, str]]:
    world = sim.simulation.world
    return {
        str(plan.code): world.state_status(index)
        for index, plan in enumerate(world.shop.orders)
        if plan.created_ms <= world.now_ms
    }


def _queue_fault(sim: RunningSimulator, kind: str, count: int = 1) -> None:
    response = httpx.post(
        f"{sim.admin_url}/faults",
        json={"kind": kind, "count": count, "path_prefix": "/shop/api/v2/orders"},
    )
    assert response.status_code == 200, response.text


@pytest.fixture(autouse=True)
def _no_leftover_faults(sim: RunningSimulator):  # type: ignore[no-untyped-def]
    yield
    httpx.delete(f"{sim.admin_url}/faults")


def _read_everything(client: KaspiClient) -> dict[str, tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    window = Window(END - timedelta(days=31), END + timedelta(milliseconds=1))
    for state in STATE_ORDER:
        for part in split_window(window, timedelta(days=14)):
            for batch in client.iter_orders(state, part.start, part.last_instant):
                for order in batch.orders:
                    assert order.code not in seen, f"order {order.code} listed twice"
                    assert order.state == state
                    seen[order.code] = (order.state, order.status)
    return seen


def test_every_order_is_read_once_in_its_state(client: KaspiClient, sim: RunningSimulator) -> None:
    assert _read_everything(client) == _truth(sim)


def test_orders_carry_their_lines_and_active_ones_their_phones(client: KaspiClient) -> None:
    start = END - timedelta(days=3)
    batches = list(client.iter_orders("KASPI_DELIVERY", start, END))
    orders = [order for batch in batches for order in batch.orders]
    assert orders, "the simulated shop has orders in delivery"
    for order in orders:
        assert order.lines and all(line.sku and line.quantity >= 1 for line in order.lines)
        assert sum(line.total_price for line in order.lines) == order.total_price
        assert order.customer_phone is not None and order.customer_phone.startswith("+7")
        assert order.handover_deadline is not None
    archived = [
        o for b in client.iter_orders("ARCHIVE", END - timedelta(days=14), END) for o in b.orders
    ]
    assert archived and all(order.customer_phone is None for order in archived)  # masked


def test_a_bad_token_is_an_auth_error_that_never_shows_the_token(sim: RunningSimulator) -> None:
    secret = "wrong-token-0123456789"
    with (
        KaspiClient(sim.base_url, secret, max_retries=0) as bad,
        pytest.raises(KaspiAuthError) as caught,
    ):
        bad.order_by_code("1")
    assert secret not in str(caught.value)
    assert "token" in str(caught.value)


def test_an_html_page_is_reported_as_such(client: KaspiClient, sim: RunningSimulator) -> None:
    _queue_fault(sim, "html")
    with pytest.raises(KaspiHtmlResponseError, match="HTML page"):
        client.orders_page("NEW", END - timedelta(days=1), END, 0)


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "truncated", "timeout"])
def test_passing_faults_are_retried(
    kind: str, client: KaspiClient, sim: RunningSimulator, sleeps: RecordedSleeps
) -> None:
    expected = client.orders_page("ARCHIVE", END - timedelta(days=5), END, 0)
    _queue_fault(sim, kind, count=2)
    page = client.orders_page("ARCHIVE", END - timedelta(days=5), END, 0)
    assert [o.code for o in page.batch.orders] == [o.code for o in expected.batch.orders]
    assert len(sleeps) == 2
    if kind == "429":
        assert all(delay >= 1 for delay in sleeps)  # the simulator's Retry-After is honoured


def test_a_fault_that_outlasts_the_retries_gives_up_clearly(
    client: KaspiClient, sim: RunningSimulator, sleeps: RecordedSleeps
) -> None:
    _queue_fault(sim, "503", count=10)
    with pytest.raises(KaspiUnavailableError, match=r"after 4 attempts: HTTP 503"):
        client.orders_page("NEW", END - timedelta(days=1), END, 0)
    assert len(sleeps) == 3
    # Exponential back-off with full jitter: each wait below its ceiling.
    assert all(0 <= delay <= 0.2 * 2**attempt for attempt, delay in enumerate(sleeps))


def test_a_window_over_14_days_is_refused_before_sending(client: KaspiClient) -> None:
    with pytest.raises(ValueError, match="14 days"):
        client.orders_page("NEW", END - timedelta(days=15), END, 0)


def test_order_by_code_has_no_date_limit(client: KaspiClient, sim: RunningSimulator) -> None:
    oldest = str(sim.simulation.world.shop.orders[0].code)
    batch = client.order_by_code(oldest)
    assert [order.code for order in batch.orders] == [oldest]
    assert batch.orders[0].lines
    assert client.order_by_code("999999999999").orders == []


def test_products_of_lines_carry_the_card_code(client: KaspiClient) -> None:
    [batch, *_] = list(client.iter_orders("ARCHIVE", END - timedelta(days=10), END))
    order = batch.orders[0]
    product = client.product_for_line(order, order.lines[0])
    assert product is not None
    assert product.sku == order.lines[0].sku
    assert product.kaspi_product_code and product.kaspi_product_code.isdigit()


def test_reviews_match_the_simulator(client: KaspiClient, sim: RunningSimulator) -> None:
    reviews = client.reviews(END - timedelta(days=90), END)
    assert reviews is not None and reviews
    world = sim.simulation.world
    visible = [r for r in world.shop.reviews if world.review_visible(r)]
    assert len(reviews) == len(visible)
    assert all(1 <= review.rating <= 5 and review.approved_at for review in reviews)
    assert all(
        review.approved_at is None or review.approved_at <= from_epoch_ms(world.now_ms)
        for review in reviews
    )


def test_two_step_completion_and_refused_transitions() -> None:
    from saudager.adapters.kaspi.simulator import running_simulator

    with (
        running_simulator(config(seed=9, days=5), TOKEN) as own,
        KaspiClient(own.base_url, TOKEN, requests_per_second=1000, max_retries=0) as kaspi,
    ):
        pending = [
            o
            for b in kaspi.iter_orders("KASPI_DELIVERY", END - timedelta(days=5), END)
            for o in b.orders
            if o.status == "ACCEPTED_BY_MERCHANT"
        ]
        assert pending
        order = pending[0]
        kaspi.send_completion_code(order)
        code = httpx.get(f"{own.admin_url}/security-codes/{order.code}").json()["securityCode"]
        with pytest.raises(KaspiRequestError, match="Security code is not valid"):
            kaspi.complete(order, "000000" if code != "000000" else "111111")
        kaspi.complete(order, str(code))
        [done] = kaspi.order_by_code(order.code).orders
        assert done.status == "COMPLETED"
        with pytest.raises(KaspiRequestError, match="already has been completed"):
            kaspi.complete(order, str(code))


def test_rate_limiter_spaces_request_starts() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.wait()
    assert waits == pytest.approx([0.25, 0.25, 0.25, 0.25])
