"""Kaspi's 2026 sales commission per category, as data (rows of ``COMMISSION_SCHEMA``).

Source: the table «Тарифы Магазина на Kaspi.kz 2026», as published in the public GitHub repository
``Admjral/cube-demper-full`` (file ``Tarify_Magazina_na_Kaspi_kz_2026.md``, commit ``b991f798``),
read on 2026-02 for this module. The table lists every category path (levels 1–5) with the
commission "без НДС" and "с НДС"; it has no payment-mode column, so every row here applies to
every payment mode (``"*"``). We ship the rate *with* VAT: that is what a seller on the simplified
regime, who cannot offset VAT, pays. The whole source was read and every row compared with this
table; what was and was not checked: ``docs/analytics.md``.

Categories are matched on the exact title a sales line carries (any level of Kaspi's path); a
category not listed takes the ``"*"`` row — 12.5 %, the rate of the large majority of rows. So
every title of every row whose rate is not 12.5 % is listed, except titles whose rows mix two
rates (such as «Аксессуары», «Часы», «Для кошек»; all named in ``docs/analytics.md``): a line
carrying only such a title takes ``"*"``. Titles at 12.5 % are listed at level 1, and below it
only inside a category of another or mixed rate. No title occurs in the source twice with
different rates, so the exact-title match has no ambiguity for the source's own titles.
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
    # Level 1 categories whose rows all carry the standard rate (the whole source was read and
    # compared row by row; see docs/analytics.md).
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
    ("Спорт, туризм", _STANDARD),  # including «Спортивное питание» (12,5 %)
    ("Строительство, ремонт", _STANDARD),
    ("Товары для дома и дачи", _STANDARD),
    # «ТВ, Аудио, Видео»: standard except one level 3 category at the accessories rate.
    ("ТВ, Аудио, Видео", _STANDARD),
    ("Чехлы для наушников", _ACCESSORIES),
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
    # «Продукты питания»: all 152 rows of the source are 6,4 % / 7,3 %. Listed: level 1, its 20
    # level 2 categories, then every level 3 title and the four level 4 titles that differ
    # from their level 3 one, so a line carrying only a lower-level title gets 7,3 % too.
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
    # under «Алкоголь»
    ("Абсент, Самбука", _REDUCED),
    ("Бренди", _REDUCED),
    ("Вермут", _REDUCED),
    ("Вино", _REDUCED),
    ("Виски", _REDUCED),
    ("Водка", _REDUCED),
    ("Джин", _REDUCED),
    ("Игристые вина, шампанское", _REDUCED),
    ("Ингредиенты для приготовления алкоголя", _REDUCED),
    ("Кальвадос", _REDUCED),
    ("Коньяк, бренди", _REDUCED),
    ("Ликер", _REDUCED),
    ("Настойки и бальзамы", _REDUCED),
    ("Пиво", _REDUCED),
    ("Подарочные наборы алкоголя", _REDUCED),
    ("Портвейн", _REDUCED),
    ("Ром", _REDUCED),
    ("Сидр, коктейли", _REDUCED),
    ("Текила", _REDUCED),
    ("Чача", _REDUCED),
    # under «Все для выпечки»
    ("Декор для выпечки", _REDUCED),
    ("Ингредиенты для выпечки", _REDUCED),
    ("Мука", _REDUCED),
    ("Смеси для выпечки", _REDUCED),
    # under «Готовая еда»
    ("Боулы", _REDUCED),
    ("Вторые блюда", _REDUCED),
    ("Выпечка и сдоба", _REDUCED),
    ("Заготовки для приготовления блюд", _REDUCED),
    ("Каши, яйцо отварное, омлет", _REDUCED),
    ("Первые блюда", _REDUCED),
    ("Пироги, пицца", _REDUCED),
    ("Рационы на каждый день", _REDUCED),
    ("Салаты", _REDUCED),
    ("Суши и роллы", _REDUCED),
    ("Сэндвичи, бутерброды, шаурма", _REDUCED),
    ("Шашлыки", _REDUCED),
    # under «Замороженные продукты, мороженое»
    ("Замороженная выпечка и десерты", _REDUCED),
    ("Замороженная готовая еда", _REDUCED),
    ("Замороженные овощи, смеси, грибы", _REDUCED),
    ("Замороженные полуфабрикаты", _REDUCED),
    ("Замороженные фрукты и ягоды", _REDUCED),
    ("Лед", _REDUCED),
    ("Мороженое", _REDUCED),
    # under «Колбасы, сосиски, деликатесы»
    ("Колбасы", _REDUCED),
    ("Копчености и деликатесы", _REDUCED),
    ("Сосиски, сардельки, колбаски", _REDUCED),
    # under «Консервация»
    ("Варенье, повидло, протертые ягоды", _REDUCED),
    ("Грибы консервированные", _REDUCED),
    ("Кукуруза и бобы консервированные", _REDUCED),
    ("Маслины, оливки, каперсы", _REDUCED),
    ("Маслины, оливки, каперсы консервированные", _REDUCED),
    ("Мед и продукты пчеловодства", _REDUCED),
    ("Мясная консервация", _REDUCED),
    ("Овощная консервация", _REDUCED),
    ("Рыбная консервация", _REDUCED),
    ("Томатная паста", _REDUCED),
    ("Фруктово-ягодная консервация", _REDUCED),
    ("Холодные блюда и закуски", _REDUCED),
    # under «Крупы, хлопья, макароны»
    ("Каши", _REDUCED),
    ("Крупы и бобовые", _REDUCED),
    ("Лапша и пюре быстрого приготовления", _REDUCED),
    ("Макаронные изделия", _REDUCED),
    ("Сухие завтраки", _REDUCED),
    # under «Масла, соусы»
    ("Бульоны и заправки для супа", _REDUCED),
    ("Горчица и хрен", _REDUCED),
    ("Майонез", _REDUCED),
    ("Маринады и аджика", _REDUCED),
    ("Растительные масла", _REDUCED),
    ("Соусы, кетчупы", _REDUCED),
    ("Уксус", _REDUCED),
    # under «Молочные продукты, яйца»
    ("Закваски для молочных продуктов", _REDUCED),
    ("Йогурт", _REDUCED),
    ("Кефир, Тан, Айран", _REDUCED),
    ("Курт, жент", _REDUCED),
    ("Масло, маргарин", _REDUCED),
    ("Молоко, сухое молоко, сливки", _REDUCED),
    ("Растительное молоко, сливки, коктейли", _REDUCED),
    ("Сгущенное молоко", _REDUCED),
    ("Сметана", _REDUCED),
    ("Сырки и бисквиты", _REDUCED),
    ("Сыры", _REDUCED),
    ("Творог и творожная масса", _REDUCED),
    ("Творожки и десерты", _REDUCED),
    ("Яйца", _REDUCED),
    # under «Мясо и птица»
    ("Мясные полуфабрикаты", _REDUCED),
    ("Мясо", _REDUCED),
    ("Птица", _REDUCED),
    ("Стейки", _REDUCED),
    ("Фарш", _REDUCED),
    ("Шашлык, колбаски для жарки", _REDUCED),
    # under «Овощи, фрукты, ягоды, грибы»
    ("Грибы", _REDUCED),
    ("Зелень, салаты", _REDUCED),
    ("Овощи", _REDUCED),
    ("Фрукты", _REDUCED),
    ("Ягоды", _REDUCED),
    # under «Рыба, морепродукты»
    ("Икра", _REDUCED),
    ("Морепродукты", _REDUCED),
    ("Полуфабрикаты из рыбы и морепродуктов", _REDUCED),
    ("Пресервы", _REDUCED),
    ("Рыба", _REDUCED),
    # under «Сахар и заменители, соль, специи»
    ("Пищевые консерванты, антиоксиданты", _REDUCED),
    ("Сахар и заменители", _REDUCED),
    ("Сиропы и топпинги", _REDUCED),
    ("Соль", _REDUCED),
    ("Специи и приправы", _REDUCED),
    ("Старты для изготовления колбас", _REDUCED),
    ("Товары для изготовления колбас", _REDUCED),
    # under «Сладости и выпечка»
    ("Батончики и печенье протеиновое, злаковое", _REDUCED),
    ("Восточные сладости", _REDUCED),
    ("Жевательная резинка", _REDUCED),
    ("Зефир, пастила, безе", _REDUCED),
    ("Кексы, рулеты, бисквиты", _REDUCED),
    ("Конфеты", _REDUCED),
    ("Коржи для торта", _REDUCED),
    ("Кукурузные палочки", _REDUCED),
    ("Мармелад", _REDUCED),
    ("Печенье и крекеры", _REDUCED),
    ("Пряники и вафли", _REDUCED),
    ("Сладкие подарочные наборы", _REDUCED),
    ("Сушки и баранки", _REDUCED),
    ("Торты, пирожные", _REDUCED),
    ("Фрукты и орехи в глазури", _REDUCED),
    ("Шоколад и шоколадные батончики", _REDUCED),
    ("Шоколадная и ореховая паста, урбеч", _REDUCED),
    ("Шоколадные батончики и плитки", _REDUCED),
    # under «Соки, вода, напитки»
    ("Вода", _REDUCED),
    ("Газированные напитки и лимонады", _REDUCED),
    ("Квас, комбуча", _REDUCED),
    ("Смеси для приготовления десертов и напитков", _REDUCED),
    ("Соки, нектары, морсы", _REDUCED),
    ("Холодный кофе", _REDUCED),
    ("Холодный чай", _REDUCED),
    ("Энергетические напитки", _REDUCED),
    # under «Сублимированная туристическая еда»
    ("Вторые блюда сублимированные", _REDUCED),
    ("Первые блюда сублимированные", _REDUCED),
    # under «Хлебные изделия»
    ("Тарталетки и креманки", _REDUCED),
    ("Хлеб, лаваш, лепешки", _REDUCED),
    # under «Чай, кофе, какао»
    ("Какао и горячий шоколад", _REDUCED),
    ("Капсулы для кофемашин", _REDUCED),
    ("Кофе зерновой и молотый", _REDUCED),
    ("Кофе зерновой, молотый", _REDUCED),
    ("Кофе растворимый", _REDUCED),
    ("Цикорий", _REDUCED),
    ("Чай", _REDUCED),
    # under «Чипсы, орехи, снэки»
    ("Закуски", _REDUCED),
    ("Морские водоросли, листы для суши", _REDUCED),
    ("Овощные, фруктовые и ягодные снеки", _REDUCED),
    ("Орехи", _REDUCED),
    ("Попкорн", _REDUCED),
    ("Семечки и семена", _REDUCED),
    ("Суперфуды", _REDUCED),
    ("Сухарики", _REDUCED),
    ("Сухофрукты", _REDUCED),
    ("Хлебцы", _REDUCED),
    ("Чипсы", _REDUCED),
    # «Аксессуары» (level 1) mixes the two rates — 17 of its 29 rows at 15,5 %, 12 at 12,5 % —
    # so it has no row of its own (ambiguous: a line carrying only «Аксессуары» takes "*").
    # Uniform level 2 categories, then the leaves of the two mixed ones («Часы», «Сумки,
    # чемоданы, кошельки») and the odd ones.
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
    # «Украшения»: every row at the accessories rate. Its level 2 and lower titles are listed
    # too, so a line carrying only «Серьги» or «Кольца бижутерные» gets 15,5 %, not "*".
    ("Украшения", _ACCESSORIES),
    ("Браслеты", _ACCESSORIES),
    ("Браслеты бижутерные", _ACCESSORIES),
    ("Броши", _ACCESSORIES),
    ("Броши бижутерные", _ACCESSORIES),
    ("Запонки и зажимы", _ACCESSORIES),
    ("Запонки и зажимы бижутерные", _ACCESSORIES),
    ("Колье", _ACCESSORIES),
    ("Колье бижутерные", _ACCESSORIES),
    ("Кольца", _ACCESSORIES),
    ("Кольца бижутерные", _ACCESSORIES),
    ("Комплекты украшений", _ACCESSORIES),
    ("Комплекты бижутерии", _ACCESSORIES),
    ("Комплекты ювелирных украшений", _ACCESSORIES),
    ("Пирсинг", _ACCESSORIES),
    ("Пирсинг бижутерный", _ACCESSORIES),
    ("Подвески и шармы", _ACCESSORIES),
    ("Подвески", _ACCESSORIES),
    ("Подвески и шармы бижутерные", _ACCESSORIES),
    ("Шармы", _ACCESSORIES),
    ("Посуда и сувениры из драгоценных металлов", _ACCESSORIES),
    ("Серьги", _ACCESSORIES),
    ("Серьги бижутерные", _ACCESSORIES),
    ("Украшения на тело", _ACCESSORIES),
    ("Цепи", _ACCESSORIES),
    ("Цепи и бусы бижутерные", _ACCESSORIES),
    ("Четки", _ACCESSORIES),
    ("Ювелирные четки", _ACCESSORIES),
    ("Ювелирное оборудование, подставки и фурнитура", _ACCESSORIES),
    ("Ювелирное оборудование и расходные материалы", _ACCESSORIES),
    ("Ювелирные весы", _ACCESSORIES),
    ("Фурнитура для украшений", _ACCESSORIES),
    ("Средства для чистки ювелирных изделий", _ACCESSORIES),
    ("Подставки и держатели для украшений", _ACCESSORIES),
    ("Ювелирные изделия для волос", _ACCESSORIES),
    ("Ювелирные ремешки и браслеты для часов", _ACCESSORIES),
    # «Телефоны и гаджеты» (level 1) has no row: 14 of its 38 rows are at 15,5 %, so "*"
    # (12,5 %, its majority) answers for it. «Аксессуары для телефонов» is at 15,5 %, and so
    # is each of its level 3 titles, listed so a line carrying only one of them gets 15,5 %...
    ("Аксессуары для телефонов", _ACCESSORIES),
    ("Чехлы для смартфонов", _ACCESSORIES),
    ("Чехлы для зарядных устройств и кабелей", _ACCESSORIES),
    ("Защитные пленки и стекла для смартфонов", _ACCESSORIES),
    ("Вакуумные сепараторы", _ACCESSORIES),
    ("Инструменты для обслуживания смартфонов", _ACCESSORIES),
    ("Увеличительные экраны для смартфонов", _ACCESSORIES),
    ("Смарт-линзы для смартфонов", _ACCESSORIES),
    ("Системы охлаждения для смартфонов", _ACCESSORIES),
    ("Держатели для телефонов", _ACCESSORIES),
    ("Дисплеи для смартфонов", _ACCESSORIES),
    ("Кабели и переходники для смартфонов", _ACCESSORIES),
    ("Наклейки для телефонов", _ACCESSORIES),
    ("Дополнительное оборудование для смартфонов", _ACCESSORIES),
    ("Дополнительное оборудование для смартфона", _ACCESSORIES),  # its level 4 spelling
    ("Аккумуляторы для телефонов", _ACCESSORIES),
    # ...except these two, listed under «Аксессуары для телефонов» at the standard rate.
    ("Внешние аккумуляторы", _STANDARD),
    ("Зарядные устройства", _STANDARD),
    # Standard level 2 titles of «Телефоны и гаджеты» ("*" gives the same; kept for clarity).
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
    ("Корма для грызунов", _PET_FOOD),
    ("Лакомства для грызунов", _PET_FOOD),
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
