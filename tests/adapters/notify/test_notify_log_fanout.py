"""The log notifier, and the fanout over real channels: one failing stops no other."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from notify_fakes import TOKEN, FakeSmtp, FakeTelegram, RecordedSleeps, running_smtp

from saudager.adapters.notify.email import EmailNotifier, SmtpSecurity
from saudager.adapters.notify.fanout import FanoutNotifier
from saudager.adapters.notify.log import LogNotifier
from saudager.adapters.notify.telegram import TelegramAuthError, TelegramNotifier
from saudager.domains.quality.alerts import Alert
from saudager.domains.quality.ports import NotifyError, PartialDeliveryError


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with running_smtp(FakeSmtp()) as fake:
        yield fake


def email_to(fake: FakeSmtp, sleeps: RecordedSleeps) -> EmailNotifier:
    return EmailNotifier(
        "127.0.0.1", port=fake.port, sender="alerts@shop.kz", recipients=["owner@shop.kz"],
        security=SmtpSecurity.NONE, max_retries=0, sleep=sleeps,
    )  # fmt: skip


def bot(telegram: FakeTelegram, sleeps: RecordedSleeps, token: str = TOKEN) -> TelegramNotifier:
    return TelegramNotifier(token, "42", base_url=telegram.base_url, max_retries=0, sleep=sleeps)


def test_notify_log_writes_the_alert_at_warning(
    alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    LogNotifier().send(alert)
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.name == "saudager.alerts"
    assert alert.key in record.getMessage() and "3,25\u00a0%" in record.getMessage()
    assert record.__dict__["alert_key"] == alert.key


def test_notify_fanout_reaches_every_channel(
    telegram: FakeTelegram, smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with FanoutNotifier([bot(telegram, sleeps), email_to(smtp, sleeps), LogNotifier()]) as fanout:
        fanout.send(alert)
    assert len(telegram.messages) == 1 and len(smtp.messages) == 1
    assert alert.key in caplog.text


def test_notify_fanout_one_failure_stops_no_other(
    telegram: FakeTelegram, smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    broken = bot(telegram, sleeps, token="111:wrong-token-0000")
    fanout = FanoutNotifier([broken, email_to(smtp, sleeps), LogNotifier()])
    with fanout, pytest.raises(PartialDeliveryError) as caught:
        fanout.send(alert)
    assert len(smtp.messages) == 1
    assert caught.value.delivered == ["email", "log"]
    [(name, error)] = caught.value.failures
    assert name == "telegram" and isinstance(error, TelegramAuthError)
    assert "wrong-token" not in str(caught.value)


def test_notify_fanout_nothing_delivered_collects_every_error(
    telegram: FakeTelegram, sleeps: RecordedSleeps, alert: Alert
) -> None:
    class Crashing:
        name = "crashing"

        def send(self, alert: Alert) -> None:
            raise RuntimeError("a bug")

    fanout = FanoutNotifier([bot(telegram, sleeps, token="111:wrong-token-0000"), Crashing()])
    with (
        fanout,
        pytest.raises(NotifyError, match=r"telegram: .*crashing: RuntimeError: a bug") as caught,
    ):
        fanout.send(alert)
    assert not isinstance(caught.value, PartialDeliveryError)


def test_notify_fanout_needs_a_notifier() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FanoutNotifier([])
