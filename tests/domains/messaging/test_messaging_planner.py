"""The planner: orders in, the outbox's new messages out (one message 1 and one message 2 per
order at most, service first, the review link for the product)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saudager.domains.messaging.planner import MESSAGE_1, MESSAGE_2, ShopMessaging, plan
from saudager.domains.messaging.stats import in_holdout
from saudager.domains.orders.types import CancelledBy, Order, OrderLine, Return

NOW = datetime(2026, 11, 24, 7, tzinfo=UTC)
SHOP = ShopMessaging(shop_id=1, shop_name="Магазин", number="106540352242922",
                     holdout_share=Decimal("0"))  # fmt: skip


def order(code: str, status: str = "ACCEPTED_BY_MERCHANT", **kw: object) -> Order:
    values: dict[str, object] = {
        "code": code, "created_at": NOW - timedelta(days=3), "state": "KASPI_DELIVERY",
        "status": status, "total_price": Decimal("15990"), "customer_name": "Айгерим Сапарова",
        "customer_phone": "+77011234567", "is_kaspi_delivery": True,
        "lines": (OrderLine(line_no=1, sku="KETTLE-1", quantity=1, unit_price=Decimal("15990"),
                            total_price=Decimal("15990"), product_name="Чайник",
                            kaspi_product_code="108382478"),),
    }  # fmt: skip
    values.update(kw)
    return Order(**values)  # type: ignore[arg-type]


def planned(*orders: Order, done: set[tuple[str, str]] | None = None, complained: set[str] = set()):  # type: ignore[no-untyped-def]  # noqa: B006
    return {
        (m.key.order_code, m.key.kind): m
        for m in plan(SHOP, list(orders), [], planned=done or set(), complained=complained, now=NOW)
    }


def test_a_new_order_gets_message_one_only() -> None:
    got = planned(order("1"))
    assert list(got) == [("1", MESSAGE_1)]
    m = got[("1", MESSAGE_1)]
    assert (m.template, m.language, m.to, m.due_at) == (
        "order_received_v1",
        "ru",
        "+77011234567",
        NOW,
    )
    assert "1" in m.body_parameters and m.key.callback_data == "1:1:message_1"


def test_a_completed_order_gets_the_review_request_with_the_products_link() -> None:
    done = order("2", "COMPLETED", state="ARCHIVE", completed_at=NOW - timedelta(hours=2))
    got = planned(done, done={("2", MESSAGE_1)})
    review = got[("2", MESSAGE_2)]
    assert review.template == "order_delivered_review_v1"
    assert review.button_url_parameter == "orderCode=2&productCode=108382478"


def test_service_comes_first() -> None:
    late = order(
        "3", "COMPLETED", state="ARCHIVE", handover_deadline=NOW - timedelta(days=2),
        handed_over_at=NOW - timedelta(days=2) + timedelta(minutes=1),
    )  # fmt: skip
    by_buyer = order("4", "CANCELLED", state="ARCHIVE", cancelled_by=CancelledBy.BUYER)
    by_seller = order("5", "CANCELLED", state="ARCHIVE", cancelled_by=CancelledBy.SELLER)
    complained = order("6", "COMPLETED", state="ARCHIVE")
    already = {(c, MESSAGE_1) for c in "3456"}
    got = planned(late, by_buyer, by_seller, complained, done=already, complained={"6"})
    assert {k: m.template for k, m in got.items()} == {
        ("3", MESSAGE_2): "order_late_apology_v1",  # the late apology, not a review request
        ("5", MESSAGE_2): "order_cancelled_v1",  # cancelled by the seller: acknowledged
        ("6", MESSAGE_2): "order_complaint_follow_up_v1",  # the complaint follow-up
    }  # the buyer's own cancellation gets nothing
    assert all(m.button_url_parameter is None for m in got.values())


def test_a_returned_order_is_acknowledged() -> None:
    done = order("7", "COMPLETED", state="ARCHIVE")
    back = Return(key="7/KETTLE-1", order_code="7", sku="KETTLE-1", quantity=1,
                  reason="QUALITY", created_at=NOW)  # fmt: skip
    [m] = plan(SHOP, [done], [back], planned={("7", MESSAGE_1)}, complained=set(), now=NOW)
    assert m.template == "order_returned_v1" and m.key.kind == MESSAGE_2


def test_nothing_twice_and_nothing_without_a_phone() -> None:
    done = order("8", "COMPLETED", state="ARCHIVE")
    assert planned(done, done={("8", MESSAGE_1), ("8", MESSAGE_2)}) == {}
    assert planned(order("9", customer_phone=None)) == {}


def test_the_holdout_gets_no_review_request_but_still_gets_service() -> None:
    shop = ShopMessaging(shop_id=1, shop_name="М", number="1", holdout_share=Decimal("0.5"))
    phones = [f"+7701000{n:04d}" for n in range(40)]
    held = [p for p in phones if in_holdout(1, p, Decimal("0.5"))]
    assert 0 < len(held) < len(phones)
    orders = [order(f"h{n}", "COMPLETED", state="ARCHIVE", customer_phone=p)
              for n, p in enumerate(phones)]  # fmt: skip
    got = plan(shop, orders, [], planned={(o.code, MESSAGE_1) for o in orders},
               complained={"h0"}, now=NOW)  # fmt: skip
    reviewed = {m.to for m in got if m.template == "order_delivered_review_v1"}
    assert reviewed == set(phones) - set(held) - {phones[0]}
    assert any(
        m.key.order_code == "h0" and m.template == "order_complaint_follow_up_v1" for m in got
    )


def test_messages_are_planned_only_while_their_news_is_fresh() -> None:
    """FRESH_FOR is three days, both edges hand-picked: exactly three days old is still news."""
    edge, late = NOW - timedelta(days=3), NOW - timedelta(days=3, microseconds=1)
    got = planned(order("1", created_at=edge), order("2", created_at=late))
    assert list(got) == [("1", MESSAGE_1)]
    done = {("3", MESSAGE_1), ("4", MESSAGE_1), ("5", MESSAGE_1), ("6", MESSAGE_1)}
    old = NOW - timedelta(days=20)
    got = planned(
        order("3", "COMPLETED", created_at=old, completed_at=edge),
        order("4", "COMPLETED", created_at=old, completed_at=late),
        # No end known: an order ends after it begins, so its creation bounds its end.
        order("5", "COMPLETED", created_at=old),
        # A complaint is answered whatever the order's age.
        order("6", "COMPLETED", created_at=old, completed_at=old),
        done=done,
        complained={"6"},
    )
    assert {key: m.template for key, m in got.items()} == {
        ("3", MESSAGE_2): "order_delivered_review_v1",
        ("6", MESSAGE_2): "order_complaint_follow_up_v1",
    }


def test_a_return_on_record_restarts_the_clock_of_message_two() -> None:
    old = NOW - timedelta(days=20)
    done = order("7", "COMPLETED", created_at=old, completed_at=old)
    back = Return(key="7/KETTLE-1", order_code="7", sku="KETTLE-1", quantity=1,
                  reason="DEFECT", created_at=NOW - timedelta(days=1))  # fmt: skip
    [m] = plan(SHOP, [done], [back], planned={("7", MESSAGE_1)}, complained=set(), now=NOW)
    assert (m.template, m.purpose) == ("order_returned_v1", "returned")
    assert plan(SHOP, [done], [], planned={("7", MESSAGE_1)}, complained=set(), now=NOW) == []
