import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from saudager.domains.quality.types import QualityRules
from saudager.settings import Settings, load_settings

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


@pytest.mark.parametrize("name", sorted(f.name for f in dataclasses.fields(QualityRules)))
def test_every_quality_rule_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`quality.{name}`" in text
    assert f"`SAUDAGER_QUALITY__{name.upper()}`" in text


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
