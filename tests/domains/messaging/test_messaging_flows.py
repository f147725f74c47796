"""Flows: message 1 and message 2, service first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saudager.domains.messaging.flows import Skip, Step, handover_was_late, message_one, message_two
from saudager.domains.messaging.templates import MessageKind
from saudager.domains.orders.types import Order, Return
from saudager.domains.quality.facts import build_facts
from saudager.domains.quality.types import Indicator, QualityRules

T0 = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
PHONE = "+77011234567"
NEW = Order(
    code="512345678",
    created_at=T0,
    state="NEW",
    status="APPROVED_BY_BANK",
    total_price=Decimal(15990),
    customer_phone="8 (701) 123-45-67",
    is_kaspi_delivery=True,
    handover_deadline=T0 + timedelta(hours=24),
)
ON_TIME = replace(NEW, handed_over_at=T0 + timedelta(hours=20))
DONE = replace(ON_TIME, state="ARCHIVE", status="COMPLETED", completed_at=T0 + timedelta(days=3))
LATE = replace(DONE, handed_over_at=T0 + timedelta(hours=24, seconds=1))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (NEW, Step(MessageKind.ORDER_RECEIVED, PHONE)),
        (replace(NEW, status="ACCEPTED_BY_MERCHANT"), Step(MessageKind.ORDER_RECEIVED, PHONE)),
        (replace(NEW, customer_phone=None), Step(None, skip=Skip.NO_PHONE)),
        (replace(NEW, customer_phone="+0(000)-000-00-00"), Step(None, skip=Skip.NO_PHONE)),
        (replace(NEW, status="CANCELLED"), Step(None, skip=Skip.ALREADY_OVER)),
        (DONE, Step(None, skip=Skip.ALREADY_OVER)),
    ],
)
def test_message_one(order: Order, expected: Step) -> None:
    assert message_one(order) == expected


RETURN = Return("512345678/SKU-1", "512345678", "SKU-1", 1, "quality", T0 + timedelta(days=5))


@pytest.mark.parametrize(
    ("order", "kwargs", "expected"),
    [
        (DONE, {}, Step(MessageKind.REVIEW_REQUEST, PHONE)),
        (DONE, {"in_holdout": True}, Step(None, skip=Skip.HOLDOUT)),
        (DONE, {"complained": True}, Step(MessageKind.COMPLAINT_FOLLOW_UP, PHONE)),
        (LATE, {}, Step(MessageKind.LATE_APOLOGY, PHONE)),
        (LATE, {"complained": True}, Step(MessageKind.COMPLAINT_FOLLOW_UP, PHONE)),
        (LATE, {"in_holdout": True}, Step(MessageKind.LATE_APOLOGY, PHONE)),
        (DONE, {"returns": [RETURN]}, Step(MessageKind.RETURNED, PHONE)),
        (replace(DONE, status="RETURNED"), {}, Step(MessageKind.RETURNED, PHONE)),
        (
            replace(DONE, status="KASPI_DELIVERY_RETURN_REQUESTED"),
            {},
            Step(MessageKind.RETURNED, PHONE),
        ),
        (
            replace(DONE, status="RETURNED"),
            {"complained": True},
            Step(MessageKind.COMPLAINT_FOLLOW_UP, PHONE),
        ),
        (
            replace(NEW, status="CANCELLED", cancelled_by="seller"),
            {},
            Step(MessageKind.CANCELLED, PHONE),
        ),
        (
            replace(NEW, status="CANCELLING", cancelled_by="kaspi"),
            {},
            Step(MessageKind.CANCELLED, PHONE),
        ),
        (
            replace(NEW, status="CANCELLED", cancelled_by="buyer"),
            {},
            Step(None, skip=Skip.BUYER_CANCELLED),
        ),
        (ON_TIME, {}, Step(None, skip=Skip.NOT_OVER)),
        (replace(LATE, status="ACCEPTED_BY_MERCHANT"), {}, Step(None, skip=Skip.NOT_OVER)),
        (replace(DONE, customer_phone=None), {}, Step(None, skip=Skip.NO_PHONE)),
    ],
)
def test_message_two_is_service_first(
    order: Order, kwargs: dict[str, object], expected: Step
) -> None:
    assert message_two(order, **kwargs) == expected  # type: ignore[arg-type]


def test_another_orders_return_does_not_count() -> None:
    other = replace(RETURN, order_code="999")
    assert message_two(DONE, returns=[other]).kind is MessageKind.REVIEW_REQUEST


LATENESS_CASES = [
    DONE,
    LATE,
    replace(LATE, is_kaspi_delivery=False),
    replace(DONE, handed_over_at=DONE.handover_deadline),  # exactly on the deadline: on time
    replace(LATE, handover_deadline=None),
    replace(NEW, handed_over_at=None),
    replace(LATE, handed_over_at=T0 + timedelta(days=2)),
]


@pytest.mark.parametrize("order", LATENESS_CASES)
def test_late_handover_agrees_with_the_quality_module(order: Order) -> None:
    facts = build_facts([order], [], [], QualityRules())
    late_facts = facts.filter(
        (facts["indicator"] == Indicator.LATE_HANDOVERS.value) & facts["numerator"]
    )
    assert handover_was_late(order) is (late_facts.height > 0)


def test_no_gate_by_sentiment() -> None:
    # a buyer who said anything (thanks, a question) but did not complain gets the link
    assert message_two(DONE, complained=False).kind is MessageKind.REVIEW_REQUEST
