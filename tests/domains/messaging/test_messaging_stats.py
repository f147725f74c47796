"""Template counts, the holdout and review conversion with its interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saudager.domains.messaging.provider import DeliveryStatus
from saudager.domains.messaging.stats import (
    Conversion,
    DeliveredOrder,
    MessageOutcome,
    TemplateStats,
    conversion,
    converted,
    in_holdout,
    newcombe_interval,
    template_stats,
    wilson_interval,
)

D = DeliveryStatus


def test_template_stats() -> None:
    outcomes = [
        MessageOutcome("review_ru", D.SENT),
        MessageOutcome("review_ru", D.DELIVERED, replied=True),
        MessageOutcome("review_ru", D.READ, replied=True, complained=True),
        MessageOutcome("review_ru", D.READ, replied=True, opted_out=True),
        MessageOutcome("review_ru", D.FAILED),
        MessageOutcome("order_kk", None),
    ]
    assert template_stats(outcomes) == [
        TemplateStats("order_kk", sent=1),
        TemplateStats(
            "review_ru", sent=5, delivered=3, read=2, failed=1, replied=3, complaints=1, opt_outs=1
        ),
    ]


# Hand-checked against Newcombe (1998), Statistics in Medicine 17:873–890, tables I and II.
@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval(x: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(x, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_hybrid_score_interval(
    x1: int, n1: int, x2: int, n2: int, low: float, high: float
) -> None:
    lo, hi = newcombe_interval(x1, n1, x2, n2)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_refuses_empty_groups() -> None:
    with pytest.raises(ValueError, match="n > 0"):
        wilson_interval(0, 0)


def test_holdout_is_deterministic_and_about_its_share() -> None:
    phones = [f"+7701{i:07d}" for i in range(20_000)]
    first = [in_holdout(7, p) for p in phones]
    assert first == [in_holdout(7, p) for p in phones]
    assert 0.09 < sum(first) / len(first) < 0.11
    # per shop: the same buyer may fall differently in another shop
    assert first != [in_holdout(8, p) for p in phones]
    assert not any(in_holdout(7, p, Decimal(0)) for p in phones[:100])
    assert all(in_holdout(7, p, Decimal(1)) for p in phones[:100])
    with pytest.raises(ValueError, match="between 0 and 1"):
        in_holdout(7, phones[0], Decimal("1.5"))


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+77011234500", False),  # sha256("7:+77011234500") starts 9284600796da1d0d: 0.5723
        ("+77011234501", True),  # 0dfc2ed09b3c46aa: 0.0546 < 0.10
        ("+77011234502", False),  # 5e49075c5cc03b6e: 0.3683
        ("+77011234508", True),  # 1098ea16d081e944: 0.0648
    ],
)
def test_holdout_known_values(phone: str, expected: bool) -> None:
    assert in_holdout(7, phone) is expected
    assert in_holdout(7, phone, Decimal("0.06")) is (phone == "+77011234501")


T = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [
        (None, False),
        (T - timedelta(seconds=1), False),
        (T, True),
        (T + timedelta(days=14), True),
        (T + timedelta(days=14, seconds=1), False),
    ],
)
def test_review_within_14_days(reviewed: datetime | None, expected: bool) -> None:
    assert converted(DeliveredOrder("1", T, messaged=True, reviewed_at=reviewed)) is expected


def test_conversion_against_holdout() -> None:
    day = timedelta(days=1)
    messaged = [
        DeliveredOrder(f"m{i}", T, messaged=True, reviewed_at=T + day if i < 56 else None)
        for i in range(70)
    ]
    holdout = [
        DeliveredOrder(f"h{i}", T, messaged=False, reviewed_at=T + day if i < 48 else None)
        for i in range(80)
    ]
    too_recent = DeliveredOrder("r", T + 10 * day, messaged=True, reviewed_at=T + 11 * day)
    result = conversion([*messaged, *holdout, too_recent], as_of=T + 14 * day)
    assert (result.messaged_orders, result.messaged_reviews) == (70, 56)
    assert (result.holdout_orders, result.holdout_reviews) == (80, 48)
    assert result.messaged_share == pytest.approx(0.8)
    assert result.holdout_share == pytest.approx(0.6)
    assert result.difference == pytest.approx(0.2)
    assert result.interval is not None
    assert result.interval[0] == pytest.approx(0.0524, abs=5e-5)
    assert result.interval[1] == pytest.approx(0.3339, abs=5e-5)


def test_conversion_without_a_holdout_has_no_interval() -> None:
    only = [DeliveredOrder("m", T, messaged=True)]
    assert conversion(only, T + timedelta(days=30)) == Conversion(1, 0, 0, 0, None, None)
    assert conversion([], T).messaged_share is None
