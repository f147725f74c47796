"""Opt-out detection and the opt-out record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from saudager.domains.messaging.consent import (
    OptOut,
    OptOutSource,
    is_opt_out_text,
    is_opted_out,
    opt_out_from,
    opt_out_source,
)
from saudager.domains.messaging.provider import InboundMessage

AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "Стоп",
        "СТОП!!!",
        "стоп, пожалуйста",
        "Пожалуйста   стоп",
        "Тоқта",
        "тоқтатыңыз",
        "токта",
        "Unsubscribe",
        "Отписаться",
        "Не пишите мне больше",
        "Маған жазбаңыз",
        "Please do not message me",
        "🛑 stop 🛑",
        "stop-",
        "-стоп-",
    ],
)
def test_opt_outs(text: str) -> None:
    assert is_opt_out_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "стопка тарелок пришла целой",
        "unstoppable quality",
        "Stopwatch works fine",
        "Спасибо, всё пришло",
        "Пишите, когда будет доставка",
        "",
        "тоқтамай жұмыс істейді",
        "Работает non-stop",
        "стоп-кран не нужен",
    ],
)
def test_not_opt_outs(text: str) -> None:
    assert not is_opt_out_text(text)


def message(text: str, payload: str | None = None) -> InboundMessage:
    return InboundMessage("wamid.in1", "+77011234567", AT, text, "wamid.out1", payload)


def test_the_button_payload_is_an_opt_out_whatever_its_title() -> None:
    assert opt_out_source(message("Не присылать сообщения", "OPT_OUT")) is OptOutSource.BUTTON
    assert opt_out_source(message("Всё хорошо", "ALL_GOOD")) is None
    assert opt_out_source(message("стоп")) is OptOutSource.KEYWORD


def test_the_record_covers_the_number_and_keeps_time_source_and_shop() -> None:
    record = opt_out_from(message("СТОП"), business_number="+77270001122", shop_id=7)
    assert record == OptOut(
        phone="+77011234567",
        business_number="+77270001122",
        at=AT,
        source=OptOutSource.KEYWORD,
        shop_id=7,
        provider_message_id="wamid.in1",
    )
    # applies to every shop on the number, not only shop 7
    assert is_opted_out("+77011234567", "+77270001122", [record])
    assert not is_opted_out("+77011234567", "+77270009999", [record])
    assert not is_opted_out("+77019999999", "+77270001122", [record])
    assert opt_out_from(message("Спасибо"), business_number="+77270001122", shop_id=7) is None
