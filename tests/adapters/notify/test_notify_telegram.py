"""The Telegram notifier against the fake Bot API over real loopback HTTP."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
from notify_fakes import (
    TOKEN,
    FakeTelegram,
    RecordedSleeps,
    closed_port,
    make_alert,
    telegram_plain_text,
)

from saudager.adapters.notify.telegram import (
    TelegramAuthError,
    TelegramError,
    TelegramNotifier,
    render_html,
)
from saudager.domains.quality.alerts import Alert
from saudager.domains.quality.ports import NotifyError


def notifier(
    telegram: FakeTelegram,
    sleeps: RecordedSleeps,
    token: str = TOKEN,
    chat_id: str = "42",
    **options: Any,
) -> TelegramNotifier:
    return TelegramNotifier(
        token, chat_id, base_url=telegram.base_url, timeout_seconds=5, sleep=sleeps, **options
    )


def assert_no_token(error: BaseException) -> None:
    shown = "".join(traceback.format_exception(error))
    assert TOKEN not in shown
    assert TOKEN.split(":", 1)[1] not in shown


def test_notify_telegram_sends_html_message(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    with notifier(telegram, sleeps) as bot:
        bot.send(alert)
    [message] = telegram.messages
    assert message["chat_id"] == "42"
    assert message["parse_mode"] == "HTML"
    assert message["text"].startswith("<b>🔴 «Techno Life»")
    assert "3,25\u00a0%" in message["shown"] and "Что делать" in message["shown"]
    assert sleeps == []


def test_notify_telegram_escapes_markup_in_texts(
    telegram: FakeTelegram, sleeps: RecordedSleeps
) -> None:
    alert = make_alert(title="Shop <A&B>: rating 3.9", text="Rating 3.9 < 4 & falling")
    with notifier(telegram, sleeps) as bot:
        bot.send(alert)
    assert telegram.messages[0]["shown"] == "🔴 Shop <A&B>: rating 3.9\n\nRating 3.9 < 4 & falling"


def test_notify_telegram_cuts_overlong_texts(
    telegram: FakeTelegram, sleeps: RecordedSleeps
) -> None:
    alert = make_alert(text="Заказ & отмена. " * 600)
    markup = render_html(alert)
    shown = telegram_plain_text(markup)
    assert shown is not None and shown.endswith("…")
    with notifier(telegram, sleeps) as bot:
        bot.send(alert)
    assert len(telegram.messages) == 1


def test_notify_telegram_honours_retry_after(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    telegram.rate_limit_next(retry_after=3, times=2)
    with notifier(telegram, sleeps) as bot:
        bot.send(alert)
    assert sleeps == [3.0, 3.0]
    assert telegram.requests == 3
    assert len(telegram.messages) == 1


def test_notify_telegram_gives_up_on_long_rate_limit(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    telegram.rate_limit_next(retry_after=3600)
    with (
        notifier(telegram, sleeps, max_retry_after_seconds=60) as bot,
        pytest.raises(TelegramError, match="3600 s") as caught,
    ):
        bot.send(alert)
    assert sleeps == []
    assert caught.value.error_code == 429


def test_notify_telegram_retries_server_errors_with_backoff(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    telegram.fail_next(500, times=2)
    with notifier(telegram, sleeps, backoff_seconds=0.5) as bot:
        bot.send(alert)
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0
    assert len(telegram.messages) == 1


def test_notify_telegram_server_errors_exhaust_retries(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    telegram.fail_next(502, times=10)
    with (
        notifier(telegram, sleeps, max_retries=2) as bot,
        pytest.raises(TelegramError, match="after 3 attempts: HTTP 502") as caught,
    ):
        bot.send(alert)
    assert telegram.requests == 3 and len(sleeps) == 2
    assert isinstance(caught.value, NotifyError)
    assert_no_token(caught.value)


def test_notify_telegram_bad_token_is_not_retried_nor_shown(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    wrong = "987654321:AAWrong-token_that_must_not_leak_000"
    with notifier(telegram, sleeps, token=wrong) as bot, pytest.raises(TelegramAuthError) as caught:
        bot.send(alert)
    assert telegram.requests == 1 and sleeps == []
    shown = "".join(traceback.format_exception(caught.value))
    assert wrong not in shown and wrong.split(":", 1)[1] not in shown
    assert "…_000" in shown  # its last four characters, to tell which token is set
    assert "alerts_telegram_bot_token" in str(caught.value)


def test_notify_telegram_unknown_chat_says_what_to_check(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    with (
        notifier(telegram, sleeps, chat_id="999") as bot,
        pytest.raises(TelegramError, match=r"chat not found.*alerts_telegram_chat_id"),
    ):
        bot.send(alert)


def test_notify_telegram_migrated_group_names_the_new_chat(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    telegram.answer_next(400, {"ok": False, "error_code": 400,
                              "description": "Bad Request: group chat was upgraded to a supergroup chat",
                              "parameters": {"migrate_to_chat_id": -1001234567890}})  # fmt: skip
    with notifier(telegram, sleeps) as bot, pytest.raises(TelegramError, match="-1001234567890"):
        bot.send(alert)


def test_notify_telegram_unreachable_server_scrubs_token(
    sleeps: RecordedSleeps, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = TelegramNotifier(
        TOKEN, "42", base_url=f"http://127.0.0.1:{closed_port()}", max_retries=1, sleep=sleeps
    )
    with bot, pytest.raises(TelegramError, match="after 2 attempts: ConnectError") as caught:
        bot.send(alert)
    assert len(sleeps) == 1
    assert_no_token(caught.value)
    assert TOKEN not in caplog.text


def test_notify_telegram_token_never_reaches_logs(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram.fail_next(500)
    with notifier(telegram, sleeps) as bot:
        bot.send(alert)
    assert "HTTP Request: POST" in caplog.text  # httpx's own line, with the URL…
    assert "bot<token>" in caplog.text or "…3456" in caplog.text  # …masked
    assert TOKEN not in caplog.text
    assert TOKEN.split(":", 1)[1] not in caplog.text


def test_notify_telegram_requires_token_and_chat() -> None:
    with pytest.raises(ValueError, match="token"):
        TelegramNotifier("", "42")
    with pytest.raises(ValueError, match="chat"):
        TelegramNotifier(TOKEN, "")
