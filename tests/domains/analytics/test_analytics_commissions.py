"""The shipped commission table (``commission_defaults``): shape, sanity, spot checks."""

from __future__ import annotations

from datetime import date

import polars as pl

from saudager.domains.analytics.commission_defaults import (
    COMMISSION_ROWS,
    EFFECTIVE_FROM,
    default_commissions,
)
from saudager.domains.analytics.types import COMMISSION_SCHEMA


def _rate(category: str) -> int:
    frame = default_commissions().filter(pl.col("category") == category)
    assert frame.height == 1, category
    return int(frame["rate_bp"][0])


def test_loads_into_schema() -> None:
    frame = default_commissions()
    assert dict(frame.schema) == COMMISSION_SCHEMA
    assert frame.height == len(COMMISSION_ROWS)
    assert frame.null_count().sum_horizontal()[0] == 0


def test_categories_unique_per_mode_and_day() -> None:
    frame = default_commissions()
    keys = frame.select("category", "payment_mode", "effective_from")
    assert not keys.is_duplicated().any()


def test_rates_within_bounds_and_conventions() -> None:
    frame = default_commissions()
    assert all(0 <= rate <= 3000 for rate in frame["rate_bp"].to_list())
    assert set(frame["payment_mode"]) == {"*"}
    assert set(frame["effective_from"]) == {EFFECTIVE_FROM} == {date(2026, 1, 1)}
    assert all("Tarify_Magazina_na_Kaspi_kz_2026.md" in s for s in frame["source"])


def test_fallback_row() -> None:
    assert _rate("*") == 1250


def test_spot_checks_against_source() -> None:
    # "Аптека Лекарства Противомикробные препараты Противомикробные препараты 6,4% 7,3%"
    assert _rate("Противомикробные препараты") == 730
    assert _rate("Лекарства") == 730
    # "Аптека Оптика Контактные линзы Контактные линзы 10,9% 12,5%"
    assert _rate("Аптека") == 1250
    # "Аксессуары Сумки, чемоданы, кошельки Рюкзаки Рюкзаки 13,5% 15,5%"
    assert _rate("Рюкзаки") == 1550
    # "Аксессуары Сумки, чемоданы, кошельки Чемоданы Чемоданы 10,9% 12,5%"
    assert _rate("Чемоданы") == 1250
    # "Аксессуары Часы Ювелирные часы Ювелирные часы 13,5% 15,5%"
    assert _rate("Ювелирные часы") == 1550
    # "Продукты питания Чай, кофе, какао Чай Чай 6,4% 7,3%"
    assert _rate("Продукты питания") == 730
    assert _rate("Чай, кофе, какао") == 730
    # "Детские товары Детское питание Молочные смеси Молочные смеси 10,9% 12,5%"
    assert _rate("Детские товары") == 1250
    # "Мебель Спальня Матрасы Матрасы 10,9% 12,5%"
    assert _rate("Мебель") == 1250


def test_no_level_one_row_for_mixed_accessories() -> None:
    # «Аксессуары» mixes 12,5 % and 15,5 %: deliberately no row of its own.
    assert default_commissions().filter(pl.col("category") == "Аксессуары").height == 0
