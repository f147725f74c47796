"""The dashboard's two languages and Kazakhstan's way of writing numbers, money and dates.

Texts live beside the pages that show them: each page module registers its own
``{key: (russian, english)}`` with :func:`register`, and templates ask for them with
``t("key")``. A key registered twice with different texts is an error at import, and a key a
template asks for that nobody registered is an error when the page renders (tests render every
page in both languages), so a missing translation cannot reach a seller.

Numbers and money follow Kazakhstan in both languages: groups of three digits split by a
no-break space, the tenge sign after the amount (``12 345 ₸``); the decimal separator is the
language's (``12 345,50 ₸`` in Russian, ``12 345.50 ₸`` in English). Dates are ``24.11.2026``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

Language = Literal["ru", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "ru"

_TEXTS: dict[str, tuple[str, str]] = {}

#: Kazakhstan's grouping (a no-break space) in both languages; Babel's Russian for Kazakhstan.
_NUMBER_LOCALE = "ru_KZ"
_NBSP = "\u00a0"


def register(texts: Mapping[str, tuple[str, str]]) -> None:
    """Add ``{key: (russian, english)}``; the same key with other texts is an error."""
    for key, pair in texts.items():
        known = _TEXTS.get(key)
        if known is not None and known != pair:
            raise ValueError(f"text {key!r} registered twice with different words")
        _TEXTS[key] = pair


def language_of(value: str | None) -> Language:
    """A supported language, else the default."""
    for language in LANGUAGES:
        if value == language:
            return language
    return DEFAULT_LANGUAGE


def translate(language: Language, key: str, **values: object) -> str:
    """The text of ``key`` in ``language``, with ``{name}`` placeholders filled."""
    try:
        ru, en = _TEXTS[key]
    except KeyError:
        raise KeyError(f"no text registered for {key!r}") from None
    text = ru if language == "ru" else en
    return text.format(**values) if values else text


def registered_keys() -> frozenset[str]:
    return frozenset(_TEXTS)


@dataclass(frozen=True, slots=True)
class Formatter:
    """Numbers, money and dates for one language; ``None`` is shown as a dash."""

    language: Language
    missing: str = "—"

    def _decimal(self, value: Decimal | int, places: int) -> str:
        quantum = Decimal(1).scaleb(-places)
        rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
        text = format_decimal(
            rounded, format="#,##0" + ("." + "0" * places if places else ""),
            locale=_NUMBER_LOCALE, decimal_quantization=True,
        )  # fmt: skip
        text = text.replace("\u202f", _NBSP).replace(" ", _NBSP)
        return text.replace(",", ".") if self.language == "en" else text

    def number(self, value: Decimal | int | None, places: int = 0) -> str:
        return self.missing if value is None else self._decimal(value, places)

    def money(self, tiyn: int | None) -> str:
        """``12 345 ₸`` for whole tenge, ``12 345,50 ₸`` otherwise."""
        if tiyn is None:
            return self.missing
        places = 0 if tiyn % 100 == 0 else 2
        return f"{self._decimal(Decimal(tiyn) / 100, places)}{_NBSP}₸"

    def tenge(self, amount: Decimal | int | None) -> str:
        """An amount already in tenge (``Decimal``), as :meth:`money`."""
        if amount is None:
            return self.missing
        return self.money(int((Decimal(amount) * 100).to_integral_value(ROUND_HALF_UP)))

    def percent(self, ratio: Decimal | float | None, places: int = 1) -> str:
        """A ratio (0.164) as ``16,4 %``."""
        if ratio is None:
            return self.missing
        return f"{self._decimal(Decimal(str(ratio)) * 100, places)}{_NBSP}%"

    def signed_money(self, tiyn: int | None) -> str:
        """A change: ``+1 200 ₸`` or ``−1 200 ₸``."""
        if tiyn is None:
            return self.missing
        sign = "+" if tiyn > 0 else "−" if tiyn < 0 else ""
        return sign + self.money(abs(tiyn))

    def date(self, day: date | None) -> str:
        return self.missing if day is None else day.strftime("%d.%m.%Y")

    def datetime(self, instant: datetime | None, timezone: str) -> str:
        """Local time of the shop: ``24.11.2026 14:05``."""
        if instant is None:
            return self.missing
        return instant.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y %H:%M")


register(
    {
        "app.name": ("Saudager", "Saudager"),
        "nav.overview": ("Обзор", "Overview"),
        "nav.quality": ("Качество", "Quality"),
        "nav.sales": ("Продажи", "Sales"),
        "nav.products": ("Товары", "Products"),
        "nav.zhuma": ("Kaspi Жұма", "Kaspi Жұма"),
        "nav.shops": ("Магазины", "Shops"),
        "nav.settings": ("Настройки", "Settings"),
        "nav.import": ("Импорт", "Import"),
        "nav.logout": ("Выйти", "Log out"),
        "nav.language": ("Язык", "Language"),
        "nav.shop": ("Магазин", "Shop"),
        "lang.ru": ("Русский", "Русский"),
        "lang.en": ("English", "English"),
        "login.title": ("Вход", "Log in"),
        "login.username": ("Имя пользователя", "Username"),
        "login.password": ("Пароль", "Password"),
        "login.submit": ("Войти", "Log in"),
        "login.refused": ("Неверное имя пользователя или пароль.", "Wrong username or password."),
        "login.too_many": (
            "Слишком много попыток входа. Попробуйте через {minutes} мин.",
            "Too many login attempts. Try again in {minutes} min.",
        ),
        "error.not_found": ("Страница не найдена.", "Page not found."),
        "error.forbidden": (
            "Для этого действия нужна роль «{role}».",
            "This needs the role “{role}”.",
        ),
        "error.csrf": (
            "Форма устарела: обновите страницу и отправьте снова.",
            "The form has expired: reload the page and send it again.",
        ),
        "role.owner": ("владелец", "owner"),
        "role.manager": ("менеджер", "manager"),
        "role.viewer": ("наблюдатель", "viewer"),
        "shops.none": (
            "У вас пока нет магазинов.",
            "You have no shops yet.",
        ),
        "common.missing": ("нет данных", "no data"),
        "common.download_xlsx": ("Скачать XLSX", "Download XLSX"),
        "common.download_csv": ("Скачать CSV", "Download CSV"),
        "common.search": ("Поиск", "Search"),
        "common.save": ("Сохранить", "Save"),
        "common.from": ("С", "From"),
        "common.to": ("по", "to"),
        "common.show": ("Показать", "Show"),
    }
)
