"""Sales reports: Saudager's analytics against plain pandas, and reading a shop from the store.

A synthetic shop of N order lines (default 1,000,000; about 0.7 N orders of 1–4 lines) over
10,000 SKUs and the 365 local days ending with the as-of day (Asia/Almaty) is generated with
numpy straight into the store's raw frames (``lines.RAW_LINES_SCHEMA``, returns, costs, ad
spend; not timed). SKU popularity is Zipf-like (the top 1 % of SKUs take about a third of the
lines), Жұма days sell 4×; 5 % of orders are cancelled, 1.5 % returned whole, 0.8 % of the rest
partly returned; the last 3 days are partly still being delivered. 95 % of SKUs have a purchase
cost, a quarter of those a second one from a day inside the year; 85 % of orders carry Kaspi's
delivery cost (the rest take the tariff); a shop-wide and 30 per-SKU advertising campaigns run
every day; packaging is set, so a line's profit is unknown only when its purchase cost is.

1. compute (timed, one step at a time): ``prepare_lines``/``prepare_returns`` and the
   commission table as ``AnalyticsService.sales`` builds them, ``cost_lines``, then through
   ``AnalyticsService``: summary by week over the year, ABC by revenue, XYZ, the ABC × XYZ
   matrix (each over the year), product statistics (last 30 days against the 30 before), tops
   and the profit change (same periods), unit economics of every SKU, and the Жұма stock plan
   (the next Жұма after the as-of day). Resident memory is sampled every 20 ms.
2. pandas (timed): the same definitions written out here in plain, vectorised pandas from the
   same raw frames (lines, returns, purchase costs, the commission table built as in step 1,
   ad spend, ``RULES``) — local day, returned units filled in line order, net units and
   revenue, purchase cost as of the sale day by ``pd.merge_asof``, tax; commission (the rate of
   (category, mode) as of the sale day by ``pd.merge_asof``, falling back to (category, "*"),
   ("*", mode), ("*", "*"), half-up on net revenue); delivery (Kaspi's cost, else 0 if
   cancelled, else the tariff bands for Kaspi-delivered orders by total weight and order
   total) and packaging/other per order, each split among the order's lines by line total;
   advertising per (day, SKU) split by units and per day split by line total; every split by
   largest remainder, ties to the earlier line; profit, null when any cost is. So it computes
   the same cost set as ``cost_lines``. Then the weekly summary (revenue, units, orders,
   purchase cost, profit of the lines with every cost known less the spend no line carries),
   ABC classes by revenue, per-SKU statistics of the two periods, top 10 by revenue. It checks
   that every line's commission, delivery, advertising, other and profit (matched by order
   code and line number, nulls included), revenue, units, orders, purchase cost and profit per
   week, every SKU's ABC class, the per-SKU units, orders, revenue, returned units and
   cancelled orders of both periods, and the top 10 are identical, and prints pandas / ours for
   the comparable part (preparing, ``cost_lines``, summary, ABC, product statistics, tops).
   That part of ours still also computes the status breakdowns, cost shares, margins and
   markups of the summary, the product statistics' other columns and the other nine tops.
   pandas runs with its default ``str`` columns (pyarrow is not installed here).
3. load: the shop is written into a fresh SQLite file and a fresh PostgreSQL database
   (``saudager_bench_analytics`` on 127.0.0.1, dropped afterwards) through the store
   (``upsert_products``, ``add_product_costs``, ``upsert_orders`` in batches of 1,000,
   ``upsert_returns``, ``add_ad_spend``; the time is printed, not compared), then
   ``SqlStore.transaction()`` → ``tx.sales_frames(shop_id)`` is timed on each, with the peak
   resident memory, and the lines read back are checked against the generated ones.

    python benchmarks/analytics_reports.py [--lines 1000000] [--seed 7] [--skip-postgres]
        [--skip-load]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import polars as pl

from peak_memory import PeakMemory, high_water_mb
from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.core.timewindows import trailing_days
from saudager.domains.analytics.commission_defaults import default_commissions
from saudager.domains.analytics.costs import cost_lines
from saudager.domains.analytics.lines import (
    RAW_LINES_SCHEMA,
    RAW_RETURNS_SCHEMA,
    prepare_lines,
    prepare_returns,
)
from saudager.domains.analytics.records import AdSpend
from saudager.domains.analytics.rules import AnalyticsRules, DeliveryTariff
from saudager.domains.analytics.service import AnalyticsService, ShopSales
from saudager.domains.analytics.types import AD_SPEND_SCHEMA, COMMISSION_SCHEMA, COSTS_SCHEMA
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import Order, OrderLine, Return
from saudager.domains.quality.eligibility import DEFAULT_JUMA_CALENDAR
from saudager.domains.shops.types import Shop

TZ = "Asia/Almaty"
AS_OF = date(2026, 8, 25)
DAYS = 365
FIRST = AS_OF - timedelta(days=DAYS - 1)
PERIOD_B = (AS_OF - timedelta(days=29), AS_OF)
PERIOD_A = (AS_OF - timedelta(days=59), AS_OF - timedelta(days=30))
SKUS = 10_000
US = 1_000_000
HOUR = 3_600 * US
DAY = 24 * HOUR
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "saudager_bench_analytics"
RULES = AnalyticsRules(packaging_per_order_tiyn=15_000, juma_commission_uplift_bp=300)
CATEGORIES = (
    "Автотовары", "Бытовая техника", "Детские товары", "Компьютеры", "Красота и здоровье",
    "Одежда", "Обувь", "Лекарства", "Мебель", "Канцелярские товары", "Прочее без тарифа",
)  # fmt: skip
STATUS_NAMES = ("COMPLETED", "CANCELLED", "RETURNED", "ACCEPTED_BY_MERCHANT")
STATE_NAMES = ("ARCHIVE", "ARCHIVE", "ARCHIVE", "KASPI_DELIVERY")
NULL = np.iinfo(np.int64).min
_T = TypeVar("_T")


# --- the synthetic shop ------------------------------------------------------------------


@dataclass
class Synthetic:
    """The shop as arrays: per order (``o_*``), per line (``l_*``), per SKU (``s_*``)."""

    o_created: np.ndarray[Any, Any]  # epoch µs UTC
    o_status: np.ndarray[Any, Any]  # index into STATUS_NAMES
    o_done: np.ndarray[Any, Any]  # completed_at or cancelled_at, epoch µs
    o_total: np.ndarray[Any, Any]
    o_delivery: np.ndarray[Any, Any]  # NULL: not given
    o_credit: np.ndarray[Any, Any]  # bool: PAY_WITH_CREDIT, else PREPAID
    o_first_line: np.ndarray[Any, Any]  # index of the order's first line (n_orders + 1 long)
    l_sku: np.ndarray[Any, Any]
    l_qty: np.ndarray[Any, Any]
    l_price: np.ndarray[Any, Any]
    s_category: np.ndarray[Any, Any]
    s_weight: np.ndarray[Any, Any]  # grams, NULL: unknown
    s_stock: np.ndarray[Any, Any]  # NULL: unknown
    returns: pl.DataFrame  # RAW_RETURNS_SCHEMA
    costs: pl.DataFrame  # COSTS_SCHEMA
    ad_spend: pl.DataFrame  # AD_SPEND_SCHEMA

    @property
    def orders(self) -> int:
        return len(self.o_created)


def sku_name(index: int) -> str:
    return f"SKU-{index:05d}"


def synthetic(n_lines: int, seed: int, as_of: date = AS_OF) -> Synthetic:
    """The shop of ``n_lines`` lines over the ``DAYS`` local days ending with ``as_of``."""
    first_day = as_of - timedelta(days=DAYS - 1)
    rng = np.random.default_rng(seed)
    # Orders of 1–4 lines (1.43 on average), cut to exactly n_lines lines.
    sizes = rng.choice([1, 2, 3, 4], size=int(n_lines / 1.43 * 1.1) + 10, p=[0.7, 0.2, 0.07, 0.03])
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n_lines))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cum[last]) - n_lines
    n = len(sizes)
    first_line = np.concatenate([[0], np.cumsum(sizes)])
    order_of_line = np.repeat(np.arange(n), sizes)

    # Days: slow growth, a weekly rhythm, Жұма days 4×.
    days = np.array([first_day + timedelta(days=i) for i in range(DAYS)])
    weight = np.linspace(0.8, 1.2, DAYS) * np.array(
        [[1.0, 1.0, 1.0, 1.05, 1.15, 1.2, 0.9][d.weekday()] for d in days]
    )
    weight *= np.array([4.0 if any(d in w for w in DEFAULT_JUMA_CALENDAR) else 1.0 for d in days])
    start_us = int(trailing_days(as_of, DAYS, TZ).start.timestamp()) * US
    day = np.sort(rng.choice(DAYS, size=n, p=weight / weight.sum()))
    created = start_us + day * DAY + np.sort(rng.integers(0, DAY, n))
    created = np.sort(created)
    recent = day >= DAYS - 3
    kind = rng.random(n)
    status = np.where(kind < 0.05, 1, np.where(kind < 0.065, 2, 0))
    status = np.where(recent & (status == 0) & (rng.random(n) < 0.7), 3, status)
    done = np.where(
        status == 1,
        created + rng.integers(1 * HOUR, 24 * HOUR, n),
        np.where(status == 3, NULL, created + rng.integers(1 * DAY, 5 * DAY, n)),
    )

    # SKUs: Zipf-like popularity, shuffled so that the best sellers are not the first names.
    popularity = 1.0 / (np.arange(SKUS) + 5.0) ** 1.05
    rank_to_sku = rng.permutation(SKUS)
    l_sku = rank_to_sku[rng.choice(SKUS, size=n_lines, p=popularity / popularity.sum())]
    base = np.clip(np.round(np.exp(rng.normal(np.log(8_000), 0.9, SKUS))), 300, 500_000) * 100
    change_day = np.where(rng.random(SKUS) < 0.4, rng.integers(30, DAYS, SKUS), DAYS + 1)
    change = rng.choice([0.9, 1.1], SKUS)
    line_day = day[order_of_line]
    factor = np.where(line_day >= change_day[l_sku], change[l_sku], 1.0)
    l_price = (np.round(base[l_sku] * factor / 100) * 100).astype(np.int64)
    l_qty = rng.choice([1, 2, 3], size=n_lines, p=[0.85, 0.10, 0.05]).astype(np.int64)
    o_total = np.add.reduceat(l_price * l_qty, first_line[:-1])
    given = (status != 1) & (rng.random(n) < 0.85)
    o_delivery = np.where(given, rng.integers(0, 1_500, n) * 100, NULL)

    s_category = rng.integers(0, len(CATEGORIES), SKUS)
    s_weight = np.where(
        rng.random(SKUS) < 0.9, np.round(np.exp(rng.normal(np.log(800), 1.0, SKUS))), NULL
    ).astype(np.int64)
    s_stock = np.where(rng.random(SKUS) < 0.9, rng.integers(0, 200, SKUS), NULL)

    # Returns: whole returned orders, and one unit of the first line of 0.8 % of the others.
    code = (100_000_000 + order_of_line).astype(str)
    lines_of = pl.DataFrame(
        {"order": order_of_line, "sku": l_sku, "qty": l_qty, "line": np.arange(n_lines)}
    )
    whole = lines_of.filter(pl.Series(status[order_of_line] == 2))
    partial_orders = (status == 0) & ((sizes > 1) | (l_qty[first_line[:-1]] > 1))
    partial_orders &= rng.random(n) < 0.008
    partial = lines_of.filter(pl.Series(partial_orders[order_of_line])).filter(
        pl.col("line") == pl.first("line").over("order")
    )
    back = pl.concat(
        [
            whole.group_by("order", "sku").agg(pl.col("qty").sum()),
            partial.select("order", "sku", qty=pl.lit(1, pl.Int64)),
        ]
    ).sort("order", "sku")
    orders_back = back["order"].to_numpy()
    returned_at = done[orders_back] + rng.integers(2 * DAY, 10 * DAY, len(back))
    returns = pl.DataFrame(
        {
            "order_code": code[first_line[orders_back]],
            "sku": [sku_name(s) for s in back["sku"].to_list()],
            "quantity": back["qty"],
            "reason": np.where(rng.random(len(back)) < 0.6, "quality", "other"),
            "returned_at": _instants(returned_at),
        }
    ).cast(RAW_RETURNS_SCHEMA)  # type: ignore[arg-type]

    # Purchase costs: 95 % of SKUs from before the year, a quarter of those changed in it.
    costed = np.flatnonzero(rng.random(SKUS) < 0.95)
    unit_cost = np.round(base[costed] * rng.uniform(0.35, 0.75, len(costed)))
    second = rng.random(len(costed)) < 0.25
    costs = pl.DataFrame(
        {
            "sku": [sku_name(s) for s in costed] + [sku_name(s) for s in costed[second]],
            "effective_from": [first_day - timedelta(days=30)] * len(costed)
            + [
                first_day + timedelta(days=int(d))
                for d in rng.integers(30, DAYS, int(second.sum()))
            ],
            "purchase_cost_tiyn": np.concatenate(
                [unit_cost, np.round(unit_cost[second] * rng.uniform(0.9, 1.15, int(second.sum())))]
            ).astype(np.int64),
        }
    ).cast(COSTS_SCHEMA)  # type: ignore[arg-type]

    # Advertising: a shop-wide campaign and one campaign per top-30 SKU, every day.
    top = rank_to_sku[:30]
    ads_day, ads_sku, ads_campaign, ads_amount = [], [], [], []
    for d in days:
        ads_day.append(d)
        ads_sku.append(None)
        ads_campaign.append("shop")
        ads_amount.append(int(rng.integers(5_000, 20_000)) * 100)
        for s in top:
            ads_day.append(d)
            ads_sku.append(sku_name(int(s)))
            ads_campaign.append(f"sku-{int(s)}")
            ads_amount.append(int(rng.integers(1_000, 5_000)) * 100)
    ad_spend = pl.DataFrame(
        {"day": ads_day, "sku": ads_sku, "campaign": ads_campaign, "amount_tiyn": ads_amount},
        schema=AD_SPEND_SCHEMA,
    )
    return Synthetic(
        o_created=created, o_status=status, o_done=done, o_total=o_total, o_delivery=o_delivery,
        o_credit=rng.random(n) < 0.3, o_first_line=first_line, l_sku=l_sku, l_qty=l_qty,
        l_price=l_price, s_category=s_category, s_weight=s_weight, s_stock=s_stock,
        returns=returns, costs=costs, ad_spend=ad_spend,
    )  # fmt: skip


def _instants(us: np.ndarray[Any, Any]) -> pl.Series:
    values = pl.Series(us, dtype=pl.Int64)
    values = pl.select(pl.when(values != NULL).then(values)).to_series()
    return values.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def raw_lines(shop: Synthetic) -> pl.DataFrame:
    """The lines as ``SqlStoreTx.sales_frames`` reads them (``RAW_LINES_SCHEMA``)."""
    sizes = np.diff(shop.o_first_line)
    order = np.repeat(np.arange(shop.orders), sizes)
    line_no = np.arange(len(order)) - shop.o_first_line[order] + 1
    status = shop.o_status[order]
    names = pl.Series([sku_name(i) for i in range(SKUS)])
    products = pl.Series([f"Товар {i}" for i in range(SKUS)])
    categories = pl.Series(CATEGORIES)
    done = shop.o_done[order]
    frame = pl.DataFrame(
        {
            "order_code": (100_000_000 + order).astype(str),
            "line_no": line_no,
            "sku": names.gather(shop.l_sku),
            "product_name": products.gather(shop.l_sku),
            "category": categories.gather(shop.s_category[shop.l_sku]),
            "quantity": shop.l_qty,
            "unit_price_tiyn": shop.l_price,
            "line_total_tiyn": shop.l_price * shop.l_qty,
            "order_total_tiyn": shop.o_total[order],
            "created_at": _instants(shop.o_created[order]),
            "state": np.array(STATE_NAMES)[status],
            "status": np.array(STATUS_NAMES)[status],
            "completed_at": _instants(np.where(np.isin(status, (0, 2)), done, NULL)),
            "cancelled_at": _instants(np.where(status == 1, done, NULL)),
            "payment_mode": np.where(shop.o_credit[order], "PAY_WITH_CREDIT", "PREPAID"),
            "is_kaspi_delivery": np.ones(len(order), bool),
            "order_delivery_cost_tiyn": _nullable(shop.o_delivery[order]),
            "weight_g": _nullable(shop.s_weight[shop.l_sku]),
        }
    )
    return frame.cast(RAW_LINES_SCHEMA).select(list(RAW_LINES_SCHEMA))  # type: ignore[arg-type]


def _nullable(values: np.ndarray[Any, Any]) -> pl.Series:
    series = pl.Series(values, dtype=pl.Int64)
    return pl.select(pl.when(series != NULL).then(series)).to_series()


def stock_of(shop: Synthetic) -> dict[str, int | None]:
    return {sku_name(i): None if v == NULL else int(v) for i, v in enumerate(shop.s_stock)}


# --- 1. Saudager ---------------------------------------------------------------------------


class Steps:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def run(self, name: str, step: Callable[[], _T]) -> _T:
        started = time.perf_counter()
        result = step()
        self.times[name] = time.perf_counter() - started
        return result


COMPARABLE = ("prepare", "cost_lines", "summary", "abc", "products", "tops")


def commission_table() -> pl.DataFrame:
    """The commission rows as ``AnalyticsService.sales`` builds them (no seller rows here)."""
    seller = pl.DataFrame(schema=COMMISSION_SCHEMA)
    return pl.concat([seller, default_commissions()], how="vertical").unique(
        subset=["category", "payment_mode", "effective_from"], keep="first"
    )


def ours(shop: Synthetic, lines_raw: pl.DataFrame) -> tuple[Steps, dict[str, Any]]:
    service = AnalyticsService(None, RULES, DEFAULT_JUMA_CALENDAR)  # type: ignore[arg-type]
    steps = Steps()
    stock = stock_of(shop)

    def prepare() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        lines, returns = prepare_lines(lines_raw, TZ), prepare_returns(shop.returns, TZ)
        return lines, returns, commission_table()

    lines, returns, commissions = steps.run("prepare", prepare)
    costed = steps.run(
        "cost_lines",
        lambda: cost_lines(lines, returns, shop.costs, commissions, shop.ad_spend, RULES),
    )
    sales = ShopSales(
        shop=Shop(id=1, name="bench", timezone=TZ), lines=lines, costed=costed, costs=shop.costs,
        commissions=commissions, ad_spend=shop.ad_spend, stock=stock,
    )  # fmt: skip
    out = {"costed": costed, "commissions": commissions}
    return steps, {**out, **report_set(service, sales, steps)}


def report_set(service: AnalyticsService, sales: ShopSales, steps: Steps) -> dict[str, Any]:
    """Every report of the issue's set, each a step of ``steps``."""
    year = (FIRST, AS_OF)
    out: dict[str, Any] = {}
    out["summary"] = steps.run("summary", lambda: service.summary(sales, year, "week"))
    out["abc"] = steps.run("abc", lambda: service.abc(sales, year, "revenue"))
    out["xyz"] = steps.run("xyz", lambda: service.xyz(sales, year))
    out["matrix"] = steps.run("matrix", lambda: service.matrix(sales, year, "revenue"))
    out["products"] = steps.run("products", lambda: service.products(sales, PERIOD_B, PERIOD_A))
    out["tops"] = steps.run("tops", lambda: service.tops(sales, PERIOD_B, 10))
    out["profit_change"] = steps.run(
        "profit_change", lambda: service.profit_change(sales, PERIOD_B, PERIOD_A)
    )
    out["unit_economics"] = steps.run(
        "unit_economics", lambda: service.unit_economics(sales, AS_OF, Decimal("0.2"))
    )
    out["zhuma"] = steps.run("zhuma", lambda: service.zhuma(sales, AS_OF))
    return out


def from_store(url: str, shop_id: int) -> None:
    """Run in a fresh process: the shop read from the store by ``AnalyticsService.sales`` (load,
    prepare, cost) and every report, with this process's peak resident memory from its start."""
    engine = create_engine_for(url)
    store = SqlStore(engine)
    with store.transaction() as tx:
        shop = tx.get_shop(shop_id)
    service = AnalyticsService(store, RULES, DEFAULT_JUMA_CALENDAR)
    steps = Steps()
    sales = steps.run("load and cost (AnalyticsService.sales)", lambda: service.sales(shop))
    report_set(service, sales, steps)
    reports = sum(t for name, t in steps.times.items() if not name.startswith("load"))
    peak = high_water_mb()
    first = next(iter(steps.times.values()))
    print(f"    fresh process: load and cost {first:.2f} s, every report {reports:.3f} s; "
          f"peak RSS of the whole process {peak:.0f} MB")  # fmt: skip
    engine.dispose()


# --- 2. plain pandas ------------------------------------------------------------------------


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Column by column through numpy and lists (pyarrow is not installed); nulls as pandas'."""
    columns: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        series = frame[name]
        if isinstance(dtype, pl.Datetime):
            us = series.dt.epoch("us").to_numpy()
            columns[name] = pd.to_datetime(us, unit="us", utc=True)
        elif dtype == pl.Date:
            columns[name] = pd.to_datetime(series.cast(pl.Int32).to_numpy(), unit="D")
        elif dtype in (pl.Int64, pl.Int32):
            columns[name] = pd.array(series.to_list(), dtype="Int64")
        elif dtype == pl.Boolean:
            columns[name] = series.to_numpy()
        else:
            columns[name] = pd.array(series.to_list(), dtype="str")
    return pd.DataFrame(columns)


def half_up_bp(amount: pd.Series, rate_bp: pd.Series | int) -> pd.Series:
    product = amount * rate_bp
    return (product + 5_000) // 10_000  # net revenue is never negative here


def split_exact(
    amount: pd.Series, weight: pd.Series, group: pd.Series, position: pd.Series
) -> pd.Series:
    """Each group's ``amount`` (the same on each of its rows) split among its rows by
    ``weight`` by largest remainder: floor shares, then one tiyn each to the largest
    remainders, the earlier ``position`` first on a tie. Null or negative weights count as 0,
    all-zero weights split equally; a null amount gives null parts."""
    a = amount.fillna(0).astype("int64")
    w = weight.fillna(0).clip(lower=0).astype("int64")
    total = w.groupby(group).transform("sum")
    equal = total == 0
    w = w.mask(equal, 1)
    total = total.mask(equal, w.groupby(group).transform("size"))
    share = a * w
    base = share // total
    remainder = share - base * total
    left = a - base.groupby(group).transform("sum")
    # Only groups whose floors fall short hand out tiyn: rank just their rows.
    short = pd.DataFrame({"g": group, "r": remainder, "p": position, "left": left})[
        left > 0
    ].sort_values(["g", "r", "p"], ascending=[True, False, True])
    winners = short.index[short.groupby("g").cumcount() < short["left"]]
    base.loc[winners] += 1
    return base.astype("Int64").where(amount.notna())


def tariff_cost(tariff: DeliveryTariff, weight: pd.Series, total: pd.Series) -> pd.Series:
    """``DeliveryTariff.cost_for`` per row: the first band that fits, else null."""
    fits = []
    for band in tariff.bands:
        ok = pd.Series(True, index=weight.index)
        if band.max_weight_g is not None:
            ok &= (weight <= band.max_weight_g).fillna(False).astype(bool)
        if band.max_order_total_tiyn is not None:
            ok &= (total <= band.max_order_total_tiyn).fillna(False).astype(bool)
        fits.append(ok.to_numpy())
    cost = np.select(fits, [band.cost_tiyn for band in tariff.bands], default=-1)
    return pd.Series(cost, index=weight.index, dtype="Int64").mask(cost < 0)


def pandas_reports(
    lines: pd.DataFrame,
    returns: pd.DataFrame,
    costs: pd.DataFrame,
    commissions: pd.DataFrame,
    ad_spend: pd.DataFrame,
    rules: AnalyticsRules,
) -> dict[str, Any]:
    df = lines.copy()
    # The line's place in the input: splits give ties to the earlier line, as ours.
    df["at"] = np.arange(len(df))
    df["sale_day"] = df["created_at"].dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    df["cancelled"] = df["status"].isin(["CANCELLED", "CANCELLING"])
    # Returned units: an order's returns of a SKU fill its lines in line order.
    back = returns.groupby(["order_code", "sku"], as_index=False)["quantity"].sum()
    df = df.merge(back.rename(columns={"quantity": "ret"}), on=["order_code", "sku"], how="left")
    df = df.sort_values(["order_code", "sku", "line_no"], kind="stable")
    before = df.groupby(["order_code", "sku"])["quantity"].cumsum() - df["quantity"]
    returned = (df["ret"].fillna(0) - before).clip(lower=0)
    df["returned"] = np.minimum(returned, df["quantity"])
    df["net"] = df["quantity"].where(~df["cancelled"], 0) - df["returned"].where(
        ~df["cancelled"], 0
    )
    df["revenue"] = df["unit_price_tiyn"] * df["net"]
    # Purchase cost in effect on the sale day.
    df = df.sort_values("sale_day", kind="stable")
    right = costs.sort_values("effective_from")
    df = pd.merge_asof(
        df, right, left_on="sale_day", right_on="effective_from", by="sku", direction="backward"
    )
    df["purchase"] = (df["purchase_cost_tiyn"] * df["net"]).where(df["net"] != 0, 0)
    df["tax"] = half_up_bp(df["revenue"], rules.tax_bp)

    # Commission: the rate in effect on the sale day for (category, mode), else (category, *),
    # (*, mode), (*, *). A few thousand (category, mode, day) combinations stand for all the
    # lines: the rate is found for each, then merged back.
    keys = ["category", "payment_mode", "sale_day"]
    combos = df[keys].drop_duplicates().sort_values("sale_day", kind="stable")
    table = commissions[["category", "payment_mode", "effective_from", "rate_bp"]]
    table = table.sort_values("effective_from", kind="stable")
    rate = pd.Series(pd.NA, index=combos.index, dtype="Int64")
    for by_category, by_mode in ((True, True), (True, False), (False, True), (False, False)):
        probe = combos.assign(
            category=combos["category"] if by_category else "*",
            payment_mode=combos["payment_mode"] if by_mode else "*",
        )
        found = pd.merge_asof(
            probe, table, left_on="sale_day", right_on="effective_from",
            by=["category", "payment_mode"], direction="backward",
        )  # fmt: skip
        # The most specific row in effect wins, even if a less specific one is newer.
        rate = rate.fillna(found["rate_bp"].set_axis(combos.index))
    df = df.merge(combos.assign(rate=rate), on=keys, how="left")
    df["commission"] = half_up_bp(df["revenue"], df["rate"])

    # Delivery and packaging/other per order, split among its lines by line total. Order
    # columns (Kaspi's delivery cost, total, delivery flag) repeat on each of its lines.
    order = df.groupby("order_code", sort=False).ngroup()
    cancelled = df["cancelled"].groupby(order).transform("all")
    line_weight = df["weight_g"] * df["quantity"]
    weight = line_weight.groupby(order).transform("sum")
    weight = weight.mask(line_weight.isna().groupby(order).transform("any"))  # unknown if any is
    tariff = tariff_cost(rules.delivery_tariff, weight, df["order_total_tiyn"])
    delivery = tariff.where(df["is_kaspi_delivery"]).mask(cancelled, 0)
    delivery = df["order_delivery_cost_tiyn"].fillna(delivery)  # Kaspi's cost first
    per_order = rules.packaging_per_order_tiyn
    if per_order is not None:
        per_order += rules.other_per_order_tiyn
    other = pd.Series(per_order, index=df.index, dtype="Int64").mask(cancelled, 0)
    df["delivery"] = split_exact(delivery, df["line_total_tiyn"], order, df["at"])
    df["other"] = split_exact(other, df["line_total_tiyn"], order, df["at"])

    # Advertising: a SKU's spend on a day among that day's lines of the SKU by units, spend
    # without SKU among all the day's lines by line total (cancelled lines included).
    with_sku = ad_spend["sku"].notna()
    per_sku = ad_spend[with_sku].groupby(["day", "sku"], as_index=False)["amount_tiyn"].sum()
    per_day = ad_spend[~with_sku].groupby("day", as_index=False)["amount_tiyn"].sum()
    narrow = df[["at", "sale_day", "sku", "quantity", "line_total_tiyn"]]
    by_sku = narrow.merge(per_sku, left_on=["sale_day", "sku"], right_on=["day", "sku"])
    sku_group = by_sku.groupby(["sale_day", "sku"]).ngroup()
    sku_parts = split_exact(by_sku["amount_tiyn"], by_sku["quantity"], sku_group, by_sku["at"])
    by_day = narrow.merge(per_day, left_on="sale_day", right_on="day")
    day_parts = split_exact(
        by_day["amount_tiyn"], by_day["line_total_tiyn"], by_day["sale_day"], by_day["at"]
    )
    spent = pd.concat([sku_parts.set_axis(by_sku["at"]), day_parts.set_axis(by_day["at"])])
    df["advertising"] = df["at"].map(spent.groupby(level=0).sum()).fillna(0).astype("Int64")

    # Profit: null when any cost is (pandas' nullable Int64 carries the nulls through).
    df["profit"] = df["revenue"]
    for cost in ("purchase", "commission", "delivery", "advertising", "tax", "other"):
        df["profit"] -= df[cost]

    # Weekly summary over the year.
    year = df[(df["sale_day"] >= pd.Timestamp(FIRST)) & (df["sale_day"] <= pd.Timestamp(AS_OF))]
    week = year["sale_day"] - pd.to_timedelta(year["sale_day"].dt.day_of_week, unit="D")
    alive = year.assign(week=week)
    weekly = alive.groupby("week").agg(
        revenue=("revenue", "sum"), units=("net", "sum"), purchase=("purchase", "sum")
    )
    weekly["orders"] = alive[~alive["cancelled"]].groupby("week")["order_code"].nunique()
    # Profit of the lines with every cost known, less the week's spend no line carries.
    in_year = ad_spend[
        (ad_spend["day"] >= pd.Timestamp(FIRST)) & (ad_spend["day"] <= pd.Timestamp(AS_OF))
    ]
    ad_week = in_year["day"] - pd.to_timedelta(in_year["day"].dt.day_of_week, unit="D")
    unattached = in_year.groupby(ad_week)["amount_tiyn"].sum().reindex(weekly.index, fill_value=0)
    unattached -= alive.groupby("week")["advertising"].sum()
    weekly["profit"] = alive.groupby("week")["profit"].sum() - unattached

    # ABC by revenue over the year.
    value = year.groupby("sku")["revenue"].sum().reset_index()
    value = value.sort_values(["revenue", "sku"], ascending=[False, True], kind="stable")
    positive = value["revenue"] > 0
    total = int(value.loc[positive, "revenue"].sum())
    running_before = value["revenue"].where(positive, 0).cumsum() - value["revenue"].where(
        positive, 0
    )
    cls = np.where(
        ~positive,
        "C",
        np.where(running_before * 100 < total * 80, "A",
                 np.where(running_before * 100 < total * 95, "B", "C")),
    )  # fmt: skip
    abc = pd.Series(cls, index=value["sku"].to_numpy())

    # Per-SKU statistics of the two periods, and the top 10 by revenue of the later one.
    def period(first: date, last: date) -> pd.DataFrame:
        part = df[(df["sale_day"] >= pd.Timestamp(first)) & (df["sale_day"] <= pd.Timestamp(last))]
        grouped = part.groupby("sku")
        stats = grouped.agg(
            units=("net", "sum"),
            orders=("order_code", "nunique"),
            revenue=("revenue", "sum"),
            purchase=("purchase", lambda s: s.sum() if s.notna().all() else pd.NA),
        )
        stats["returned_units"] = (
            part["returned"].where(~part["cancelled"], 0).groupby(part["sku"]).sum()
        )
        cancelled = part[part["cancelled"]].groupby("sku")["order_code"].nunique()
        stats["cancelled_orders"] = cancelled.reindex(stats.index, fill_value=0)
        return stats

    stats_a, stats_b = period(*PERIOD_A), period(*PERIOD_B)
    products = stats_a.join(stats_b, how="outer", suffixes=("_a", "_b")).fillna(
        {f"{c}_{p}": 0 for c in ("units", "orders", "revenue", "returned_units",
                                 "cancelled_orders") for p in "ab"}
    )  # fmt: skip
    top = stats_b.reset_index().sort_values(
        ["revenue", "sku"], ascending=[False, True], kind="stable"
    )
    costed = df[["order_code", "line_no", *COMPARED_COSTS.values()]]
    return {
        "weekly": weekly, "abc": abc, "products": products, "top10": list(top["sku"][:10]),
        "lines": costed,
    }  # fmt: skip


#: The per-line costs compared: ours (``COSTED_LINES_SCHEMA``) → pandas' column.
COMPARED_COSTS = {
    "commission_tiyn": "commission", "delivery_tiyn": "delivery",
    "advertising_tiyn": "advertising", "other_tiyn": "other", "profit_tiyn": "profit",
}  # fmt: skip


def _from_pandas(series: pd.Series) -> pl.Series:
    """A nullable ``Int64`` or ``str`` pandas column as Polars, nulls kept (no pyarrow here)."""
    if series.dtype == "Int64":
        values = pl.Series(series.to_numpy(dtype=np.int64, na_value=0))
        return pl.select(pl.when(pl.Series(series.notna().to_numpy())).then(values)).to_series()
    return pl.Series(series.to_numpy(dtype=object), dtype=pl.String)


def check_lines(costed: pl.DataFrame, theirs: pd.DataFrame) -> list[str]:
    """Every line's costs and profit, matched by (order_code, line_no), nulls included."""
    keys = ["order_code", "line_no"]
    mine = costed.select(*keys, *COMPARED_COSTS)
    other = pl.DataFrame({name: _from_pandas(theirs[name]) for name in theirs.columns})
    other = other.rename({b: f"{a}_pd" for a, b in COMPARED_COSTS.items()})
    problems: list[str] = []
    if other.select(keys).n_unique() != len(other) or len(other) != mine.height:
        problems.append(f"lines: ours {mine.height:,}, pandas {len(other):,} (or keys repeat)")
    joined = mine.join(other, on=keys, how="full", coalesce=True)
    for column in COMPARED_COSTS:
        differ = joined.filter(~pl.col(column).eq_missing(pl.col(f"{column}_pd")))
        if differ.height:
            first = differ.row(0, named=True)
            problems.append(f"{column}: {differ.height:,} lines differ, e.g. {first}")
    return problems


def check(ours_out: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The figures both compute, compared exactly; the differences found (empty: identical)."""
    problems: list[str] = []
    summary: pl.DataFrame = ours_out["summary"]
    weekly = theirs["weekly"]
    by_week = {row["period_start"]: row for row in summary.iter_rows(named=True)}
    for week, row in weekly.iterrows():
        start = max(week.date(), FIRST)
        mine = by_week.get(start)
        if mine is None:
            problems.append(f"week {start}: missing in ours")
            continue
        pairs = (("revenue_tiyn", "revenue"), ("units", "units"), ("orders", "orders"),
                 ("purchase_tiyn", "purchase"), ("profit_tiyn", "profit"))  # fmt: skip
        for a, b in pairs:
            if int(mine[a]) != int(row[b]):
                problems.append(f"week {start} {a}: ours {mine[a]}, pandas {row[b]}")
    sold_weeks = summary.filter(pl.col("revenue_tiyn") != 0).height
    if len(weekly) != sold_weeks:
        problems.append(f"weeks with sales: ours {sold_weeks}, pandas {len(weekly)}")
    abc: pl.DataFrame = ours_out["abc"]
    mine_abc = dict(zip(abc["sku"], abc["class"], strict=True))
    theirs_abc = theirs["abc"].to_dict()
    if mine_abc != theirs_abc:
        differ = [s for s in mine_abc.keys() | theirs_abc.keys()
                  if mine_abc.get(s) != theirs_abc.get(s)]  # fmt: skip
        problems.append(f"ABC: {len(differ)} SKUs differ, e.g. {sorted(differ)[:5]}")
    products: pl.DataFrame = ours_out["products"]
    pp = theirs["products"]
    if products.height != len(pp):
        problems.append(f"product stats: ours {products.height} SKUs, pandas {len(pp)}")
    else:
        for column in ("units", "orders", "revenue_tiyn", "returned_units", "cancelled_orders"):
            their_name = column.replace("_tiyn", "")
            for p in "ab":
                mine_col = products[f"{column}_{p}"].to_list()
                their_col = [int(v) for v in pp[f"{their_name}_{p}"].to_list()]
                if mine_col != their_col:
                    problems.append(f"product stats {column}_{p} differ")
    problems += check_lines(ours_out["costed"], theirs["lines"])
    top10 = ours_out["tops"]["by_revenue"]["sku"].to_list()
    if top10 != theirs["top10"]:
        problems.append(f"top 10 by revenue: ours {top10}, pandas {theirs['top10']}")
    return problems


# --- 3. the store ---------------------------------------------------------------------------


def _at(us: int) -> datetime | None:
    return None if us == NULL else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _tenge(tiyn: int) -> Decimal:
    return Decimal(tiyn).scaleb(-2)


def order_batches(shop: Synthetic, size: int = 1000) -> Iterator[list[Order]]:
    names = [sku_name(i) for i in range(SKUS)]
    for start in range(0, shop.orders, size):
        stop = min(start + size, shop.orders)
        first, last = int(shop.o_first_line[start]), int(shop.o_first_line[stop])
        sku, qty = shop.l_sku[first:last].tolist(), shop.l_qty[first:last].tolist()
        price = shop.l_price[first:last].tolist()
        bounds = (shop.o_first_line[start : stop + 1] - first).tolist()
        batch = []
        for k, i in enumerate(range(start, stop)):
            status = int(shop.o_status[i])
            done = int(shop.o_done[i])
            lines = tuple(
                OrderLine(
                    line_no=j - bounds[k] + 1, sku=names[sku[j]], quantity=qty[j],
                    unit_price=_tenge(price[j]), total_price=_tenge(price[j] * qty[j]),
                    product_name=f"Товар {sku[j]}",
                    category=CATEGORIES[int(shop.s_category[sku[j]])],
                )
                for j in range(bounds[k], bounds[k + 1])
            )  # fmt: skip
            delivery = int(shop.o_delivery[i])
            batch.append(
                Order(
                    code=str(100_000_000 + i), created_at=_at(int(shop.o_created[i])),  # type: ignore[arg-type]
                    state=STATE_NAMES[status], status=STATUS_NAMES[status],
                    total_price=_tenge(int(shop.o_total[i])), is_kaspi_delivery=True,
                    completed_at=_at(done) if status in (0, 2) else None,
                    cancelled_at=_at(done) if status == 1 else None,
                    delivery_cost_for_seller=None if delivery == NULL else _tenge(delivery),
                    payment_mode="PAY_WITH_CREDIT" if shop.o_credit[i] else "PREPAID",
                    lines=lines,
                )
            )  # fmt: skip
        yield batch


def write_shop(store: SqlStore, shop: Synthetic) -> int:
    with store.transaction() as tx:
        shop_id = tx.add_shop("bench", TZ, None, None).id
        tx.upsert_products(
            shop_id,
            [
                Product(
                    sku=sku_name(i), name=f"Товар {i}", category=CATEGORIES[int(shop.s_category[i])],
                    weight_kg=None if shop.s_weight[i] == NULL else Decimal(int(shop.s_weight[i])).scaleb(-3),
                    stock=None if shop.s_stock[i] == NULL else int(shop.s_stock[i]),
                )
                for i in range(SKUS)
            ],
        )  # fmt: skip
        tx.add_product_costs(
            shop_id,
            [ProductCost(sku, day, _tenge(cost)) for sku, day, cost in shop.costs.iter_rows()],
        )
    for batch in order_batches(shop):
        with store.transaction() as tx:
            tx.upsert_orders(shop_id, batch)
    rows = shop.returns.iter_rows(named=True)
    returns = [
        Return(key=f"{r['order_code']}/{r['sku']}", order_code=r["order_code"], sku=r["sku"],
               quantity=r["quantity"], reason=r["reason"], created_at=r["returned_at"])
        for r in rows
    ]  # fmt: skip
    with store.transaction() as tx:
        for i in range(0, len(returns), 1000):
            tx.upsert_returns(shop_id, returns[i : i + 1000])
        tx.add_ad_spend(
            shop_id,
            [AdSpend(day, _tenge(amount), sku, campaign)
             for day, sku, campaign, amount in shop.ad_spend.iter_rows()],
        )  # fmt: skip
    return shop_id


def load(label: str, url: str, shop: Synthetic, expected: pl.DataFrame) -> None:
    engine = create_engine_for(url)
    try:
        upgrade_to_head(engine)
        store = SqlStore(engine)
        started = time.perf_counter()
        shop_id = write_shop(store, shop)
        print(f"{label}: written through the store in {time.perf_counter() - started:.1f} s "
              f"(not timed)")  # fmt: skip
        with PeakMemory() as memory:
            started = time.perf_counter()
            with store.transaction() as tx:
                frames = tx.sales_frames(shop_id)
            seconds = time.perf_counter() - started
        keys = ["order_code", "line_no"]
        same = frames.lines.sort(keys).equals(expected.sort(keys))
        same_returns = frames.returns.sort(["order_code", "sku"]).equals(
            shop.returns.sort(["order_code", "sku"])
        )
        print(f"{label}: sales_frames {frames.lines.height:,} lines, {frames.returns.height:,} "
              f"returns, {frames.costs.height:,} costs, {frames.ad_spend.height:,} ad rows: "
              f"{seconds:.2f} s; peak RSS {memory.peak:.0f} MB (before {memory.before:.0f} MB); "
              f"lines equal to the generated ones: {same}, returns: {same_returns}")  # fmt: skip
        del frames
        # Everything a server does for this shop, from a clean start: the peak is the process's.
        subprocess.run(
            [sys.executable, __file__, "--from-store", url, "--shop-id", str(shop_id)], check=True
        )
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = create_engine_for(PG_ADMIN, isolation_level="AUTOCOMMIT")
    from sqlalchemy import text

    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {PG_DB}"))
        yield f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        admin.dispose()


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--from-store", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--shop-id", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.from_store:
        from_store(args.from_store, args.shop_id)
        return

    started = time.perf_counter()
    shop = synthetic(args.lines, args.seed)
    lines_raw = raw_lines(shop)
    print(f"shop: {lines_raw.height:,} lines, {shop.orders:,} orders, "
          f"{lines_raw['sku'].n_unique():,} SKUs sold, {shop.returns.height:,} returns, "
          f"{shop.costs.height:,} costs ({shop.costs['sku'].n_unique():,} SKUs), "
          f"{shop.ad_spend.height:,} ad rows, {FIRST}…{AS_OF}; "
          f"generated in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip

    with PeakMemory() as memory:
        steps, out = ours(shop, lines_raw)
    total = sum(steps.times.values())
    print("saudager (polars), per step:")
    for name, seconds in steps.times.items():
        mark = " *" if name in COMPARABLE else ""
        print(f"  {name:<15} {seconds:7.3f} s{mark}")
    comparable = sum(steps.times[name] for name in COMPARABLE)
    print(f"  {'total':<15} {total:7.3f} s   (* comparable part: {comparable:.3f} s)")
    print(f"  peak RSS during compute: {memory.peak:.0f} MB (before: {memory.before:.0f} MB)")
    costed: pl.DataFrame = out["costed"]
    plan = out["zhuma"].plan
    print(f"  costed lines with unknown profit: {costed['profit_tiyn'].null_count():,}; "
          f"ABC classes {dict(out['abc']['class'].value_counts().iter_rows())}; "
          f"Жұма {out['zhuma'].sale.start}: {len(plan.skus):,} SKUs planned, "
          f"{plan.units_to_order:,} units to order, {plan.packing.packers_needed} packers")  # fmt: skip

    frames = [
        to_pandas(frame)
        for frame in (lines_raw, shop.returns, shop.costs, out["commissions"], shop.ad_spend)
    ]
    started = time.perf_counter()
    theirs = pandas_reports(*frames, RULES)
    pandas_seconds = time.perf_counter() - started
    del frames
    problems = check(out, theirs)
    print(f"pandas (same definitions, same costs): {pandas_seconds:.3f} s")
    print(f"ratio pandas / ours (comparable part): {pandas_seconds / comparable:.1f}×")
    if problems:
        print(f"CHECK FAILED: {len(problems)} differences")
        for problem in problems[:20]:
            print(f"  {problem}")
    else:
        print("check: per-line commission/delivery/advertising/other/profit, weekly "
              "revenue/units/orders/purchase/profit, ABC classes, per-SKU stats of both periods "
              "and the top 10 by revenue are identical")  # fmt: skip
    del out, theirs, costed, plan

    if args.skip_load:
        return
    with tempfile.TemporaryDirectory() as home:
        load("sqlite", f"sqlite:///{home}/saudager.db", shop, lines_raw)
    if not args.skip_postgres:
        with postgres_database() as url:
            load("postgresql", url, shop, lines_raw)


if __name__ == "__main__":
    main()
