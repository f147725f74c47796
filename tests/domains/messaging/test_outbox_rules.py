"""The outbox's pure rules: backoff schedule, refusal outcomes, status ranks, transitions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from saudager.domains.messaging.outbox import (
    GiveUp,
    Requeue,
    RetryPolicy,
    after_refusal,
    backoff_delay,
    can_move,
    status_wins,
    template_message,
)
from saudager.domains.messaging.provider import DeliveryStatus, RefusalKind, SendRefused
from saudager.domains.messaging.records import MessageKey, OutboxMessage, OutboxState

NOW = datetime(2025, 8, 25, 6, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base_seconds=30, cap_seconds=100, jitter=0.2)


def _message(attempts: int = 1) -> OutboxMessage:
    return OutboxMessage(
        id=1,
        key=MessageKey(7, "512345678", "review_request"),
        from_number="+77270001122",
        to="+77011234567",
        template="review_request_v1",
        language="ru",
        body_parameters=("Айгерим", "512345678"),
        button_url_parameter="p/123",
        due_at=NOW,
        state=OutboxState.CLAIMED,
        attempts=attempts,
        next_attempt_at=NOW,
        claim_token="t",
        claimed_at=NOW,
        provider_message_id=None,
        last_error=None,
        delivery_status=None,
        delivery_status_at=None,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("attempt", "draw", "seconds"),
    [
        (1, 0.0, 30),  # base
        (2, 0.0, 60),  # doubles
        (3, 0.0, 100),  # 120 capped at 100
        (9, 0.0, 100),
        (1, 0.5, 27),  # jitter takes off up to 20 %: 30 · (1 − 0.2 · 0.5)
        (3, 0.999, 80.02),
    ],
)
def test_backoff_schedule_doubles_up_to_the_cap_less_jitter(
    attempt: int, draw: float, seconds: float
) -> None:
    assert backoff_delay(POLICY, attempt, draw) == timedelta(seconds=seconds)


def test_retry_after_is_a_floor() -> None:
    assert backoff_delay(POLICY, 1, 0.0, retry_after_seconds=90) == timedelta(seconds=90)
    assert backoff_delay(POLICY, 2, 0.0, retry_after_seconds=5) == timedelta(seconds=60)


@pytest.mark.parametrize("kind", [RefusalKind.RATE_LIMITED, RefusalKind.PROVIDER_ERROR])
def test_a_retryable_refusal_requeues_until_the_last_attempt(kind: RefusalKind) -> None:
    refusal = SendRefused(kind, "slow down", code=130429)
    decision = after_refusal(POLICY, _message(attempts=2), refusal, NOW, 0.0)
    assert decision == Requeue(
        NOW + timedelta(seconds=60), f"{kind.value} (code 130429): slow down"
    )
    last = after_refusal(POLICY, _message(attempts=4), refusal, NOW, 0.0)
    assert isinstance(last, GiveUp)
    assert last.error.startswith("gave up after 4 attempts; last: ")
    assert not last.stop_number


@pytest.mark.parametrize(
    ("kind", "stops"),
    [
        (RefusalKind.NUMBER_BLOCKED, True),
        (RefusalKind.TEMPLATE_UNUSABLE, False),
        (RefusalKind.AUTH_FAILED, False),
        (RefusalKind.UNREACHABLE, False),
        (RefusalKind.WINDOW_CLOSED, False),
        (RefusalKind.USER_LIMIT, False),
        (RefusalKind.BAD_REQUEST, False),
    ],
)
def test_a_refusal_that_is_not_retryable_fails_at_once(kind: RefusalKind, stops: bool) -> None:
    decision = after_refusal(POLICY, _message(), SendRefused(kind, "no", code=368), NOW, 0.5)
    assert decision == GiveUp(f"{kind.value} (code 368): no", stop_number=stops)


def test_later_statuses_win_and_duplicates_change_nothing() -> None:
    assert status_wins(None, DeliveryStatus.SENT)
    assert status_wins(DeliveryStatus.SENT, DeliveryStatus.READ)
    assert not status_wins(DeliveryStatus.READ, DeliveryStatus.DELIVERED)
    assert not status_wins(DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED)
    assert status_wins(DeliveryStatus.READ, DeliveryStatus.FAILED)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (OutboxState.QUEUED, OutboxState.CLAIMED, True),
        (OutboxState.QUEUED, OutboxState.CANCELLED, True),
        (OutboxState.QUEUED, OutboxState.SENT, False),  # never sent without a claim
        (OutboxState.CLAIMED, OutboxState.SENT, True),
        (OutboxState.CLAIMED, OutboxState.QUEUED, True),
        (OutboxState.CLAIMED, OutboxState.UNKNOWN, True),
        (OutboxState.CLAIMED, OutboxState.CANCELLED, False),
        (OutboxState.UNKNOWN, OutboxState.SENT, True),
        (OutboxState.UNKNOWN, OutboxState.QUEUED, False),  # never resent automatically
        (OutboxState.SENT, OutboxState.QUEUED, False),
        (OutboxState.FAILED, OutboxState.QUEUED, False),
    ],
)
def test_state_machine(source: OutboxState, target: OutboxState, allowed: bool) -> None:
    assert can_move(source, target) is allowed


def test_the_template_message_carries_the_callback_data() -> None:
    message = template_message(dataclasses.replace(_message()))
    assert message.callback_data == "7:512345678:review_request"
    assert message.body_parameters == ("Айгерим", "512345678")
    assert message.button_url_parameter == "p/123"
