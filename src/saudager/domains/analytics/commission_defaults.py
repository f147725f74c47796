"""Kaspi's 2026 sales commission per category, as data (rows of ``COMMISSION_SCHEMA``).

Source: the table «Тарифы Магазина на Kaspi.kz 2026», as published in the public GitHub repository
``Admjral/cube-demper-full`` (file ``Tarify_Magazina_na_Kaspi_kz_2026.md``, commit ``b991f798``),
read on 2026-02 for this module. The table lists every category path (levels 1–5) with the
commission "без НДС" and "с НДС"; it has no payment-mode column, so every row here applies to
every payment mode (``"*"``). We ship the rate *with* VAT: that is what a seller on the simplified
regime, who cannot offset VAT, pays. What was and was not checked: ``docs/analytics.md``.

Categories are matched on the exact title a sales line carries (any level of Kaspi's path); a
category not listed takes the ``"*"`` row — 12.5 %, the rate of the large majority of rows.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from saudager.domains.analytics.types import COMMISSION_SCHEMA

SOURCE = (
    "Тарифы Магазина на Kaspi.kz 2026 (с НДС), via github.com/Admjral/cube-demper-full "
    "Tarify_Magazina_na_Kaspi_kz_2026.md @b991f798, read 2026-02"
)
#: The table is titled 2026 and gives no start day: 1 January 2026 is assumed.
EFFECTIVE_FROM = date(2026, 1, 1)

_STANDARD = 1250  # 10.9 % without VAT
_ACCESSORIES = 1550  # 13.5 % without VAT
_PET_FOOD = 730  # 6.4 % without VAT

#: (category title, rate in bp with VAT)
_RATES: tuple[tuple[str, int], ...] = (
    ("*", _STANDARD),
    # Level 1 categories whose sampled rows all carry the standard rate.
    ("Автотовары", _STANDARD),
    ("Аптека", _STANDARD),
    ("Бытовая техника", _STANDARD),
    ("Канцелярские товары", _STANDARD),
    ("Компьютеры", _STANDARD),
    ("Одежда", _STANDARD),
    ("Спорт, туризм", _STANDARD),
    ("Строительство, ремонт", _STANDARD),
    ("ТВ, Аудио, Видео", _STANDARD),
    ("Товары для дома и дачи", _STANDARD),
    # Higher rates.
    ("Украшения", _ACCESSORIES),
    ("Аксессуары для телефонов", _ACCESSORIES),
    # ...except these two, listed under «Аксессуары для телефонов» at the standard rate.
    ("Внешние аккумуляторы", _STANDARD),
    ("Зарядные устройства", _STANDARD),
    ("Смартфоны", _STANDARD),
    ("Смарт-часы", _STANDARD),
    # Pet food and litter: lower rate (the rest of «Товары для животных» is standard).
    ("Товары для животных", _STANDARD),
    ("Сухие корма для кошек", _PET_FOOD),
    ("Влажные корма для кошек", _PET_FOOD),
    ("Лакомства для кошек", _PET_FOOD),
    ("Сухие корма для собак", _PET_FOOD),
    ("Влажные корма для собак", _PET_FOOD),
    ("Лакомства для собак", _PET_FOOD),
    ("Корма для птиц", _PET_FOOD),
    ("Лакомства для птиц", _PET_FOOD),
    ("Корма для рыб и рептилий", _PET_FOOD),
    ("Наполнители туалета для животных", _PET_FOOD),
    ("Комбикорма для сельскохозяйственных животных", _PET_FOOD),
)

#: Rows of ``COMMISSION_SCHEMA``: (category, payment_mode, effective_from, rate_bp, source).
COMMISSION_ROWS: tuple[tuple[str, str, date, int, str], ...] = tuple(
    (category, "*", EFFECTIVE_FROM, rate, SOURCE) for category, rate in _RATES
)


def default_commissions() -> pl.DataFrame:
    """The shipped table as a frame in ``COMMISSION_SCHEMA``."""
    return pl.DataFrame(list(COMMISSION_ROWS), schema=COMMISSION_SCHEMA, orient="row")
