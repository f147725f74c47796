"""Quality engine: Saudager's indicators against plain pandas, one synthetic shop, one process.

A shop of N orders (default 1,000,000) over the 365 local days ending with the as-of day is
generated straight into arrays (no store, no simulator: this measures the engine alone), with
realistic shares: 3 % seller-fault cancellations, 6 % late Kaspi Delivery handovers, 1.5 %
quality returns, 35 % of completed orders reviewed (2 % of reviews later deleted). Its facts
frame has the shape ``facts.build_facts`` returns. Then, timed:

(a) Saudager: ``compute_indicators`` for the as-of day; the drill-down of every indicator
    (its numerator and denominator fact counts and the newest 50 bad facts as ``Fact``
    objects, the page a seller opens); the 30-day daily series after the as-of day (the
    outlook's shape: the days ahead, facts known today);
(b) pandas: the same definitions written out separately here in straightforward pandas —
    split by indicator once, then boolean masks per window per day (``--whole-frame``: no
    split, every mask over the whole frame, testing the indicator too).

Prints both times, the ratio, and checks that both give the same numbers.

    python benchmarks/quality_engine.py [--orders 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from saudager.core.timewindows import trailing_days
from saudager.domains.quality.history import daily_series
from saudager.domains.quality.indicators import compute_indicators, drilldown
from saudager.domains.quality.outlook import outlook
from saudager.domains.quality.types import FACTS_FRAME_SCHEMA, QualityRules

TZ = "Asia/Almaty"
AS_OF = date(2026, 8, 25)
DAYS = 365
SERIES_DAYS = 30
US = 1_000_000
HOUR = 3_600 * US
DAY = 24 * HOUR


# --- the synthetic shop -------------------------------------------------------------------


def synthetic_facts(n: int, seed: int) -> dict[str, np.ndarray[Any, Any]]:
    """Column arrays of the facts frame of a shop with ``n`` orders (times in epoch µs, UTC)."""
    rng = np.random.default_rng(seed)
    first = trailing_days(AS_OF, DAYS, TZ).start
    start_us = int(first.timestamp()) * US
    created = np.sort(start_us + rng.integers(0, DAYS * DAY, n))
    codes = np.arange(100_000_000, 100_000_000 + n)
    seller_cancel = rng.random(n) < 0.03
    other_cancel = ~seller_cancel & (rng.random(n) < 0.04)  # buyer or Kaspi: not seller-fault
    alive = ~seller_cancel & ~other_cancel
    kaspi_delivery = alive & (rng.random(n) < 0.7)
    handed = created + rng.integers(2 * HOUR, 30 * HOUR, n)
    late = kaspi_delivery & (rng.random(n) < 0.06)
    completed = handed + rng.integers(1 * DAY, 4 * DAY, n)
    quality = alive & (rng.random(n) < 0.015)
    returned_at = completed + rng.integers(1 * DAY, 14 * DAY, n)
    reviewed = alive & (rng.random(n) < 0.35)
    placed = completed + rng.integers(DAY // 2, 5 * DAY, n)
    stars = rng.choice([5, 4, 3, 2, 1], n, p=[0.70, 0.15, 0.05, 0.03, 0.07]).astype(np.int32)
    deleted = reviewed & (rng.random(n) < 0.02)
    deleted_at = placed + rng.integers(1 * DAY, 30 * DAY, n)
    none = np.iinfo(np.int64).min  # marks a null instant until the frames are built

    # RATING: gone at the deletion or the return, whichever first (only reviewed orders)
    rating_gone = np.full(n, none)
    rating_gone[deleted] = deleted_at[deleted]
    returned_review = reviewed & quality
    rating_gone[returned_review] = np.where(
        deleted[returned_review],
        np.minimum(deleted_at[returned_review], returned_at[returned_review]),
        returned_at[returned_review],
    )
    keep_rating = reviewed & ((rating_gone == none) | (rating_gone > placed))
    balance_gone = np.where(deleted, deleted_at, none)

    parts = {
        # indicator, ref kind, refs, at, numerator, denominator, weight, note, gone
        "cancellations": (
            "seller_cancellations", "order", codes, created, seller_cancel,
            np.ones(n, bool), np.ones(n, np.int32),
            np.where(seller_cancel, "seller-fault MERCHANT_OUT_OF_STOCK", None),
            np.full(n, none),
        ),
        "late": (
            "late_handovers", "order", codes[kaspi_delivery], handed[kaspi_delivery],
            late[kaspi_delivery], np.ones(kaspi_delivery.sum(), bool),
            np.ones(kaspi_delivery.sum(), np.int32),
            np.where(late[kaspi_delivery], "late by 1 h 30 min", None),
            np.full(kaspi_delivery.sum(), none),
        ),
        "completed": (
            "quality_returns", "order", codes[alive], completed[alive],
            np.zeros(alive.sum(), bool), np.ones(alive.sum(), bool),
            np.ones(alive.sum(), np.int32), np.full(alive.sum(), None),
            np.full(alive.sum(), none),
        ),
        "quality": (
            "quality_returns", "return", codes[quality], returned_at[quality],
            np.ones(quality.sum(), bool), np.zeros(quality.sum(), bool),
            np.ones(quality.sum(), np.int32), np.full(quality.sum(), "quality return: SKU"),
            np.full(quality.sum(), none),
        ),
        "rating": (
            "rating", "review", codes[keep_rating], placed[keep_rating],
            np.ones(keep_rating.sum(), bool), np.ones(keep_rating.sum(), bool),
            stars[keep_rating], np.full(keep_rating.sum(), None), rating_gone[keep_rating],
        ),
        "balance": (
            "reviews_balance", "review", codes[reviewed], placed[reviewed],
            stars[reviewed] <= 3, stars[reviewed] >= 4,
            np.ones(reviewed.sum(), np.int32), np.full(reviewed.sum(), None),
            balance_gone[reviewed],
        ),
    }  # fmt: skip
    names = ["indicator", "ref_kind", "ref", "at", "numerator", "denominator", "weight", "note"]
    columns: dict[str, list[np.ndarray[Any, Any]]] = {k: [] for k in [*names, "gone_at"]}
    for indicator, kind, refs, at, num, den, weight, note, gone in parts.values():
        size = len(at)
        columns["indicator"].append(np.full(size, indicator, dtype=object))
        columns["ref_kind"].append(np.full(size, kind, dtype=object))
        columns["ref"].append(refs)
        columns["at"].append(at)
        columns["numerator"].append(num)
        columns["denominator"].append(den)
        columns["weight"].append(weight)
        columns["note"].append(note.astype(object))
        columns["gone_at"].append(gone)
    return {k: np.concatenate(v) for k, v in columns.items()}


def polars_frame(arrays: dict[str, np.ndarray[Any, Any]]) -> pl.DataFrame:
    none = np.iinfo(np.int64).min
    gone = pl.col("gone_raw")
    return (
        pl.DataFrame(
            {
                "indicator": pl.Series(arrays["indicator"].tolist(), dtype=pl.String),
                "ref_kind": pl.Series(arrays["ref_kind"].tolist(), dtype=pl.String),
                "ref": pl.Series(arrays["ref"]).cast(pl.String),
                "at": pl.Series(arrays["at"]).cast(pl.Datetime("us", "UTC")),
                "numerator": arrays["numerator"],
                "denominator": arrays["denominator"],
                "weight": pl.Series(arrays["weight"], dtype=pl.Int32),
                "note": pl.Series(arrays["note"].tolist(), dtype=pl.String),
                "gone_raw": arrays["gone_at"],
            }
        )
        .with_columns(
            pl.when(gone == none)
            .then(None)
            .otherwise(gone)
            .cast(pl.Datetime("us", "UTC"))
            .alias("gone_at")
        )
        .drop("gone_raw")
        .cast(FACTS_FRAME_SCHEMA)  # type: ignore[arg-type]
    )


def pandas_frame(arrays: dict[str, np.ndarray[Any, Any]]) -> pd.DataFrame:
    none = np.iinfo(np.int64).min
    gone = pd.to_datetime(
        np.where(arrays["gone_at"] == none, 0, arrays["gone_at"]), unit="us", utc=True
    )
    return pd.DataFrame(
        {
            "indicator": arrays["indicator"],
            "ref_kind": arrays["ref_kind"],
            "ref": arrays["ref"].astype(str),
            "at": pd.to_datetime(arrays["at"], unit="us", utc=True),
            "numerator": arrays["numerator"],
            "denominator": arrays["denominator"],
            "weight": arrays["weight"],
            "note": arrays["note"],
            "gone_at": pd.Series(gone).where(arrays["gone_at"] != none),
        }
    )


Row = tuple[int, int, Decimal | None, str]  # numerator, denominator, value, status
#: today's indicators; per indicator the drill-down (numerator facts, denominator facts, refs of
#: the newest PAGE numerator facts); the series by (day, indicator)
Result = tuple[dict[str, Row], dict[str, tuple[int, int, list[str]]], dict[tuple[date, str], Row]]
PAGE = 50

# --- (b) the same definitions in plain pandas ----------------------------------------------


def pandas_status(indicator: str, num: int, den: int, orders: int, rules: QualityRules) -> str:
    """DOMAIN.md §1 and the brief's thresholds, written again without the engine."""
    if orders < rules.min_orders_30_days:  # no violations so far in this benchmark
        return "not_enough_data"
    if indicator == "reviews_balance":
        if num + den == 0:
            return "not_enough_data"
        return "critical" if num >= den else "ok"
    if indicator == "rating":
        if den < rules.rating_min_ratings:
            return "not_enough_data"
        value = Fraction(num, den)
        if value < Fraction(rules.rating_critical_below):
            return "critical"
        return "warning" if value < Fraction(rules.rating_good) else "ok"
    if den == 0:
        return "ok"
    critical, good = {
        "seller_cancellations": (rules.cancellations_critical_from, rules.cancellations_good),
        "late_handovers": (rules.late_critical_from, rules.late_good),
        "quality_returns": (rules.returns_critical_from, rules.returns_good),
    }[indicator]
    value = Fraction(num * 100, den)
    if value >= Fraction(critical):
        return "critical"
    return "warning" if value > Fraction(good) else "ok"


def pandas_value(indicator: str, num: int, den: int) -> Decimal | None:
    if den == 0:
        return None
    scale = 1 if indicator == "rating" else 100
    return (Decimal(num * scale) / Decimal(den)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def pandas_engine(df: pd.DataFrame, rules: QualityRules, split: bool = True) -> Result:
    windows = {
        "rating": rules.rating_window_days,
        "seller_cancellations": rules.cancellations_window_days,
        "late_handovers": rules.late_window_days,
        "quality_returns": rules.returns_window_days,
        "reviews_balance": rules.balance_window_days,
    }
    # split (default): the frame is split by indicator once and every mask runs on one part;
    # --whole-frame: every mask runs on the whole frame and tests the indicator too.
    if split:
        by_indicator = {name: part for name, part in df.groupby("indicator")}
    else:
        by_indicator = dict.fromkeys(windows, df)

    def window(as_of: date, days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        w = trailing_days(as_of, days, TZ)
        return pd.Timestamp(w.start), pd.Timestamp(w.end)

    def in_window(part: pd.DataFrame, name: str, as_of: date, days: int) -> pd.Series:
        start, end = window(as_of, days)
        gone = part["gone_at"]
        mask = (part["at"] >= start) & (part["at"] < end) & (gone.isna() | (gone >= end))
        return mask if split else mask & (part["indicator"] == name)

    def one_day(as_of: date) -> dict[str, tuple[int, int, Decimal | None, str]]:
        orders_part = by_indicator["seller_cancellations"]
        orders = int(
            (
                in_window(orders_part, "seller_cancellations", as_of, rules.min_orders_window_days)
                & orders_part["denominator"]
            ).sum()
        )
        out = {}
        for name, days in windows.items():
            part = by_indicator[name]
            mask = in_window(part, name, as_of, days)
            num = int(part.loc[mask & part["numerator"], "weight"].sum())
            den = int((mask & part["denominator"]).sum())
            out[name] = (
                num,
                den,
                pandas_value(name, num, den),
                pandas_status(name, num, den, orders, rules),
            )
        return out

    today = one_day(AS_OF)
    drill = {}
    for name, days in windows.items():
        part = by_indicator[name]
        mask = in_window(part, name, AS_OF, days)
        bad = part[mask & part["numerator"]]
        newest = bad.sort_values(["at", "ref"], ascending=[False, True]).head(PAGE)
        drill[name] = (len(bad), int((mask & part["denominator"]).sum()), list(newest["ref"]))
    series = {}
    for i in range(1, SERIES_DAYS + 1):
        day = AS_OF + timedelta(days=i)
        for name, row in one_day(day).items():
            series[(day, name)] = row
    return today, drill, series


# --- (a) Saudager --------------------------------------------------------------------------


def saudager_engine(facts: pl.DataFrame, rules: QualityRules) -> Result:
    values = compute_indicators(facts, AS_OF, TZ, rules)
    today = {
        str(ind): (v.numerator, v.denominator, v.value, str(v.status)) for ind, v in values.items()
    }
    drill = {}
    for ind, value in values.items():
        page = drilldown(facts, ind, AS_OF, TZ, rules, numerator_only=True, limit=PAGE)
        counts = value.details["numerator_facts"], value.details["denominator_facts"]
        drill[str(ind)] = (*counts, [fact.ref for fact in page])
    frame = daily_series(
        facts, AS_OF + timedelta(days=1), AS_OF + timedelta(days=SERIES_DAYS), TZ, rules
    )
    series = {
        (r["day"], r["indicator"]): (r["numerator"], r["denominator"], r["value"], r["status"])
        for r in frame.iter_rows(named=True)
    }
    return today, drill, series


def timed(label: str, fn: Any, *args: Any, repeat: int = 1) -> tuple[Any, float]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - started)
    print(f"{label:<44} {best:8.3f} s")
    return result, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument(
        "--whole-frame",
        action="store_true",
        help="pandas masks the whole frame each time instead of splitting it by indicator once",
    )
    args = parser.parse_args()
    rules = QualityRules()

    started = time.perf_counter()
    arrays = synthetic_facts(args.orders, args.seed)
    facts = polars_frame(arrays)
    table = pandas_frame(arrays)
    del arrays
    print(
        f"{args.orders:,} orders → {facts.height:,} facts "
        f"(built in {time.perf_counter() - started:.1f} s, not timed); as of {AS_OF}, {TZ}; "
        f"polars {pl.__version__}, pandas {pd.__version__}"
    )
    ours, ours_s = timed("(a) Saudager: indicators + drill-downs + series", saudager_engine, facts, rules, repeat=args.repeat)  # fmt: skip
    _, outlook_s = timed("(c) Saudager: outlook() (both scenarios, 30 d)", outlook, facts, AS_OF, TZ, rules, SERIES_DAYS, repeat=args.repeat)  # fmt: skip
    label = "(b) pandas:   the same" + (" (whole frame)" if args.whole_frame else "")
    theirs, theirs_s = timed(
        label, pandas_engine, table, rules, not args.whole_frame, repeat=args.repeat
    )

    same = ours == theirs
    print(f"ratio pandas / Saudager: {theirs_s / ours_s:.1f}×")
    print(f"same numbers: {'yes' if same else 'NO'}")
    today = ours[0]
    for name, (num, den, value, status) in today.items():
        print(f"  {name:<22} {num:>9,} / {den:>9,}  value {value!s:>7}  {status}")
    if not same:
        for part, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            for key in sorted(set(a) | set(b), key=str):
                if a.get(key) != b.get(key):
                    print(
                        f"  differs in part {part} at {key}: ours {a.get(key)} pandas {b.get(key)}"
                    )
        return 1
    print(f"indicators + drill-downs + the real outlook (a + c): {ours_s + outlook_s:.3f} s")
    target_met = ours_s + outlook_s <= 1.0 and theirs_s / ours_s >= 10
    print(f"targets (a + c ≤ 1 s, pandas / ours ≥ 10×): {'met' if target_met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
