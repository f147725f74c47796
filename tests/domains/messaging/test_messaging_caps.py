"""Caps: per order, per buyer across shops, per number per day with the warm-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.domains.messaging.caps import (
    Candidate,
    CapRules,
    Decision,
    Reason,
    Sent,
    Verdict,
    daily_cap,
    decide,
    number_age_days,
)

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
NUMBER = "+77270001122"
BUYER = "+77011234567"
OLD_NUMBER = NOW - timedelta(days=100)


def sent(shop: int, order: str, phone: str = BUYER, ago: timedelta = timedelta(days=2)) -> Sent:
    return Sent(shop, order, phone, NUMBER, NOW - ago)


CANDIDATE = Candidate(1, "A1", BUYER, NUMBER)


def test_nothing_in_the_way_is_allowed() -> None:
    assert decide(CANDIDATE, [], NOW, number_first_send=OLD_NUMBER) == Decision(Verdict.ALLOWED)


@pytest.mark.parametrize(
    ("history_count", "verdict"), [(0, Verdict.ALLOWED), (1, Verdict.ALLOWED), (2, Verdict.REFUSED)]
)
def test_at_most_two_per_order(history_count: int, verdict: Verdict) -> None:
    history = [sent(1, "A1", ago=timedelta(days=3 + i)) for i in range(history_count)]
    decision = decide(CANDIDATE, history, NOW, number_first_send=OLD_NUMBER)
    assert decision.verdict is verdict
    if verdict is Verdict.REFUSED:
        assert decision.reasons == (Reason.ORDER_CAP,)


def test_the_order_cap_is_per_shop_and_order() -> None:
    history = [sent(2, "A1"), sent(2, "A1"), sent(1, "B2"), sent(1, "B2")]
    assert decide(CANDIDATE, history, NOW, number_first_send=OLD_NUMBER).verdict is Verdict.ALLOWED


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (
            timedelta(minutes=59, seconds=59),
            Decision(Verdict.WAIT, (Reason.BUYER_GAP,), NOW + timedelta(seconds=1)),
        ),
        (timedelta(hours=1), Decision(Verdict.ALLOWED)),
        (
            timedelta(minutes=10),
            Decision(Verdict.WAIT, (Reason.BUYER_GAP,), NOW + timedelta(minutes=50)),
        ),
    ],
)
def test_minimum_gap_to_one_buyer_across_shops(ago: timedelta, expected: Decision) -> None:
    other_shop = sent(2, "Z9", ago=ago)  # another shop on the same number
    assert decide(CANDIDATE, [other_shop], NOW, number_first_send=OLD_NUMBER) == expected


def test_the_gap_is_per_number() -> None:
    elsewhere = Sent(2, "Z9", BUYER, "+77270009999", NOW - timedelta(minutes=1))
    assert (
        decide(CANDIDATE, [elsewhere], NOW, number_first_send=OLD_NUMBER).verdict is Verdict.ALLOWED
    )


@pytest.mark.parametrize(
    ("age", "cap"),
    [(1, 50), (3, 50), (4, 100), (7, 100), (8, 200), (14, 200), (15, 250), (400, 250)],
)
def test_warm_up_schedule(age: int, cap: int) -> None:
    assert daily_cap(CapRules(), age) == cap


def test_a_higher_tier_lifts_the_cap_after_warm_up() -> None:
    assert daily_cap(CapRules(daily_tier=2000), 15) == 2000
    assert daily_cap(CapRules(daily_tier=2000), 1) == 50


@pytest.mark.parametrize(
    ("first_send", "age"),
    [
        (None, 1),
        (NOW, 1),
        (NOW - timedelta(hours=23, minutes=59), 1),
        (NOW - timedelta(hours=24), 2),
        (NOW - timedelta(days=3), 4),
    ],
)
def test_number_age(first_send: datetime | None, age: int) -> None:
    assert number_age_days(first_send, NOW) == age


def _day_of_sends(count: int) -> list[Sent]:
    # one send per minute to different buyers, the newest 1 min ago
    return [
        Sent(1, f"O{i}", f"+7701000{i:04d}", NUMBER, NOW - timedelta(minutes=count - i))
        for i in range(count)
    ]


def test_daily_cap_exact_counts_on_day_one() -> None:
    first = NOW - timedelta(hours=2)
    assert (
        decide(CANDIDATE, _day_of_sends(49), NOW, number_first_send=first).verdict
        is Verdict.ALLOWED
    )
    decision = decide(CANDIDATE, _day_of_sends(50), NOW, number_first_send=first)
    # the oldest of the 50 was sent 50 min ago; one more fits when it is 24 h old
    assert decision == Decision(
        Verdict.WAIT, (Reason.DAILY_CAP,), NOW - timedelta(minutes=50) + timedelta(hours=24)
    )
    decision = decide(CANDIDATE, _day_of_sends(52), NOW, number_first_send=first)
    # 52 sent: 3 must age out; the third oldest was sent 50 min ago
    assert decision.not_before == NOW - timedelta(minutes=50) + timedelta(hours=24)


def test_a_send_exactly_24_hours_ago_no_longer_counts() -> None:
    history = [
        Sent(1, f"O{i}", f"+7701000{i:04d}", NUMBER, NOW - timedelta(hours=24)) for i in range(50)
    ]
    assert (
        decide(CANDIDATE, history, NOW, number_first_send=NOW - timedelta(hours=30)).verdict
        is Verdict.ALLOWED
    )


def test_gap_and_cap_wait_for_the_later() -> None:
    history = [*_day_of_sends(50), sent(2, "Z9", ago=timedelta(minutes=30))]
    decision = decide(CANDIDATE, history, NOW, number_first_send=NOW - timedelta(hours=2))
    assert decision.verdict is Verdict.WAIT
    assert decision.reasons == (Reason.BUYER_GAP, Reason.DAILY_CAP)
    # 51 sends in 24 h with a cap of 50: two must age out, the second oldest is 49 min old
    assert decision.not_before == NOW - timedelta(minutes=49) + timedelta(hours=24)


@pytest.mark.parametrize(
    ("flags", "reasons"),
    [
        ({"opted_out": True}, (Reason.OPTED_OUT,)),
        ({"shop_paused": True}, (Reason.SHOP_PAUSED,)),
        ({"number_stopped": True}, (Reason.NUMBER_STOPPED,)),
        ({"opted_out": True, "number_stopped": True}, (Reason.OPTED_OUT, Reason.NUMBER_STOPPED)),
    ],
)
def test_refusals_come_first(flags: dict[str, bool], reasons: tuple[Reason, ...]) -> None:
    decision = decide(
        CANDIDATE,
        [],
        NOW,
        number_first_send=OLD_NUMBER,
        opted_out=flags.get("opted_out", False),
        shop_paused=flags.get("shop_paused", False),
        number_stopped=flags.get("number_stopped", False),
    )
    assert decision == Decision(Verdict.REFUSED, reasons)


def test_bad_rules_and_naive_now() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CapRules(per_order=0)
    with pytest.raises(ValueError, match="warm-up"):
        CapRules(warm_up=((2, 10),))
    with pytest.raises(ValueError, match="naive"):
        decide(CANDIDATE, [], datetime(2026, 5, 4))


SMALL = CapRules(min_gap=timedelta(minutes=30), warm_up=((1, 3), (2, 5)), daily_tier=4)


@given(
    offsets=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),  # which buyer
            st.integers(min_value=0, max_value=30 * 60),  # minutes before now
        ),
        max_size=12,
    ),
    age_hours=st.integers(min_value=0, max_value=72),
)
def test_waiting_until_not_before_is_enough(offsets: list[tuple[int, int]], age_hours: int) -> None:
    history = [
        Sent(1, f"O{i}", f"+770100000{buyer}", NUMBER, NOW - timedelta(minutes=minutes))
        for i, (buyer, minutes) in enumerate(offsets)
    ]
    first_send = NOW - timedelta(hours=age_hours)
    decision = decide(CANDIDATE, history, NOW, SMALL, number_first_send=first_send)
    assert decision.verdict is not Verdict.REFUSED
    if decision.verdict is Verdict.WAIT:
        assert decision.not_before is not None
        assert decision.not_before > NOW
        later = decide(CANDIDATE, history, decision.not_before, SMALL, number_first_send=first_send)
        assert later.verdict is Verdict.ALLOWED
        just_before = decision.not_before - timedelta(microseconds=1)
        assert (
            decide(CANDIDATE, history, just_before, SMALL, number_first_send=first_send).verdict
            is Verdict.WAIT
        )


def test_a_warm_up_step_makes_room_before_sends_age_out() -> None:
    # day 3 of the number (cap 50) with 50 sends in the last hour; day 4 (cap 100) starts in 1 h
    first = NOW - timedelta(hours=71)
    decision = decide(CANDIDATE, _day_of_sends(50), NOW, number_first_send=first)
    assert decision == Decision(Verdict.WAIT, (Reason.DAILY_CAP,), NOW + timedelta(hours=1))
