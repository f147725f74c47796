"""Fixed tables the simulated shop is drawn from: categories, cities, names, review texts.

Only data lives here; the generator decides how often each value is used. City codes are the
Kaspi ids from the reference (§3.2); category codes follow Kaspi's ``Master - …`` pattern.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """One Kaspi category and what its products look like."""

    code: str
    title: str
    noun: str  # the Russian word a product title starts with
    brands: tuple[str, ...]
    models: tuple[str, ...]  # ``{n}`` is replaced by a number
    variants: tuple[str, ...]
    price_min: int  # whole tenge
    price_max: int
    weight_min_g: int
    weight_max_g: int
    share: float  # share of the shop's SKUs in this category


# fmt: off
CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Master - Smartphones", "Смартфоны", "Смартфон",
        ("Samsung", "Apple", "Xiaomi", "Redmi", "Realme", "Honor", "Tecno", "POCO"),
        ("Galaxy A{n}", "Note {n} Pro", "{n}C", "X{n}", "Spark {n}", "iPhone {n}"),
        ("4/128 ГБ черный", "6/128 ГБ синий", "8/256 ГБ зеленый", "8/256 ГБ серебристый",
         "12/512 ГБ белый"),
        45_000, 500_000, 160, 240, 0.08,
    ),
    CategorySpec(
        "Master - Headphones", "Наушники", "Наушники",
        ("Apple", "Samsung", "JBL", "Sony", "Xiaomi", "Huawei", "Marshall", "Baseus"),
        ("Buds {n}", "Tune {n}BT", "WH-{n}XM5", "AirDots {n}", "FreeBuds {n}i"),
        ("черный", "белый", "синий", "бежевый"),
        3_000, 180_000, 40, 350, 0.12,
    ),
    CategorySpec(
        "Master - Mobile phone cases", "Чехлы для телефонов", "Чехол",
        ("Spigen", "Nillkin", "Baseus", "ESR", "Ringke", "Hoco"),
        ("для iPhone {n}", "для Samsung Galaxy A{n}", "для Redmi Note {n}", "для iPhone {n} Pro"),
        ("прозрачный", "черный", "силиконовый розовый", "противоударный"),
        1_000, 9_000, 20, 80, 0.16,
    ),
    CategorySpec(
        "Master - Chargers", "Зарядные устройства", "Сетевое зарядное устройство",
        ("Baseus", "Anker", "Ugreen", "Xiaomi", "Samsung", "Hoco"),
        ("{n}W USB-C", "GaN {n}W", "{n}W 2 порта"),
        ("белый", "черный"),
        2_000, 25_000, 50, 300, 0.09,
    ),
    CategorySpec(
        "Master - Power banks", "Внешние аккумуляторы", "Внешний аккумулятор",
        ("Xiaomi", "Baseus", "Anker", "Hoco", "Ugreen"),
        ("{n}000 мАч", "Mi Power {n}", "PowerCore {n}"),
        ("черный", "белый", "синий"),
        5_000, 35_000, 200, 500, 0.07,
    ),
    CategorySpec(
        "Master - Smart watches", "Смарт-часы", "Смарт-часы",
        ("Apple", "Samsung", "Xiaomi", "Huawei", "Amazfit"),
        ("Watch {n}", "Band {n}", "GT {n}", "Bip {n}"),
        ("41 мм черный", "45 мм серебристый", "розовый", "графит"),
        10_000, 250_000, 30, 80, 0.07,
    ),
    CategorySpec(
        "Master - Electric kettles", "Электрочайники", "Электрочайник",
        ("Tefal", "Philips", "Bosch", "Polaris", "Scarlett", "Xiaomi"),
        ("KO{n}", "HD{n}", "PWK {n}", "SC-EK{n}"),
        ("1.7 л белый", "1.7 л черный", "1.5 л стальной"),
        5_000, 45_000, 900, 1_800, 0.08,
    ),
    CategorySpec(
        "Master - Hair dryers", "Фены", "Фен",
        ("Dyson", "Philips", "Rowenta", "Braun", "Xiaomi", "Polaris"),
        ("HD{n}", "Supersonic HD{n}", "CV{n}", "Satin Hair {n}"),
        ("черный", "розовый", "фуксия/никель"),
        6_000, 250_000, 400, 900, 0.07,
    ),
    CategorySpec(
        "Master - Vacuum cleaners", "Пылесосы", "Пылесос",
        ("Samsung", "Dyson", "Xiaomi", "Dreame", "Bosch", "LG"),
        ("V{n}", "Robot Vacuum S{n}", "VC{n}", "T{n} Pro"),
        ("серый", "белый", "черный"),
        25_000, 350_000, 2_500, 7_000, 0.06,
    ),
    CategorySpec(
        "Master - Perfumes", "Парфюмерия", "Парфюмерная вода",
        ("Chanel", "Dior", "Lancome", "Versace", "Hugo Boss", "Zara"),
        ("№{n}", "Sauvage {n}", "Eros {n}", "Idole {n}"),
        ("50 мл", "100 мл", "30 мл"),
        8_000, 120_000, 150, 500, 0.06,
    ),
    CategorySpec(
        "Master - Face creams", "Кремы для лица", "Крем для лица",
        ("La Roche-Posay", "Vichy", "CeraVe", "Nivea", "Garnier", "Librederm"),
        ("Hydra {n}", "Effaclar H{n}", "Aqualia {n}", "Увлажняющий {n}"),
        ("50 мл", "40 мл", "75 мл"),
        2_000, 30_000, 50, 200, 0.08,
    ),
    CategorySpec(
        "Master - Constructors", "Конструкторы", "Конструктор",
        ("LEGO", "Sluban", "Cobi", "Mould King"),
        ("City {n}", "Technic 4{n}", "Friends {n}", "Classic 1{n}"),
        ("", "набор", "подарочный"),
        3_000, 90_000, 200, 2_500, 0.06,
    ),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class City:
    code: str
    name: str
    latitude: float
    longitude: float
    weight: float  # relative share of buyers


# fmt: off
# The shop ships from Almaty: Almaty buyers get DELIVERY_LOCAL, the rest regional modes.
CITIES: tuple[City, ...] = (
    City("750000000", "Алматы", 43.2383, 76.9454, 34.0),
    City("710000000", "Астана", 51.1282, 71.4304, 19.0),
    City("511010000", "Шымкент", 42.3417, 69.5901, 9.0),
    City("351010000", "Караганда", 49.8047, 73.1094, 6.0),
    City("151010000", "Актобе", 50.2839, 57.1670, 4.0),
    City("311010000", "Тараз", 42.9000, 71.3667, 3.0),
    City("551010000", "Павлодар", 52.2873, 76.9674, 3.0),
    City("631010000", "Усть-Каменогорск", 49.9483, 82.6279, 3.0),
    City("632810000", "Семей", 50.4111, 80.2275, 2.0),
    City("231010000", "Атырау", 47.1164, 51.8833, 3.0),
    City("391010000", "Костанай", 53.2198, 63.6354, 2.5),
    City("431010000", "Кызылорда", 44.8488, 65.4823, 2.0),
    City("271010000", "Уральск", 51.2333, 51.3667, 2.0),
    City("591010000", "Петропавловск", 54.8753, 69.1628, 1.5),
    City("471010000", "Актау", 43.6481, 51.1722, 2.0),
    City("512610000", "Туркестан", 43.2973, 68.2518, 1.5),
    City("111010000", "Кокшетау", 53.2833, 69.3833, 1.5),
    City("191010000", "Талдыкорган", 45.0156, 78.3739, 1.5),
)
# fmt: on
HOME_CITY = 0  # index of Almaty: where the warehouse is

# fmt: off
STREETS: tuple[str, ...] = (
    "проспект Абая", "улица Толе би", "улица Сатпаева", "улица Жандосова",
    "улица Байтурсынова", "улица Кабанбай батыра", "улица Туркестан", "проспект Республики",
    "улица Жибек жолы", "улица Момышулы", "микрорайон Аксай-4", "микрорайон Самал-2",
    "улица Кенесары", "проспект Назарбаева", "улица Сыганак", "улица Ауэзова",
)

# (first name, is_female) — Kazakh and Russian names, as Kaspi buyers are.
FIRST_NAMES: tuple[tuple[str, bool], ...] = (
    ("Айдос", False), ("Ерлан", False), ("Нурлан", False), ("Асхат", False),
    ("Данияр", False), ("Арман", False), ("Бауыржан", False), ("Ерасыл", False),
    ("Дархан", False), ("Мирас", False), ("Алихан", False), ("Темирлан", False),
    ("Санжар", False), ("Азамат", False), ("Руслан", False), ("Марат", False),
    ("Алексей", False), ("Дмитрий", False), ("Сергей", False), ("Андрей", False),
    ("Айгерим", True), ("Динара", True), ("Жанар", True), ("Асель", True),
    ("Гульнара", True), ("Айжан", True), ("Камила", True), ("Мадина", True),
    ("Аружан", True), ("Сауле", True), ("Алия", True), ("Дана", True),
    ("Томирис", True), ("Жансая", True), ("Елена", True), ("Ольга", True),
    ("Наталья", True), ("Анна", True), ("Татьяна", True), ("Екатерина", True),
)

# Masculine forms; feminine ones add "а" to -ов/-ев/-ин, the rest do not change.
LAST_NAMES: tuple[str, ...] = (
    "Ахметов", "Сериков", "Нурланов", "Жумабаев", "Касымов", "Оспанов", "Абдрахманов",
    "Искаков", "Тулегенов", "Байжанов", "Есенов", "Ибраев", "Калиев", "Мухамедиев",
    "Сагинтаев", "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Ким", "Ли", "Пак",
    "Шевченко", "Ковальчук", "Омаров", "Бекмухамбетов", "Садыков",
)

# Kazakh mobile prefixes (the first three of ten digits).
PHONE_PREFIXES: tuple[str, ...] = (
    "700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778",
)

REVIEW_TEXTS: dict[int, tuple[str, ...]] = {
    5: ("Всё отлично, быстрая доставка!", "Спасибо продавцу, товар соответствует описанию.",
        "Рекомендую!", "Отличный продавец, всё пришло вовремя.", "Товар супер, упаковка целая.",
        ""),
    4: ("Хороший товар, но доставка немного задержалась.", "В целом доволен.",
        "Нормально, коробка была помята.", ""),
    3: ("Так себе, ожидал большего.", "Товар нормальный, продавец долго не отвечал.", ""),
    2: ("Качество не очень.", "Доставили с опозданием на три дня."),
    1: ("Товар пришёл с браком.", "Не соответствует описанию, оформил возврат.",
        "Продавец отменил заказ, ужасный сервис."),
}
# fmt: on
