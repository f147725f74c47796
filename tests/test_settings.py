import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from saudager.core.revcache import CacheRules
from saudager.domains.accounts.types import AccountRules
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.quality.sanctions import SanctionRules
from saudager.domains.quality.types import QualityRules
from saudager.domains.quality.warnings import WarningRules
from saudager.settings import AlertSettings, MessagingSettings, Settings, load_settings

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`{name}`" in text
    assert f"`SAUDAGER_{name.upper()}" in text


def test_environment_beats_file_and_overrides_beat_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "saudager.toml"
    config.write_text("sync_history_days = 30\nkaspi_page_size = 50\n", encoding="utf-8")
    monkeypatch.setenv("SAUDAGER_SYNC_HISTORY_DAYS", "60")
    settings = load_settings(config, home=tmp_path)
    assert settings.sync_history_days == 60
    assert settings.kaspi_page_size == 50
    assert settings.home == tmp_path
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/saudager.db"


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kaspi_page_size"):
        load_settings(None, kaspi_page_size=500)
    with pytest.raises(ValidationError, match="default_timezone"):
        load_settings(None, default_timezone="Mars/Olympus")
    config = tmp_path / "bad.toml"
    config.write_text("no_such_setting = 1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no_such_setting"):
        load_settings(config)


NESTED_RULES = {
    "quality": QualityRules,
    "sanctions": SanctionRules,
    "early_warnings": WarningRules,
    "analytics": AnalyticsRules,
    "cache": CacheRules,
    "accounts": AccountRules,
}


@pytest.mark.parametrize(
    ("table", "name"),
    sorted((table, f.name) for table, cls in NESTED_RULES.items() for f in dataclasses.fields(cls)),
)
def test_every_nested_rule_is_documented(table: str, name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`{table}.{name}`" in text
    assert f"`SAUDAGER_{table.upper()}__{name.upper()}`" in text


def test_quality_rules_from_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "saudager.toml"
    config.write_text(
        '[quality]\ncancellation_anchor = "cancelled"\nseller_fault_reasons = ["MERCHANT_OUT_OF_STOCK"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SAUDAGER_QUALITY__LATE_GOOD", "4.5")
    rules = load_settings(config).quality
    assert rules.cancellation_anchor == "cancelled"
    assert rules.seller_fault_reasons == frozenset({"MERCHANT_OUT_OF_STOCK"})
    assert rules.late_good == Decimal("4.5")
    assert rules.rating_good == Decimal("4.6")


@pytest.mark.parametrize("name", sorted(AlertSettings.model_fields))
def test_every_alert_setting_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`alerts.{name}`" in text
    assert f"`SAUDAGER_ALERTS__{name.upper()}`" in text


@pytest.mark.parametrize("name", sorted(MessagingSettings.model_fields))
def test_every_messaging_setting_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`messaging.{name}`" in text
    assert f"`SAUDAGER_MESSAGING__{name.upper()}`" in text


def test_messaging_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAUDAGER_MESSAGING__PROVIDER", "cloud")
    monkeypatch.setenv("SAUDAGER_MESSAGING__ACCESS_TOKEN", "EAAG-secret")
    monkeypatch.setenv("SAUDAGER_MESSAGING__WINDOW_START", "09:30")
    settings = load_settings(None)
    assert settings.messaging.provider == "cloud"
    assert settings.messaging.access_token is not None
    assert settings.messaging.access_token.get_secret_value() == "EAAG-secret"
    assert "EAAG-secret" not in repr(settings)
    assert settings.messaging.window_start.isoformat() == "09:30:00"


def test_alert_recipients_and_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAUDAGER_ALERTS__EMAIL_TO", "owner@shop.kz, manager@shop.kz")
    monkeypatch.setenv("SAUDAGER_ALERTS__TELEGRAM_BOT_TOKEN", "123456:secret-bot-token")
    monkeypatch.setenv(
        "SAUDAGER_QUALITY__SELLER_FAULT_REASONS", "MERCHANT_OUT_OF_STOCK, BUYER_NOT_REACHABLE"
    )
    settings = load_settings(None)
    assert settings.alerts.email_to == ("owner@shop.kz", "manager@shop.kz")
    assert "secret-bot-token" not in repr(settings)
    assert settings.quality.seller_fault_reasons == {"MERCHANT_OUT_OF_STOCK", "BUYER_NOT_REACHABLE"}


def test_account_rules_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAUDAGER_ACCOUNTS__SESSION_DAYS", "7")
    rules = load_settings(None).accounts
    assert (rules.session_days, rules.login_attempts, rules.login_window_minutes) == (7, 5, 15)
    with pytest.raises(ValidationError, match="login_attempts must be at least 1"):
        load_settings(None, accounts={"login_attempts": 0})


@pytest.mark.parametrize("value", ["0", "3"])
def test_messages_per_order_are_one_or_two(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValidationError, match="per_order"):
        load_settings(None, home=tmp_path, messaging={"per_order": value})
