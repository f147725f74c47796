"""What the dispatcher's gate reads and writes (``domains/messaging/gate.py``): what the caps
need of a number's, a buyer's and an order's sends, and a claimed message put back or cancelled
without a send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from saudager.adapters.db import tables as t
from saudager.adapters.db.messaging_setup_store import stored_setup
from saudager.domains.messaging.caps import DAY
from saudager.domains.messaging.gate import GateReading
from saudager.domains.messaging.records import OutboxMessage, OutboxState

_m = t.outbox_messages
_p = t.messaging_shop_pauses
_s = t.messaging_shop_settings
_o = t.messaging_opt_outs
#: A message in these states may have reached the buyer: it counts for the caps.
_COUNTED = (OutboxState.SENT.value, OutboxState.UNKNOWN.value, OutboxState.CLAIMED.value)


def _gate_statement() -> Select[Any]:
    """Everything the gate reads for one message, as one statement of scalar subqueries built
    once: the dispatcher judges each message it sends, so one round trip instead of ten, and
    no statement compiled per message. Each subquery is answered by an index."""
    shop: BindParameter[Any] = bindparam("shop")
    order: BindParameter[Any] = bindparam("order")
    number: BindParameter[Any] = bindparam("number")
    phone: BindParameter[Any] = bindparam("phone")
    excluding: BindParameter[Any] = bindparam("excluding")
    counted = (_m.c.state.in_(_COUNTED), _m.c.id != excluding)

    def of_shop(column: Any, table: Any) -> Any:
        return select(column).where(table.c.shop_id == shop).scalar_subquery()

    return select(
        select(t.shops.c.timezone).where(t.shops.c.id == shop).scalar_subquery().label("zone"),
        of_shop(_s.c.window_start, _s).label("window_start"),
        of_shop(_s.c.window_end, _s).label("window_end"),
        of_shop(_s.c.language, _s).label("language"),
        of_shop(_p.c.paused_at, _p).label("paused_at"),
        of_shop(_p.c.reason, _p).label("pause_reason"),
        exists()
        .where(_o.c.business_number == number, _o.c.phone == phone)
        .label("opted_out"),
        # The number's first send: the index read in claim order, stopping at the first
        # counted message (a MIN under the state filter would visit every one of them).
        select(_m.c.claimed_at)
        .where(_m.c.from_number == number, _m.c.claimed_at.is_not(None), _m.c.state.in_(_COUNTED))
        .order_by(_m.c.claimed_at)
        .limit(1)
        .scalar_subquery()
        .label("first_send"),
        select(func.count())
        .where(
            _m.c.shop_id == shop, _m.c.order_code == order, _m.c.claimed_at.is_not(None),
            *counted,
        )
        .scalar_subquery()
        .label("order_sends"),
        select(func.max(_m.c.claimed_at))
        .where(
            _m.c.to_phone == phone, _m.c.from_number == number,
            _m.c.claimed_at <= bindparam("until"), *counted,
        )
        .scalar_subquery()
        .label("buyer_last"),
        select(func.count())
        .where(
            _m.c.from_number == number, _m.c.claimed_at > bindparam("after"),
            _m.c.claimed_at <= bindparam("until"), *counted,
        )
        .scalar_subquery()
        .label("recent_count"),
    )  # fmt: skip


_GATE_READING = _gate_statement()


class MessagingGateStoreMixin:
    _conn: Connection

    def gate_reading(self, message: OutboxMessage, now: datetime) -> GateReading:
        """What the gate needs to judge ``message`` at ``now`` (``gate.GateReading``)."""
        key = message.key
        row = self._conn.execute(
            _GATE_READING,
            {
                "shop": key.shop_id, "order": key.order_code, "number": message.from_number,
                "phone": message.to, "excluding": message.id, "after": now - DAY, "until": now,
            },
        ).one()  # fmt: skip
        return GateReading(
            setup=stored_setup(
                row.window_start, row.window_end, row.language, row.paused_at, row.pause_reason
            ),
            timezone=row.zone,
            opted_out=bool(row.opted_out),
            number_first_send=row.first_send,
            order_sends=row.order_sends,
            buyer_last=row.buyer_last,
            recent_count=row.recent_count,
        )

    def number_send_instants(
        self, number: str, after: datetime, until: datetime, excluding: int
    ) -> list[datetime]:
        """The number's messages claimed in ``(after, until]``, but ``excluding``: their
        instants, ascending (read only when the number is at its daily cap)."""
        rows = self._conn.execute(
            select(_m.c.claimed_at)
            .where(
                _m.c.from_number == number, _m.c.claimed_at > after, _m.c.claimed_at <= until,
                _m.c.id != excluding, _m.c.state.in_(_COUNTED),
            )
            .order_by(_m.c.claimed_at)
        )  # fmt: skip
        return [row.claimed_at for row in rows]

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
