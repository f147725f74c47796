"""The inbox's pure parts: which of our messages a reply answers, and the seller's alert about
a complaint (the order and the rule, never the buyer's phone or words)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from saudager.domains.messaging.inbox import answered_message, complaint_alert
from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.records import MessageKey, OutboxMessage, OutboxState
from saudager.domains.messaging.triage import Category, Triage, classify
from saudager.domains.quality.alerts import AlertKind, Language

T0 = datetime(2025, 8, 25, 6, 0, tzinfo=UTC)
BUYER = "+77011234567"
WITHIN = timedelta(days=30)


def ours(
    id_: int, shop_id: int, order: str, wamid: str | None, at: datetime, to: str = BUYER
) -> OutboxMessage:
    return OutboxMessage(
        id=id_,
        key=MessageKey(shop_id, order, "order_received"),
        from_number="109876543210987",
        to=to,
        template="order_received_v1",
        language="ru",
        body_parameters=(),
        button_url_parameter=None,
        due_at=at,
        state=OutboxState.SENT if wamid else OutboxState.UNKNOWN,
        attempts=1,
        next_attempt_at=at,
        claim_token="t",
        claimed_at=at,
        provider_message_id=wamid,
        last_error=None,
        delivery_status=None,
        delivery_status_at=None,
        created_at=at,
        updated_at=at,
    )


def reply(at: datetime, in_reply_to: str | None = None, text: str = "ok") -> InboundMessage:
    return InboundMessage("wamid.IN", BUYER, at, text, in_reply_to=in_reply_to)


OLD = ours(1, 1, "500000001", "wamid.A", T0)
NEWER = ours(2, 2, "700000009", "wamid.B", T0 + timedelta(hours=1))


def test_the_quoted_message_wins_over_a_later_one() -> None:
    found = answered_message(reply(T0 + timedelta(hours=2), "wamid.A"), [OLD, NEWER], WITHIN)
    assert found is OLD


def test_without_a_quote_the_latest_message_to_the_phone_wins() -> None:
    assert answered_message(reply(T0 + timedelta(hours=2)), [OLD, NEWER], WITHIN) is NEWER


def test_a_quote_of_a_message_we_do_not_know_falls_back_to_the_phone() -> None:
    found = answered_message(reply(T0 + timedelta(hours=2), "wamid.X"), [OLD, NEWER], WITHIN)
    assert found is NEWER


def test_a_message_whose_provider_id_is_unknown_matches_by_phone_only() -> None:
    unknown = ours(3, 3, "800000001", None, T0 + timedelta(hours=1))
    assert answered_message(reply(T0 + timedelta(hours=2)), [OLD, unknown], WITHIN) is unknown
    quoting = reply(T0 + timedelta(hours=2), "outbox:3")
    assert answered_message(quoting, [unknown], timedelta(minutes=1)) is None


@pytest.mark.parametrize(
    "candidates",
    [
        [],
        [ours(1, 1, "500000001", "wamid.A", T0 - timedelta(days=31))],  # too long ago
        [ours(1, 1, "500000001", "wamid.A", T0 + timedelta(hours=3))],  # after the reply
        [ours(1, 1, "500000001", "wamid.A", T0, to="+77019999999")],  # another buyer
    ],
)
def test_no_match(candidates: list[OutboxMessage]) -> None:
    assert answered_message(reply(T0 + timedelta(hours=2)), candidates, WITHIN) is None


def record(text: str, shop_id: int | None = 7, wamid: str = "wamid.IN1") -> InboundRecord:
    message = InboundMessage(wamid, BUYER, T0, text, in_reply_to="wamid.A")
    return InboundRecord(
        id=1,
        business_number="109876543210987",
        message=message,
        triage=classify(message),
        shop_id=shop_id,
        order_code="500000001",
        outbox_message_id=1,
        received_at=T0,
        resolved_at=None,
    )


@pytest.mark.parametrize("language", list(Language))
def test_the_complaint_alert_names_the_order_and_the_rule_not_the_buyer(
    language: Language,
) -> None:
    complaint = record("Айгерим тут: товар сломался, 1 звезда")
    assert complaint.triage.category is Category.COMPLAINT
    alert = complaint_alert(complaint, T0, language)
    assert (alert.shop_id, alert.order_code, alert.language) == (7, "500000001", language)
    assert alert.kind is AlertKind.WARNING
    assert "500000001" in alert.title
    assert "сломал*" in alert.text and "★1" in alert.text
    for private in (BUYER, BUYER[1:], "Айгерим", "сломался"):
        assert private not in alert.title + alert.text


def test_each_complaint_has_its_own_alert_key() -> None:
    first = complaint_alert(record("брак", wamid="wamid.IN1"), T0, Language.RU)
    second = complaint_alert(record("брак", wamid="wamid.IN2"), T0, Language.RU)
    assert first.key != second.key
    assert complaint_alert(record("брак", wamid="wamid.IN1"), T0, Language.EN).key == first.key


def test_a_star_rating_alone_decides() -> None:
    alert = complaint_alert(record("⭐⭐"), T0, Language.EN)
    assert "★2" in alert.text
    assert Triage(Category.COMPLAINT).matched == ()
