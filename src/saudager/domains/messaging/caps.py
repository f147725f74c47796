"""Caps: how many messages may go, to whom and how often, decided from the history.

:func:`decide` answers for one candidate message at ``now``, checking in this order (the first
rule that stops the message gives the answer):

1. **Refused** when the buyer opted out (any shop on the number), the shop's kill switch is on,
   or the number is stopped (a provider block or quality signal such as 131048 or 368).
2. **Refused** when the order already had :attr:`CapRules.per_order` messages (default 2): a
   third message for one order is never sent, later or otherwise.
3. **Wait** until ``last + min_gap`` when the buyer got a message from any shop on the same
   number less than :attr:`CapRules.min_gap` ago (default 1 h; Meta's own pair limit is one
   message per 6 s, reference §2.11, so the gap is ours, for the buyer).
4. **Wait** when the number already sent its daily cap in the moving 24 h before ``now``: until
   the first instant one more fits — enough of those messages are 24 h old, or the number
   reached a warm-up day with a higher cap, whichever comes first.
5. Otherwise **allowed**.

When rules 3 and 4 both hold, the answer waits until the later of the two instants: the history
does not change by waiting, so the earlier one would only be refused again.

The daily cap of a number is the warm-up cap for its age (:data:`WARM_UP`), never above its
messaging tier (:attr:`CapRules.daily_tier`, default 250: Meta's messaging limit for a new
business portfolio is 250 unique users reached outside a service window in a moving 24 h,
reference §2.11). The warm-up ramp itself is our assumption, not a Meta rule: a number that
starts gently draws fewer blocks while its quality rating forms (reference §6). The age is
counted in whole 24-hour periods since the number's first send, day 1 being the first 24 h.

The rules read little of the history (:class:`Load`): how many messages the order had, the
latest message to the buyer from the number, and how many the number sent in the 24 h before
``now`` — their instants only when that count has reached the cap, to find when room appears.
The dispatcher's gate reads exactly that from the outbox (:func:`decide_load`), so a number
sending tens of thousands a day is judged as fast as a new one; :func:`decide` takes a full
history and reduces it to the same :class:`Load`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

#: (from day, cap): on day ``from day`` onwards of a number's life, at most ``cap`` messages per
#: moving 24 h (further capped by the number's tier). Our assumption; see the module's text.
WARM_UP: tuple[tuple[int, int], ...] = ((1, 50), (4, 100), (8, 200), (15, 1_000_000))

DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CapRules:
    per_order: int = 2
    min_gap: timedelta = timedelta(hours=1)
    daily_tier: int = 250
    warm_up: tuple[tuple[int, int], ...] = field(default=WARM_UP)

    def __post_init__(self) -> None:
        if self.per_order < 1 or self.daily_tier < 1:
            raise ValueError("caps are at least 1")
        if self.min_gap < timedelta(0):
            raise ValueError("the minimum gap cannot be negative")
        days = [day for day, _ in self.warm_up]
        if not days or days[0] != 1 or days != sorted(set(days)):
            raise ValueError("the warm-up starts on day 1 and its days increase")


@dataclass(frozen=True, slots=True)
class Sent:
    """A message already sent (or handed to the provider) from ``business_number``."""

    shop_id: int
    order_code: str
    phone: str  # the buyer
    business_number: str
    at: datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class Candidate:
    """A message we would like to send now."""

    shop_id: int
    order_code: str
    phone: str
    business_number: str


class Verdict(StrEnum):
    ALLOWED = "allowed"
    WAIT = "wait"
    REFUSED = "refused"


class Reason(StrEnum):
    OPTED_OUT = "opted_out"
    SHOP_PAUSED = "shop_paused"  # the shop's kill switch
    NUMBER_STOPPED = "number_stopped"  # a provider block or quality signal
    ORDER_CAP = "order_cap"
    BUYER_GAP = "buyer_gap"
    DAILY_CAP = "daily_cap"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    not_before: datetime | None = None  # for WAIT: the first instant worth trying again


ALLOWED = Decision(Verdict.ALLOWED)


@dataclass(frozen=True, slots=True)
class Load:
    """What the caps read of the history for one candidate at ``now``."""

    order_sends: int  # messages of the candidate's order already sent
    buyer_last: datetime | None  # the latest message to the buyer from the number, at ≤ now
    recent_count: int  # the number's messages with now - 24 h < at ≤ now
    #: Their instants, ascending: needed only when ``recent_count`` reached the daily cap.
    recent: Sequence[datetime] | None = None


def load_of(candidate: Candidate, history: Sequence[Sent], now: datetime) -> Load:
    """The :class:`Load` of a full history."""
    on_number = [s for s in history if s.business_number == candidate.business_number]
    to_buyer = [s.at for s in on_number if s.phone == candidate.phone and s.at <= now]
    recent = sorted(s.at for s in on_number if now - DAY < s.at <= now)
    return Load(
        order_sends=sum(
            1 for s in history
            if s.shop_id == candidate.shop_id and s.order_code == candidate.order_code
        ),
        buyer_last=max(to_buyer, default=None),
        recent_count=len(recent),
        recent=recent,
    )  # fmt: skip


def number_age_days(first_send: datetime | None, now: datetime) -> int:
    """Day 1 is the first 24 h after the number's first send; a number never used is on day 1."""
    if first_send is None or now <= first_send:
        return 1
    return (now - first_send) // DAY + 1


def daily_cap(rules: CapRules, age_days: int) -> int:
    """The messages a number may send in a moving 24 h on day ``age_days`` of its life."""
    cap = rules.warm_up[0][1]
    for from_day, day_cap in rules.warm_up:
        if age_days >= from_day:
            cap = day_cap
    return min(cap, rules.daily_tier)


def _room_at(
    recent: list[datetime], now: datetime, rules: CapRules, first_send: datetime | None
) -> datetime:
    """The first instant after ``now`` at which one more message fits under the daily cap.

    Room appears when sends of the last 24 h age out or when the number reaches a warm-up day
    with a higher cap, whichever comes first; both only happen at those instants.
    """
    instants = {at + DAY for at in recent}
    if first_send is not None:
        instants |= {first_send + (day - 1) * DAY for day, _ in rules.warm_up}
    for instant in sorted(i for i in instants if i > now):
        still = sum(1 for at in recent if at > instant - DAY)
        if still < daily_cap(rules, number_age_days(first_send, instant)):
            return instant
    return recent[0] + DAY  # unreachable: once all have aged out there is room


def decide(
    candidate: Candidate,
    history: Sequence[Sent],
    now: datetime,
    rules: CapRules = CapRules(),
    *,
    number_first_send: datetime | None = None,
    opted_out: bool = False,
    shop_paused: bool = False,
    number_stopped: bool = False,
) -> Decision:
    """Whether ``candidate`` may go at ``now`` (see the module's text for the rules)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: give an aware instant")
    stops = [
        reason
        for reason, on in (
            (Reason.OPTED_OUT, opted_out),
            (Reason.SHOP_PAUSED, shop_paused),
            (Reason.NUMBER_STOPPED, number_stopped),
        )
        if on
    ]
    if stops:
        return Decision(Verdict.REFUSED, tuple(stops))
    return decide_load(
        load_of(candidate, history, now), now, rules, number_first_send=number_first_send
    )


def decide_load(
    load: Load, now: datetime, rules: CapRules, *, number_first_send: datetime | None
) -> Decision:
    """Rules 2–5 of the module's text on what was read of the history."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: give an aware instant")
    if load.order_sends >= rules.per_order:
        return Decision(Verdict.REFUSED, (Reason.ORDER_CAP,))

    waits: list[tuple[Reason, datetime]] = []
    if load.buyer_last is not None and now < load.buyer_last + rules.min_gap:
        waits.append((Reason.BUYER_GAP, load.buyer_last + rules.min_gap))

    if load.recent_count >= daily_cap(rules, number_age_days(number_first_send, now)):
        if load.recent is None:
            raise ValueError("the number is at its daily cap: its recent instants are needed")
        waits.append((Reason.DAILY_CAP, _room_at(list(load.recent), now, rules, number_first_send)))

    if waits:
        return Decision(
            Verdict.WAIT, tuple(reason for reason, _ in waits), max(at for _, at in waits)
        )
    return ALLOWED
