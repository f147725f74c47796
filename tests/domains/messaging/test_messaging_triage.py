"""Reply triage: the rule table against real-looking buyer messages in three languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.triage import (
    Category,
    SentRef,
    classify,
    classify_text,
    match_order,
    stars_in,
)

C, Q, T, STOP, X = (
    Category.COMPLAINT,
    Category.QUESTION,
    Category.THANKS,
    Category.OPT_OUT,
    Category.OTHER,
)

TABLE: list[tuple[str, Category]] = [
    # Russian
    ("Пришёл не тот размер, заказывала M", C),
    ("Товар сломан, не включается", C),
    ("Коробка разбита, экран в царапинах", C),
    ("Товар пришёл с трещиной на крышке. Что делать?", C),  # complaint wins over a question
    ("Спасибо, но чехол бракованный", C),
    ("Наушники не работают, хочу вернуть деньги", C),
    ("Доставка задержалась на неделю", C),
    ("Ужасное качество", C),
    ("Где мой заказ", C),
    ("Ставлю 1 звезда", C),
    ("⭐️⭐️", C),
    ("Оценка 2/5, не соответствует описанию", C),
    ("3 из 5", C),
    ("Когда будет доставка?", Q),
    ("Подскажите, есть гарантия", Q),
    ("А можно поменять цвет?", Q),
    ("Спасибо! А инструкция на русском есть?", Q),
    ("Спасибо большое!", T),
    ("Всё отлично, благодарю", T),
    ("Получила, всё хорошо 👍", T),
    ("5 звёзд, рекомендую", T),
    ("⭐⭐⭐⭐⭐", T),
    ("Стоп", STOP),
    ("СТОП!!! не пишите больше", STOP),
    ("Ок", X),
    ("👍", X),
    # Kazakh
    ("Тауар сынған келді", C),
    ("Құлаққап жұмыс істемейді", C),
    ("Тапсырыс әлі келмеді", C),
    ("Сапасы нашар, қайтарғым келеді", C),
    ("Басқа тауар келді", C),
    ("2 жұлдыз", C),
    ("Қашан жеткізесіздер?", Q),
    ("Кепілдік бар ма", Q),
    ("Рахмет, бәрі жақсы!", T),
    ("Рақмет үлкен", T),
    ("Керемет дүкен, ризамын", T),
    ("Тоқта", STOP),
    ("Маған жазбаңыз", STOP),
    # English
    ("The item arrived damaged", C),
    ("Wrong colour, I want a refund", C),
    ("It does not work at all, terrible", C),
    ("Never arrived", C),
    ("1 star", C),
    ("When will it be delivered?", Q),
    ("How do I pair the headphones", Q),
    ("Thanks, all good", T),
    ("Great seller, 5/5", T),
    ("Received, thank you!", T),
    ("STOP", STOP),
    ("unsubscribe please", STOP),
    ("stopwatch is fine, thanks", T),
    ("Стопка тарелок пришла, спасибо", T),
]


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 40
    assert {category for _, category in TABLE} == set(Category)


@pytest.mark.parametrize(("text", "category"), TABLE)
def test_triage_table(text: str, category: Category) -> None:
    result = classify_text(text)
    assert result.category is category, result
    if category is not Category.OTHER:
        assert result.matched  # the seller can always see why


@pytest.mark.parametrize(
    ("text", "stars"),
    [
        ("1 звезда", 1),
        ("2 звезды", 2),
        ("5 звёзд", 5),
        ("3 stars", 3),
        ("4 жұлдыз", 4),
        ("2/5", 2),
        ("оценка 4 из 5", 4),
        ("4 out of 5", 4),
        ("⭐️⭐️", 2),
        ("★★★", 3),
        ("⭐" * 7, 5),
        ("заказ 512345678 пришёл", None),
        ("12/5 доставили", None),
        ("10 звёзд", None),
    ],
)
def test_stars(text: str, stars: int | None) -> None:
    assert stars_in(text) == stars


def test_button_opt_out_and_what_decided() -> None:
    message = InboundMessage(
        "wamid.in", "+77011234567", datetime(2026, 5, 4, tzinfo=UTC), "Отписаться", None, "OPT_OUT"
    )
    assert classify(message).matched == ("button",)
    assert classify_text("Спасибо, но коробка разбита").matched == ("разбит*",)
    assert classify_text("1 звезда").matched == ("★1",)


AT = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
BUYER = "+77011234567"
OLDER = SentRef("wamid.a", 1, "111", BUYER, AT - timedelta(days=5))
NEWER = SentRef("wamid.b", 2, "222", BUYER, AT - timedelta(hours=3))
OTHER_BUYER = SentRef("wamid.c", 1, "333", "+77019999999", AT - timedelta(hours=1))
AFTER = SentRef("wamid.d", 1, "444", BUYER, AT + timedelta(minutes=1))
STALE = SentRef("wamid.e", 1, "555", BUYER, AT - timedelta(days=30, seconds=1))
SENT = [OLDER, NEWER, OTHER_BUYER, AFTER, STALE]


def reply(in_reply_to: str | None, sender: str = BUYER) -> InboundMessage:
    return InboundMessage("wamid.in", sender, AT, "Пришёл не тот размер", in_reply_to)


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (reply("wamid.a"), SENT, OLDER),  # the quoted message wins over recency
        (reply(None), SENT, NEWER),  # else the latest to that phone, not after the reply
        (reply("wamid.unknown"), SENT, NEWER),
        (reply(None), [STALE], None),  # older than 30 days
        (reply(None), [AFTER], None),
        (reply(None, "+77010000000"), SENT, None),
        (reply(None), [], None),
    ],
)
def test_match_order(
    message: InboundMessage, sent: list[SentRef], expected: SentRef | None
) -> None:
    assert match_order(message, sent) == expected


PUNCTUATION = st.text(alphabet=" .,!?-…:;)(\n\t🛑", max_size=4)


@given(
    word=st.sampled_from(["stop", "стоп", "тоқта", "STOP", "Стоп", "ТОҚТА", "unsubscribe"]),
    before=PUNCTUATION,
    after=PUNCTUATION,
)
def test_opt_out_tolerates_case_punctuation_and_spacing(word: str, before: str, after: str) -> None:
    assert classify_text(before + word + after).category is Category.OPT_OUT
