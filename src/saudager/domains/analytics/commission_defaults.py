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
_REDUCED = 730  # 6.4 % without VAT: medicines, food, pet food
_PET_FOOD = _REDUCED

#: (category title, rate in bp with VAT)
_RATES: tuple[tuple[str, int], ...] = (
    ("*", _STANDARD),
    # Level 1 categories whose rows all carry the standard rate (source offsets 0-240 000 read
    # in full; the later categories from the earlier partial read).
    ("Автотовары", _STANDARD),
    ("Бытовая техника", _STANDARD),
    ("Детские товары", _STANDARD),  # including «Детское питание» (12,5 %, not the food rate)
    ("Досуг, книги", _STANDARD),
    ("Канцелярские товары", _STANDARD),
    ("Компьютеры", _STANDARD),
    ("Красота и здоровье", _STANDARD),
    ("Мебель", _STANDARD),
    ("Обувь", _STANDARD),
    ("Одежда", _STANDARD),
    ("Подарки, товары для праздников", _STANDARD),
    # «Аптека»: standard, except «Лекарства» and every one of its level 3 categories (7,3 %).
    ("Аптека", _STANDARD),
    ("Лекарства", _REDUCED),
    ("Противомикробные препараты", _REDUCED),
    ("Простуда, насморк, боль в горле", _REDUCED),
    ("При аллергии", _REDUCED),
    ("Нервная система", _REDUCED),
    ("Сердечно-сосудистые", _REDUCED),
    ("Здоровье глаз", _REDUCED),
    ("Витаминные препараты", _REDUCED),
    ("Дезинфицирующие средства", _REDUCED),
    ("Боль и воспаления", _REDUCED),
    ("Желудок, кишечник, печень", _REDUCED),
    ("Лечебные кремы, мази и масла", _REDUCED),
    ("Эндокринная система, диабет", _REDUCED),
    ("Кожа, волосы, ногти", _REDUCED),
    ("Мышцы, кости и суставы", _REDUCED),
    ("Гинекология и урология", _REDUCED),
    # «Продукты питания»: every row of the source is 6,4 % / 7,3 %. Listed: level 1 and all its
    # level 2 categories; its ~190 level 3 titles are NOT listed (a line carrying only such a
    # title takes the "*" rate) — a known gap.
    ("Продукты питания", _REDUCED),
    ("Алкоголь", _REDUCED),
    ("Все для выпечки", _REDUCED),
    ("Готовая еда", _REDUCED),
    ("Замороженные продукты, мороженое", _REDUCED),
    ("Колбасы, сосиски, деликатесы", _REDUCED),
    ("Консервация", _REDUCED),
    ("Крупы, хлопья, макароны", _REDUCED),
    ("Масла, соусы", _REDUCED),
    ("Молочные продукты, яйца", _REDUCED),
    ("Мясо и птица", _REDUCED),
    ("Овощи, фрукты, ягоды, грибы", _REDUCED),
    ("Рыба, морепродукты", _REDUCED),
    ("Сахар и заменители, соль, специи", _REDUCED),
    ("Сладости и выпечка", _REDUCED),
    ("Соевые и растительные продукты", _REDUCED),
    ("Соки, вода, напитки", _REDUCED),
    ("Сублимированная туристическая еда", _REDUCED),
    ("Хлебные изделия", _REDUCED),
    ("Чай, кофе, какао", _REDUCED),
    ("Чипсы, орехи, снэки", _REDUCED),
    # «Аксессуары» (level 1) mixes 12,5 % and 15,5 %, so it has no row of its own (ambiguous:
    # a line carrying only «Аксессуары» takes "*"). Uniform level 2 categories, then the
    # leaves of the two mixed ones («Часы», «Сумки, чемоданы, кошельки») and the odd ones.
    ("Аксессуары для одежды и обуви", _ACCESSORIES),
    ("Галстуки и бабочки", _ACCESSORIES),
    ("Ремни", _ACCESSORIES),
    ("Подтяжки", _ACCESSORIES),
    ("Аксессуары для одежды", _ACCESSORIES),
    ("Джиббитсы", _ACCESSORIES),
    ("Шапки, шарфы, перчатки", _ACCESSORIES),
    ("Перчатки и варежки", _ACCESSORIES),
    ("Шарфы и платки", _ACCESSORIES),
    ("Головные уборы", _ACCESSORIES),
    ("Зонты, брелоки и портсигары", _ACCESSORIES),
    ("Брелоки и ключницы", _ACCESSORIES),
    ("Портсигары и аксессуары для зажигалок", _ACCESSORIES),
    ("Зонты", _ACCESSORIES),
    ("Свадебные аксессуары", _ACCESSORIES),
    ("Очки и аксессуары", _STANDARD),
    ("Маски для сна", _STANDARD),
    ("Ювелирные часы", _ACCESSORIES),
    ("Карманные часы", _STANDARD),
    ("Часы наручные", _STANDARD),
    ("Ремешки и браслеты для часов", _STANDARD),
    ("Рюкзаки", _ACCESSORIES),
    ("Обложки для документов", _ACCESSORIES),
    ("Кошельки и визитницы", _ACCESSORIES),
    ("Сумки", _ACCESSORIES),
    ("Чемоданы", _STANDARD),
    ("Дорожные сумки", _STANDARD),
    ("Чехлы для чемоданов", _STANDARD),
    ("Дорожные аксессуары", _STANDARD),
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
