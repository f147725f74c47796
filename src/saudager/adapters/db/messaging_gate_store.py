"""What the dispatcher's gate reads and writes (``domains/messaging/gate.py``): the recent sends
of a number and of an order, and a claimed message put back or cancelled without a send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from saudager.adapters.db import tables as t
from saudager.domains.messaging.caps import Sent
from saudager.domains.messaging.records import OutboxState

_m = t.outbox_messages
_p = t.messaging_shop_pauses
#: A message in these states may have reached the buyer: it counts for the caps.
_COUNTED = (OutboxState.SENT.value, OutboxState.UNKNOWN.value, OutboxState.CLAIMED.value)


class MessagingGateStoreMixin:
    _conn: Connection

    def sends_for_gate(
        self, number: str, since: datetime, shop_id: int, order_code: str, excluding: int
    ) -> list[Sent]:
        """The number's sends claimed at or after ``since``, and every send of the order, but
        message ``excluding`` (the one being judged)."""
        rows = self._conn.execute(
            select(
                _m.c.shop_id, _m.c.order_code, _m.c.to_phone, _m.c.from_number, _m.c.claimed_at
            ).where(
                _m.c.state.in_(_COUNTED),
                _m.c.claimed_at.is_not(None),
                _m.c.id != excluding,
                or_(
                    (_m.c.from_number == number) & (_m.c.claimed_at >= since),
                    (_m.c.shop_id == shop_id) & (_m.c.order_code == order_code),
                ),
            )
        )
        return [
            Sent(
                shop_id=row.shop_id, order_code=row.order_code, phone=row.to_phone,
                business_number=row.from_number, at=row.claimed_at,
            )
            for row in rows
        ]  # fmt: skip

    def shop_timezone(self, shop_id: int) -> str:
        zone: str = self._conn.execute(
            select(t.shops.c.timezone).where(t.shops.c.id == shop_id)
        ).scalar_one()
        return zone

    def shop_paused(self, shop_id: int) -> bool:
        return (
            self._conn.execute(select(_p.c.shop_id).where(_p.c.shop_id == shop_id)).first()
            is not None
        )

    def pause_shop(self, shop_id: int, reason: str, at: datetime) -> bool:
        """Turn the shop's messages off; ``False`` when they already were (the first pause
        and its reason are kept)."""
        if self.shop_paused(shop_id):
            return False
        self._conn.execute(insert(_p).values(shop_id=shop_id, paused_at=at, reason=reason))
        return True

    def resume_shop(self, shop_id: int) -> bool:
        """Turn them on again; ``False`` when they were not off."""
        return self._conn.execute(delete(_p).where(_p.c.shop_id == shop_id)).rowcount > 0

    def first_send_of(self, number: str) -> datetime | None:
        found: datetime | None = self._conn.execute(
            select(func.min(_m.c.claimed_at)).where(
                _m.c.from_number == number, _m.c.state.in_(_COUNTED)
            )
        ).scalar_one()
        return found

    def postpone_claimed(
        self, message_id: int, token: str, until: datetime, reason: str, now: datetime
    ) -> bool:
        """Back to ``queued`` until ``until``: the provider was not called, so the claim does
        not count as an attempt."""
        return self._leave_claim(
            message_id, token, state=OutboxState.QUEUED.value, next_attempt_at=until,
            last_error=reason, claimed_at=None, updated_at=now,
        )  # fmt: skip

    def cancel_claimed(self, message_id: int, token: str, reason: str, now: datetime) -> bool:
        """``cancelled`` without a send (the provider was not called)."""
        return self._leave_claim(
            message_id, token, state=OutboxState.CANCELLED.value, last_error=reason,
            updated_at=now,
        )  # fmt: skip

    def _leave_claim(self, message_id: int, token: str, **values: object) -> bool:
        """The message still held by claim ``token`` leaves it unsent: its attempt is undone."""
        result = self._conn.execute(
            update(_m)
            .where(
                _m.c.id == message_id,
                _m.c.claim_token == token,
                _m.c.state == OutboxState.CLAIMED.value,
            )
            .values(attempts=_m.c.attempts - 1, **values)
        )
        return result.rowcount == 1
