"""Finding the browser: what happens on a machine without Chromium (no browser needed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chromium
import pytest


@pytest.fixture
def no_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    chromium.unavailable_reason.cache_clear()
    yield
    chromium.unavailable_reason.cache_clear()


@pytest.mark.usefixtures("no_chromium")
def test_without_apt_get_the_reason_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    reason = chromium.unavailable_reason()
    assert reason is not None and "no apt-get" in reason


@pytest.mark.usefixtures("no_chromium")
def test_without_root_the_reason_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    reason = chromium.unavailable_reason()
    assert reason is not None and "apt-get install -y chromium" in reason


def test_a_missing_browser_skips_unless_it_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(chromium.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no browser"):
        chromium.skip_or_fail("no browser")
    monkeypatch.setenv(chromium.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="SAUDAGER_REQUIRE_BROWSER=1 requires it"):
        chromium.skip_or_fail("no browser")
