"""The outbox's pure rules: the retry schedule, what each send outcome does to a message, which
status wins, and the template message a row becomes. No clock reads and no IO: callers pass
``now`` and the random draw for the jitter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from saudager.domains.messaging.provider import (
    STATUS_RANK,
    DeliveryStatus,
    RefusalKind,
    SendRefused,
    TemplateMessage,
)
from saudager.domains.messaging.records import OutboxMessage, OutboxState

#: Refusals after which the business number is stopped until the seller resumes it.
NUMBER_STOPPING = frozenset({RefusalKind.NUMBER_BLOCKED})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for refusals that may be retried (429, 130429, 5xx).

    Attempt ``n`` (1-based) that was refused waits ``base · 2^(n-1)`` seconds, at most
    ``cap``, then a random share of up to ``jitter`` of it is taken off, so that messages
    refused together do not come back together. The provider's ``Retry-After`` is a floor.
    """

    max_attempts: int = 6
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    jitter: float = 0.2  # 0 … 1


def backoff_delay(
    policy: RetryPolicy, attempt: int, draw: float, retry_after_seconds: float | None = None
) -> timedelta:
    """How long to wait after refused attempt ``attempt``; ``draw`` is uniform in [0, 1)."""
    exponential = policy.base_seconds * 2.0 ** max(attempt - 1, 0)
    seconds = min(exponential, policy.cap_seconds) * (1.0 - policy.jitter * draw)
    if retry_after_seconds is not None:
        seconds = max(seconds, retry_after_seconds)
    return timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Requeue:
    """Send again at ``next_attempt_at``."""

    next_attempt_at: datetime
    error: str


@dataclass(frozen=True, slots=True)
class GiveUp:
    """The message failed for good; ``stop_number`` when the number must stop sending."""

    error: str
    stop_number: bool = False


def after_refusal(
    policy: RetryPolicy, message: OutboxMessage, refusal: SendRefused, now: datetime, draw: float
) -> Requeue | GiveUp:
    """What a refusal of ``message``'s latest attempt does to it."""
    code = f" (code {refusal.code})" if refusal.code is not None else ""
    error = f"{refusal.kind.value}{code}: {refusal.reason}"
    if refusal.retryable:
        if message.attempts >= policy.max_attempts:
            return GiveUp(f"gave up after {message.attempts} attempts; last: {error}")
        delay = backoff_delay(policy, message.attempts, draw, refusal.retry_after_seconds)
        return Requeue(now + delay, error)
    return GiveUp(error, stop_number=refusal.kind in NUMBER_STOPPING)


def status_wins(current: DeliveryStatus | None, new: DeliveryStatus) -> bool:
    """Whether a status received now replaces the one stored: later ranks win; a duplicate or
    an older status arriving late changes nothing."""
    return current is None or STATUS_RANK[new] > STATUS_RANK[current]


#: The moves the store makes; anything else is refused.
TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    OutboxState.QUEUED: frozenset({OutboxState.CLAIMED, OutboxState.CANCELLED}),
    OutboxState.CLAIMED: frozenset(
        {OutboxState.SENT, OutboxState.QUEUED, OutboxState.FAILED, OutboxState.UNKNOWN}
    ),
    # A status webhook carrying the message's callback data proves the provider took it.
    OutboxState.UNKNOWN: frozenset({OutboxState.SENT}),
    OutboxState.SENT: frozenset(),
    OutboxState.FAILED: frozenset(),
    OutboxState.CANCELLED: frozenset(),
}


def can_move(source: OutboxState, target: OutboxState) -> bool:
    return target in TRANSITIONS[source]


def template_message(message: OutboxMessage) -> TemplateMessage:
    """The provider request for an outbox row."""
    return TemplateMessage(
        to=message.to,
        template=message.template,
        language=message.language,
        body_parameters=message.body_parameters,
        callback_data=message.callback_data,
        button_url_parameter=message.button_url_parameter,
    )
