"""Fakes of Telegram and SMTP on loopback, and an alert to send through them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from notify_fakes import (
    TOKEN,
    Certificate,
    FakeTelegram,
    RecordedSleeps,
    make_alert,
    make_certificate,
    running_telegram,
)

from saudager.domains.quality.alerts import Alert


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture(scope="module")
def telegram_server() -> Iterator[FakeTelegram]:
    with running_telegram(TOKEN) as fake:
        yield fake


@pytest.fixture
def telegram(telegram_server: FakeTelegram) -> FakeTelegram:
    telegram_server.messages.clear()
    telegram_server.scripted.clear()
    telegram_server.requests = 0
    return telegram_server


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def alert() -> Alert:
    return make_alert()
