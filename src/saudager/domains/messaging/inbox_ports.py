"""What the inbox stores and what it needs from storage. ``SqlStoreTx`` implements ``InboxTx``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from saudager.domains.messaging.consent import OptOut
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.records import OutboxMessage
from saudager.domains.messaging.triage import Triage


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A buyer's message as stored: what it said, its triage, and the order it was matched to."""

    id: int
    business_number: str
    message: InboundMessage
    triage: Triage
    shop_id: int | None  # the shop whose message it answers, when matched
    order_code: str | None
    outbox_message_id: int | None
    received_at: datetime
    resolved_at: datetime | None  # when the seller dealt with it; ``None``: it waits


@dataclass(frozen=True, slots=True)
class NewInbound:
    """An inbound message to store, once, with what the inbox decided about it."""

    business_number: str
    message: InboundMessage
    triage: Triage
    answered: OutboxMessage | None  # our message it was matched to


class InboxTx(Protocol):
    """The inbox inside one transaction."""

    def reply_candidates(
        self, sender: str, in_reply_to: str | None, sent_since: datetime
    ) -> list[OutboxMessage]:
        """Our messages a reply from ``sender`` may answer: the one whose provider id is
        ``in_reply_to``, and every one sent to ``sender`` claimed at or after ``sent_since``."""
        ...

    def add_inbound(self, inbound: NewInbound, now: datetime) -> InboundRecord | None:
        """Store the message unless one with its provider id is stored: the new record, or
        ``None`` when it was there already (a webhook delivered twice)."""
        ...

    def inbound_messages(
        self, shop_id: int | None, *, waiting_only: bool = False
    ) -> list[InboundRecord]:
        """The shop's inbound messages (``None``: those matched to no shop), newest first."""
        ...

    def resolve_inbound(self, inbound_id: int, shop_id: int | None, now: datetime) -> bool: ...

    def record_opt_out(self, opt_out: OptOut, now: datetime) -> bool:
        """Store the opt-out unless the phone has opted out of that number already (the first
        record stays); ``True`` when stored now."""
        ...

    def opt_outs(self, business_number: str | None = None) -> list[OptOut]: ...

    def is_opted_out(self, business_number: str, phone: str) -> bool: ...

    def cancel_queued_to(self, business_number: str, phone: str, reason: str, now: datetime) -> int:
        """Cancel every queued message from ``business_number`` to ``phone``, of every shop;
        how many were cancelled."""
        ...


class InboxStore(Protocol):
    def transaction(self) -> AbstractContextManager[InboxTx]: ...
