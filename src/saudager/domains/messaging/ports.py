"""What the outbox needs from storage. ``SqlStoreTx`` implements ``OutboxTx``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from saudager.domains.messaging.gate import GateReading
from saudager.domains.messaging.provider import MessagingProvider, RefusalKind, StatusUpdate
from saudager.domains.messaging.records import (
    MessageKey,
    NewMessage,
    NumberStop,
    OutboxMessage,
    OutboxState,
)


class OutboxTx(Protocol):
    """The outbox inside one transaction. Every state change names the claim it belongs to
    (``token``), so a late writer can never overwrite a newer claim's outcome."""

    def enqueue_message(self, message: NewMessage, now: datetime) -> tuple[OutboxMessage, bool]:
        """The message with this key, added when absent; ``True`` when it was added now. A
        second enqueue of the same key keeps the first row unchanged."""
        ...

    def outbox_message(self, message_id: int) -> OutboxMessage | None: ...

    def outbox_message_by_key(self, key: MessageKey) -> OutboxMessage | None: ...

    def outbox_messages(
        self, shop_id: int | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]: ...

    def claim_due_messages(self, now: datetime, token: str, limit: int) -> list[OutboxMessage]:
        """Mark up to ``limit`` queued messages due by ``now`` and whose number is not stopped
        as claimed by ``token`` (one more attempt each), oldest due first, and return them."""
        ...

    def mark_message_sent(
        self, message_id: int, token: str, provider_message_id: str, now: datetime
    ) -> bool:
        """The provider took the claimed message (also from ``unknown``, the same claim)."""
        ...

    def requeue_message(
        self, message_id: int, token: str, next_attempt_at: datetime, error: str, now: datetime
    ) -> bool: ...

    def fail_message(self, message_id: int, token: str, error: str, now: datetime) -> bool: ...

    def mark_message_unknown(
        self, message_id: int, token: str, error: str, now: datetime
    ) -> bool: ...

    def cancel_message(self, message_id: int, reason: str, now: datetime) -> bool:
        """Only a queued message can be cancelled."""
        ...

    def stale_claims(self, claimed_before: datetime) -> list[OutboxMessage]: ...

    def record_status(self, update: StatusUpdate, now: datetime) -> OutboxMessage | None:
        """Store a status webhook once (a duplicate changes nothing) and apply it to its
        message, found by provider id or else by callback data: the highest-ranked status wins,
        and a claimed or unknown message becomes sent. The message, when one was found."""
        ...

    def stop_number(self, number: str, kind: RefusalKind, reason: str, at: datetime) -> None: ...

    def resume_number(self, number: str) -> bool: ...

    def number_stops(self) -> list[NumberStop]: ...


class GateTx(Protocol):
    """What the dispatcher's gate reads, and the two ways a claimed message leaves unsent."""

    def gate_reading(self, message: OutboxMessage, now: datetime) -> GateReading: ...

    def number_send_instants(
        self, number: str, after: datetime, until: datetime, excluding: int
    ) -> list[datetime]: ...

    def postpone_claimed(
        self, message_id: int, token: str, until: datetime, reason: str, now: datetime
    ) -> bool: ...

    def cancel_claimed(self, message_id: int, token: str, reason: str, now: datetime) -> bool: ...


class GateStore(Protocol):
    def transaction(self) -> AbstractContextManager[GateTx]: ...

    def reading(self) -> AbstractContextManager[GateTx]: ...


class OutboxStore(Protocol):
    def transaction(self) -> AbstractContextManager[OutboxTx]: ...


#: The provider for one of our business numbers, or ``None`` when none is configured.
ProviderLookup = Callable[[str], MessagingProvider | None]
