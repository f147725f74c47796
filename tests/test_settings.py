from pathlib import Path

import pytest
from pydantic import ValidationError

from saudager.settings import Settings, load_settings

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"`{name}`" in text and f"`SAUDAGER_{name.upper()}`" in text


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
