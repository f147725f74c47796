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


def _listed(category: str) -> bool:
    return default_commissions().filter(pl.col("category") == category).height > 0


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


def test_spot_checks_against_source_from_offset_240000() -> None:
    # Exceptions found when the source from offset 240 000 to the end was compared row by row.
    # "ТВ, Аудио, Видео Аудиотехника Чехлы для наушников Чехлы для наушников 13,5% 15,5%"
    assert _rate("Чехлы для наушников") == 1550
    # "ТВ, Аудио, Видео Аудиотехника Амбушюры для наушников Амбушюры для наушников 10,9% 12,5%"
    assert _rate("ТВ, Аудио, Видео") == 1250
    # "Товары для животных Для грызунов Корма для грызунов Корма для грызунов 6,4% 7,3%"
    assert _rate("Корма для грызунов") == 730
    # "Товары для животных Для грызунов Лакомства для грызунов Лакомства для грызунов 6,4% 7,3%"
    assert _rate("Лакомства для грызунов") == 730
    # "Товары для животных Для грызунов Игрушки для грызунов Игрушки для грызунов 10,9% 12,5%"
    assert _rate("Товары для животных") == 1250
    assert not _listed("Игрушки для грызунов")
    # "Украшения Серьги Серьги Серьги 13,5% 15,5%"
    assert _rate("Серьги") == 1550
    # "Украшения Кольца Кольца бижутерные Кольца бижутерные 13,5% 15,5%"
    assert _rate("Кольца бижутерные") == 1550
    # "Телефоны и гаджеты Аксессуары для телефонов Чехлы для смартфонов Чехлы для смартфонов
    #  13,5% 15,5%"
    assert _rate("Чехлы для смартфонов") == 1550
    # "Телефоны и гаджеты Аксессуары для телефонов Дополнительное оборудование для смартфонов
    #  Дополнительное оборудование для смартфона 13,5% 15,5%"
    assert _rate("Дополнительное оборудование для смартфонов") == 1550
    assert _rate("Дополнительное оборудование для смартфона") == 1550
    # "Телефоны и гаджеты Аксессуары для телефонов Зарядные устройства Зарядные устройства
    #  10,9% 12,5%"
    assert _rate("Зарядные устройства") == 1250
    # "Строительство, ремонт Электрика Розетки и выключатели Розетки Розетки 10,9% 12,5%"
    assert _rate("Строительство, ремонт") == 1250


def test_food_lower_level_titles_listed() -> None:
    # "Продукты питания Молочные продукты, яйца Курт, жент Курт, жент 6,4% 7,3%"
    assert _rate("Курт, жент") == 730
    # "Продукты питания Соки, вода, напитки Вода Вода 6,4% 7,3%"
    assert _rate("Вода") == 730
    # "Продукты питания Чай, кофе, какао Кофе зерновой и молотый Кофе зерновой, молотый 6,4% 7,3%"
    assert _rate("Кофе зерновой и молотый") == 730
    assert _rate("Кофе зерновой, молотый") == 730
    # "Продукты питания Сахар и заменители, соль, специи Товары для изготовления колбас
    #  Старты для изготовления колбас 6,4% 7,3%"
    assert _rate("Старты для изготовления колбас") == 730
    # ...while baby food stays standard: "Детские товары Детское питание Детская вода Детская
    # вода 10,9% 12,5%" (a different title from «Вода»).
    assert not _listed("Детская вода")
    assert _rate("Детские товары") == 1250
    # Rows at 7,3 %: food 176 (level 1, 20 level 2, 151 level 3 and 4 differing level 4
    # titles), «Лекарства» and its 15 level 3 titles (16), pet food and litter (13).
    reduced = default_commissions().filter(pl.col("rate_bp") == 730)
    assert reduced.height == 176 + 16 + 13


def test_no_level_one_row_for_mixed_accessories() -> None:
    # «Аксессуары» mixes 12,5 % and 15,5 %: deliberately no row of its own.
    assert default_commissions().filter(pl.col("category") == "Аксессуары").height == 0


def test_no_row_for_other_mixed_titles() -> None:
    # Titles whose rows mix two rates take "*": «Телефоны и гаджеты» (14 of 38 rows at 15,5 %),
    # «Часы» («Ювелирные часы» 15,5 %, the rest 12,5 %), «Для кошек» (food 7,3 %, toys 12,5 %).
    for title in ("Телефоны и гаджеты", "Часы", "Сумки, чемоданы, кошельки", "Для кошек"):
        assert not _listed(title), title
