"""The last check before a message leaves: consent, the send window, the caps.

The dispatcher asks the gate about each message it has claimed, at the moment it would send
it — the only moment the answer is right: a buyer may have opted out since the message was
queued, the night may have fallen, the number may have used its day's allowance.

- the buyer opted out from the number (any shop) → cancelled, never sent;
- the shop's kill switch is on → cancelled (nothing of a paused shop is kept for later);
- the message could not go within :data:`~saudager.domains.messaging.planner.FRESH_FOR` of
  its due time (held by nights, caps or a stopped number) → cancelled: its news is stale, and
  every message must be useful;
- the shop's local time is outside its send window → postponed to the window's next opening
  (never sent outside it);
- the caps (``caps.decide``: two messages per order, the gap between messages to one buyer
  across the number's shops, the number's daily cap with its warm-up) → postponed to the first
  instant they allow, or cancelled when they never will (the order had its two messages).

Pure: the caller gives the history and the facts; no clock reads, no IO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from saudager.domains.messaging.caps import CapRules, Load, Verdict, decide_load
from saudager.domains.messaging.planner import FRESH_FOR
from saudager.domains.messaging.records import OutboxMessage
from saudager.domains.messaging.setup import StoredSetup
from saudager.domains.messaging.windows import SendWindow, is_open, next_send_time


class GateAction(StrEnum):
    SEND = "send"
    POSTPONE = "postpone"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class GateVerdict:
    action: GateAction
    reason: str = ""
    until: datetime | None = None  # POSTPONE: the first instant worth trying again

    @classmethod
    def send(cls) -> GateVerdict:
        return cls(GateAction.SEND)


@dataclass(frozen=True, slots=True)
class GateReading:
    """What the gate reads of the store for one message, at once."""

    setup: StoredSetup  # the shop's window, language and kill switch
    timezone: str  # the shop's
    opted_out: bool  # the buyer opted out from the number
    number_first_send: datetime | None
    order_sends: int  # the order's messages that may have reached the buyer (this one aside)
    buyer_last: datetime | None  # the latest message to the buyer from the number, at ≤ now
    recent_count: int  # the number's messages of the 24 h before now (this one aside)


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gate needs to know about one message, gathered by the caller."""

    window: SendWindow  # the shop's, in the shop's time zone
    load: Load  # what the caps read of the history (``caps.Load``)
    opted_out: bool
    number_first_send: datetime | None
    shop_paused: bool = False


def judge(message: OutboxMessage, facts: GateFacts, now: datetime, rules: CapRules) -> GateVerdict:
    """Whether ``message`` may go at ``now`` (see the module's text)."""
    if facts.opted_out:
        return GateVerdict(GateAction.CANCEL, "the buyer opted out")
    if facts.shop_paused:
        return GateVerdict(GateAction.CANCEL, "the shop's messages are paused")
    if now - message.due_at > FRESH_FOR:
        return GateVerdict(
            GateAction.CANCEL, f"stale: not sent within {FRESH_FOR.days} days of its due time"
        )
    if not is_open(facts.window, now):
        opens = next_send_time(facts.window, now)
        return GateVerdict(GateAction.POSTPONE, "outside the send window", opens)
    decision = decide_load(facts.load, now, rules, number_first_send=facts.number_first_send)
    reasons = ", ".join(reason.value for reason in decision.reasons)
    if decision.verdict is Verdict.REFUSED:
        return GateVerdict(GateAction.CANCEL, reasons)
    if decision.verdict is Verdict.WAIT:
        assert decision.not_before is not None
        # The caps' instant may fall at night: the window decides then.
        return GateVerdict(
            GateAction.POSTPONE, reasons, next_send_time(facts.window, decision.not_before)
        )
    return GateVerdict.send()
