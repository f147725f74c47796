"""The messaging part of ``SqlStoreTx``: the outbox, the status events, the stopped numbers.

A mixin, so that one transaction serves every domain; it maps rows to the messaging domain's
records. Every change of a message's state is one conditional ``UPDATE`` naming the state it
leaves and, for a claimed message, the claim's token: two dispatchers, or a dispatcher and the
reconciliation, can never both win.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saudager.adapters.db import tables as t
from saudager.domains.messaging.consent import OptOut, OptOutSource
from saudager.domains.messaging.inbox_ports import InboundRecord, NewInbound
from saudager.domains.messaging.outbox import status_wins
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    InboundMessage,
    RefusalKind,
    StatusUpdate,
)
from saudager.domains.messaging.records import (
    MessageKey,
    NewMessage,
    NumberStop,
    OutboxMessage,
    OutboxState,
)
from saudager.domains.messaging.triage import Category, Triage

_AnyRow = Row[*tuple[Any, ...]]
_m = t.outbox_messages
_e = t.message_status_events
_s = t.messaging_number_stops
_i = t.messaging_inbound
_o = t.messaging_opt_outs
#: States of a message that may have reached the buyer, so that a reply can answer it.
_MAY_HAVE_REACHED = (OutboxState.CLAIMED.value, OutboxState.SENT.value, OutboxState.UNKNOWN.value)
_STATUS_RANK_ORDER = (
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.READ,
    DeliveryStatus.FAILED,
)


class MessagingStoreMixin:
    """Storage of the messaging domain's outbox (``OutboxTx``), on the transaction's connection."""

    _conn: Connection
    _dialect: str

    # ---------------------------------------------------------------- enqueue and read

    def enqueue_message(self, message: NewMessage, now: datetime) -> tuple[OutboxMessage, bool]:
        key = message.key
        values = {
            "shop_id": key.shop_id,
            "order_code": key.order_code,
            "kind": key.kind,
            "callback_data": key.callback_data,
            "from_number": message.from_number,
            "to_phone": message.to,
            "template": message.template,
            "language": message.language,
            "body_parameters": json.dumps(list(message.body_parameters), ensure_ascii=False),
            "button_url_parameter": message.button_url_parameter,
            "purpose": message.purpose,
            "due_at": message.due_at,
            "state": OutboxState.QUEUED.value,
            "attempts": 0,
            "next_attempt_at": message.due_at,
            "created_at": now,
            "updated_at": now,
        }
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        statement = dialect.insert(_m).values(**values).on_conflict_do_nothing().returning(_m.c.id)
        # (RETURNING, not rowcount: psycopg reports no count for INSERT … ON CONFLICT here.)
        created = self._conn.execute(statement).first() is not None
        stored = self.outbox_message_by_key(key)
        assert stored is not None
        return stored, created

    def outbox_message(self, message_id: int) -> OutboxMessage | None:
        row = self._conn.execute(select(_m).where(_m.c.id == message_id)).first()
        return None if row is None else _message(row)

    def outbox_message_by_key(self, key: MessageKey) -> OutboxMessage | None:
        row = self._conn.execute(
            select(_m).where(
                _m.c.shop_id == key.shop_id,
                _m.c.order_code == key.order_code,
                _m.c.kind == key.kind,
            )
        ).first()
        return None if row is None else _message(row)

    def outbox_messages(
        self, shop_id: int | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]:
        query = select(_m).order_by(_m.c.id)
        if shop_id is not None:
            query = query.where(_m.c.shop_id == shop_id)
        if state is not None:
            query = query.where(_m.c.state == state.value)
        return [_message(row) for row in self._conn.execute(query)]

    # ---------------------------------------------------------------- the claim and its outcome

    def claim_due_messages(self, now: datetime, token: str, limit: int) -> list[OutboxMessage]:
        stopped = select(_s.c.number)
        due = (
            select(_m.c.id)
            .where(
                _m.c.state == OutboxState.QUEUED.value,
                _m.c.next_attempt_at <= now,
                _m.c.from_number.not_in(stopped),
            )
            .order_by(_m.c.next_attempt_at, _m.c.id)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            # Concurrent dispatchers take disjoint rows instead of waiting for each other.
            # (SQLite's transaction holds the database's write lock from its start.)
            due = due.with_for_update(skip_locked=True)
        ids = list(self._conn.execute(due).scalars())
        if not ids:
            return []
        self._conn.execute(
            update(_m)
            .where(_m.c.id.in_(ids), _m.c.state == OutboxState.QUEUED.value)
            .values(
                state=OutboxState.CLAIMED.value,
                claim_token=token,
                claimed_at=now,
                attempts=_m.c.attempts + 1,
                updated_at=now,
            )
        )
        rows = self._conn.execute(
            select(_m)
            .where(_m.c.claim_token == token, _m.c.state == OutboxState.CLAIMED.value)
            .order_by(_m.c.next_attempt_at, _m.c.id)
        )
        return [_message(row) for row in rows]

    def mark_message_sent(
        self, message_id: int, token: str, provider_message_id: str, now: datetime
    ) -> bool:
        done = self._move(
            message_id,
            token,
            (OutboxState.CLAIMED, OutboxState.UNKNOWN),
            state=OutboxState.SENT.value,
            provider_message_id=provider_message_id,
            last_error=None,
            updated_at=now,
        )
        if done:
            # Statuses that arrived before we knew the provider's id (and carried no callback
            # data) apply now.
            statuses = self._conn.execute(
                select(_e.c.status, _e.c.at).where(_e.c.provider_message_id == provider_message_id)
            ).all()
            for status, at in sorted(
                statuses, key=lambda row: _STATUS_RANK_ORDER.index(DeliveryStatus(row[0]))
            ):
                self._apply_status(message_id, DeliveryStatus(status), at)
        return done

    def requeue_message(
        self, message_id: int, token: str, next_attempt_at: datetime, error: str, now: datetime
    ) -> bool:
        return self._move(
            message_id,
            token,
            (OutboxState.CLAIMED,),
            state=OutboxState.QUEUED.value,
            next_attempt_at=next_attempt_at,
            last_error=error,
            updated_at=now,
        )

    def fail_message(self, message_id: int, token: str, error: str, now: datetime) -> bool:
        return self._move(
            message_id,
            token,
            (OutboxState.CLAIMED,),
            state=OutboxState.FAILED.value,
            last_error=error,
            updated_at=now,
        )

    def mark_message_unknown(self, message_id: int, token: str, error: str, now: datetime) -> bool:
        return self._move(
            message_id,
            token,
            (OutboxState.CLAIMED,),
            state=OutboxState.UNKNOWN.value,
            last_error=error,
            updated_at=now,
        )

    def cancel_message(self, message_id: int, reason: str, now: datetime) -> bool:
        result = self._conn.execute(
            update(_m)
            .where(_m.c.id == message_id, _m.c.state == OutboxState.QUEUED.value)
            .values(state=OutboxState.CANCELLED.value, last_error=reason, updated_at=now)
        )
        return result.rowcount == 1

    def stale_claims(self, claimed_before: datetime) -> list[OutboxMessage]:
        rows = self._conn.execute(
            select(_m)
            .where(_m.c.state == OutboxState.CLAIMED.value, _m.c.claimed_at < claimed_before)
            .order_by(_m.c.id)
        )
        return [_message(row) for row in rows]

    def _move(
        self,
        message_id: int,
        token: str,
        sources: tuple[OutboxState, ...],
        **values: Any,
    ) -> bool:
        result = self._conn.execute(
            update(_m)
            .where(
                _m.c.id == message_id,
                _m.c.claim_token == token,
                _m.c.state.in_([state.value for state in sources]),
            )
            .values(**values)
        )
        return result.rowcount == 1

    # ---------------------------------------------------------------- status webhooks

    def record_status(self, update_: StatusUpdate, now: datetime) -> OutboxMessage | None:
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        self._conn.execute(
            dialect.insert(_e)
            .values(
                provider_message_id=update_.provider_message_id,
                status=update_.status.value,
                at=update_.at,
                recipient=update_.recipient,
                callback_data=update_.callback_data,
                error_code=update_.error_code,
                error_title=update_.error_title,
                received_at=now,
            )
            .on_conflict_do_nothing()
        )
        match = _m.c.provider_message_id == update_.provider_message_id
        if update_.callback_data is not None:
            match = or_(
                match,
                and_(
                    _m.c.callback_data == update_.callback_data,
                    _m.c.provider_message_id.is_(None),
                ),
            )
        row = self._conn.execute(select(_m).where(match).order_by(_m.c.id).limit(1)).first()
        if row is None:
            return None
        message = _message(row)
        if message.state in (OutboxState.CLAIMED, OutboxState.UNKNOWN):
            # The provider took it: the webhook settles a send whose answer we never recorded.
            self._conn.execute(
                update(_m)
                .where(_m.c.id == message.id, _m.c.state == message.state.value)
                .values(
                    state=OutboxState.SENT.value,
                    provider_message_id=update_.provider_message_id,
                    last_error=None,
                    updated_at=now,
                )
            )
        self._apply_status(message.id, update_.status, update_.at)
        return self.outbox_message(message.id)

    def _apply_status(self, message_id: int, status: DeliveryStatus, at: datetime) -> None:
        current = self._conn.execute(
            select(_m.c.delivery_status).where(_m.c.id == message_id)
        ).scalar_one()
        if status_wins(None if current is None else DeliveryStatus(current), status):
            self._conn.execute(
                update(_m)
                .where(_m.c.id == message_id)
                .values(delivery_status=status.value, delivery_status_at=at)
            )

    # ---------------------------------------------------------------- stopped numbers

    def stop_number(self, number: str, kind: RefusalKind, reason: str, at: datetime) -> None:
        if self._conn.execute(select(_s.c.number).where(_s.c.number == number)).first():
            return  # the first reason stays: it is the one the seller must act on
        self._conn.execute(
            insert(_s).values(number=number, kind=kind.value, reason=reason, stopped_at=at)
        )

    def resume_number(self, number: str) -> bool:
        result = self._conn.execute(_s.delete().where(_s.c.number == number))
        return result.rowcount == 1

    def number_stops(self) -> list[NumberStop]:
        rows = self._conn.execute(select(_s).order_by(_s.c.number))
        return [
            NumberStop(
                number=row.number,
                kind=RefusalKind(row.kind),
                reason=row.reason,
                stopped_at=row.stopped_at,
            )
            for row in rows
        ]

    # ---------------------------------------------------------------- the inbox and opt-outs

    def reply_candidates(
        self, sender: str, in_reply_to: str | None, sent_since: datetime
    ) -> list[OutboxMessage]:
        by_phone = and_(
            _m.c.to_phone == sender,
            _m.c.state.in_(_MAY_HAVE_REACHED),
            _m.c.claimed_at >= sent_since,
        )
        match = by_phone if in_reply_to is None else or_(
            _m.c.provider_message_id == in_reply_to, by_phone
        )  # fmt: skip
        rows = self._conn.execute(select(_m).where(match).order_by(_m.c.id))
        return [_message(row) for row in rows]

    def add_inbound(self, inbound: NewInbound, now: datetime) -> InboundRecord | None:
        message, triage, answered = inbound.message, inbound.triage, inbound.answered
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        statement = (
            dialect.insert(_i)
            .values(
                provider_message_id=message.provider_message_id,
                business_number=inbound.business_number,
                sender=message.sender,
                at=message.at,
                text=message.text,
                in_reply_to=message.in_reply_to,
                button_payload=message.button_payload,
                category=triage.category.value,
                matched=json.dumps(list(triage.matched), ensure_ascii=False),
                stars=triage.stars,
                shop_id=None if answered is None else answered.key.shop_id,
                order_code=None if answered is None else answered.key.order_code,
                outbox_message_id=None if answered is None else answered.id,
                received_at=now,
            )
            .on_conflict_do_nothing()
            .returning(_i.c.id)
        )
        created = self._conn.execute(statement).first()
        if created is None:
            return None
        row = self._conn.execute(select(_i).where(_i.c.id == created[0])).one()
        return _inbound(row)

    def inbound_messages(
        self, shop_id: int | None, *, waiting_only: bool = False
    ) -> list[InboundRecord]:
        shop = _i.c.shop_id.is_(None) if shop_id is None else _i.c.shop_id == shop_id
        query = select(_i).where(shop).order_by(_i.c.at.desc(), _i.c.id.desc())
        if waiting_only:
            query = query.where(_i.c.resolved_at.is_(None))
        return [_inbound(row) for row in self._conn.execute(query)]

    def complaints_since(self, since: datetime) -> list[InboundRecord]:
        """Complaints matched to a shop, received at or after ``since``, oldest first."""
        query = (
            select(_i)
            .where(
                _i.c.category == Category.COMPLAINT.value,
                _i.c.shop_id.is_not(None),
                _i.c.received_at >= since,
            )
            .order_by(_i.c.received_at, _i.c.id)
        )
        return [_inbound(row) for row in self._conn.execute(query)]

    def shops_writing_from(self, number: str) -> list[int]:
        """The shops with a message from business ``number`` in the outbox."""
        rows = self._conn.execute(
            select(_m.c.shop_id).where(_m.c.from_number == number).distinct().order_by(_m.c.shop_id)
        )
        return [row.shop_id for row in rows]

    def resolve_inbound(self, inbound_id: int, shop_id: int | None, now: datetime) -> bool:
        shop = _i.c.shop_id.is_(None) if shop_id is None else _i.c.shop_id == shop_id
        result = self._conn.execute(
            update(_i)
            .where(_i.c.id == inbound_id, shop, _i.c.resolved_at.is_(None))
            .values(resolved_at=now)
        )
        return result.rowcount == 1

    def record_opt_out(self, opt_out: OptOut, now: datetime) -> bool:
        dialect = postgresql if self._dialect == "postgresql" else sqlite
        statement = (
            dialect.insert(_o)
            .values(
                business_number=opt_out.business_number,
                phone=opt_out.phone,
                at=opt_out.at,
                source=opt_out.source.value,
                shop_id=opt_out.shop_id,
                provider_message_id=opt_out.provider_message_id,
                recorded_at=now,
            )
            .on_conflict_do_nothing()  # the first record stays: it is when the buyer asked
            .returning(_o.c.phone)
        )
        return self._conn.execute(statement).first() is not None

    def opt_outs(self, business_number: str | None = None) -> list[OptOut]:
        query = select(_o).order_by(_o.c.business_number, _o.c.phone)
        if business_number is not None:
            query = query.where(_o.c.business_number == business_number)
        return [
            OptOut(
                phone=row.phone,
                business_number=row.business_number,
                at=row.at,
                source=OptOutSource(row.source),
                shop_id=row.shop_id,
                provider_message_id=row.provider_message_id,
            )
            for row in self._conn.execute(query)
        ]

    def is_opted_out(self, business_number: str, phone: str) -> bool:
        row = self._conn.execute(
            select(_o.c.phone).where(_o.c.business_number == business_number, _o.c.phone == phone)
        ).first()
        return row is not None

    def cancel_queued_to(self, business_number: str, phone: str, reason: str, now: datetime) -> int:
        result = self._conn.execute(
            update(_m)
            .where(
                _m.c.from_number == business_number,
                _m.c.to_phone == phone,
                _m.c.state == OutboxState.QUEUED.value,
            )
            .values(state=OutboxState.CANCELLED.value, last_error=reason, updated_at=now)
        )
        return int(result.rowcount)


def _message(row: _AnyRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        key=MessageKey(shop_id=row.shop_id, order_code=row.order_code, kind=row.kind),
        from_number=row.from_number,
        to=row.to_phone,
        template=row.template,
        language=row.language,
        body_parameters=tuple(json.loads(row.body_parameters)),
        button_url_parameter=row.button_url_parameter,
        due_at=row.due_at,
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        claim_token=row.claim_token,
        claimed_at=row.claimed_at,
        provider_message_id=row.provider_message_id,
        last_error=row.last_error,
        delivery_status=None
        if row.delivery_status is None
        else DeliveryStatus(row.delivery_status),
        delivery_status_at=row.delivery_status_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        purpose=row.purpose,
    )


def _inbound(row: _AnyRow) -> InboundRecord:
    return InboundRecord(
        id=row.id,
        business_number=row.business_number,
        message=InboundMessage(
            provider_message_id=row.provider_message_id,
            sender=row.sender,
            at=row.at,
            text=row.text,
            in_reply_to=row.in_reply_to,
            button_payload=row.button_payload,
        ),
        triage=Triage(
            category=Category(row.category),
            matched=tuple(json.loads(row.matched)),
            stars=row.stars,
        ),
        shop_id=row.shop_id,
        order_code=row.order_code,
        outbox_message_id=row.outbox_message_id,
        received_at=row.received_at,
        resolved_at=row.resolved_at,
    )
