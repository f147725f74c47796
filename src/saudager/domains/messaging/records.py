"""What the outbox stores: messages to send, their states, the status events, stopped numbers.

The outbox in the database is the truth about every message: a row exists before anything is
sent, and every send ends in a state the seller can see (``sent``, ``failed``, ``unknown`` or
``cancelled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from saudager.domains.messaging.provider import DeliveryStatus, RefusalKind


class OutboxState(StrEnum):
    """``queued → claimed → sent | failed | unknown``; ``queued → cancelled``.

    ``claimed`` means "the provider may have been called": a claimed message is never sent
    again. ``unknown`` means the provider may or may not have taken it; a status webhook that
    carries its callback data settles it (it becomes ``sent``), nothing ever resends it.
    """

    QUEUED = "queued"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


#: States a message never leaves on its own (``unknown`` → ``sent`` only by a status webhook).
FINAL_STATES = frozenset(
    {OutboxState.SENT, OutboxState.FAILED, OutboxState.UNKNOWN, OutboxState.CANCELLED}
)


@dataclass(frozen=True, slots=True)
class MessageKey:
    """The idempotency key: at most one message per shop, order and kind (``"order_received"``,
    ``"review_request"``, …), however often it is enqueued."""

    shop_id: int
    order_code: str
    kind: str

    @property
    def callback_data(self) -> str:
        """Sent with the message and echoed back by every status webhook about it."""
        return f"{self.shop_id}:{self.order_code}:{self.kind}"


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to put in the outbox: everything needed to send it, rendered already."""

    key: MessageKey
    from_number: str  # our business number, E.164
    to: str  # the buyer's phone as the orders store it: "+7XXXXXXXXXX"
    template: str  # the approved template's name at the provider
    language: str
    body_parameters: tuple[str, ...]
    due_at: datetime
    button_url_parameter: str | None = None
    #: What the message is for (a ``MessageKind`` value: ``review_request``, …); the template
    #: name alone does not say it once a shop has its own approved wordings.
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    key: MessageKey
    from_number: str
    to: str
    template: str
    language: str
    body_parameters: tuple[str, ...]
    button_url_parameter: str | None
    due_at: datetime
    state: OutboxState
    attempts: int  # claims so far: each is one call of the provider at most
    next_attempt_at: datetime  # when a queued message may be claimed
    claim_token: str | None  # the token of the latest claim
    claimed_at: datetime | None
    provider_message_id: str | None
    last_error: str | None
    delivery_status: DeliveryStatus | None  # the highest-ranked status received so far
    delivery_status_at: datetime | None
    created_at: datetime
    updated_at: datetime
    purpose: str | None = None  # see NewMessage; None for rows queued before it was stored

    @property
    def callback_data(self) -> str:
        return self.key.callback_data


@dataclass(frozen=True, slots=True)
class NumberStop:
    """A business number the provider blocked or flagged: nothing is sent from it until the
    seller resumes it. Its queued messages wait."""

    number: str
    kind: RefusalKind
    reason: str
    stopped_at: datetime
