"""Browser tests: Debian's Chromium, driven by Playwright, against a real server.

- ``chromium``: the browser's path (installed with apt-get when missing; see ``chromium.py``).
- ``live``: the app served by Uvicorn on a loopback port, with a shop synced from the Kaspi
  simulator and its owner (``livesite.py``), built once for the session.
- ``browser``: one headless Chromium for each test module.
- ``open_tab(viewport="desktop"|"phone")``: a fresh browser context and page (``browsing.Tab``).
  Every console error, uncaught script error, failed request and error answer of the page is
  collected, and the test fails at the end when there is any the test did not say it expects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browsing import TIMEOUT_MS, VIEWPORTS, Tab
from chromium import LAUNCH_ARGS, require_chromium
from livesite import LiveSite, live_site
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="session")
def chromium() -> Path:
    return require_chromium()


@pytest.fixture(scope="session")
def live(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    # Asks for Chromium first: without it, the shop is not worth building.
    with live_site(tmp_path_factory.mktemp("live-home")) as site:
        yield site


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    # One module at a time: while Playwright runs, its event loop is the main thread's, and
    # any other test calling asyncio.run() there would fail.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=list(LAUNCH_ARGS))
        yield launched
        launched.close()


@pytest.fixture
def open_tab(browser: Browser, live: LiveSite) -> Iterator[Callable[..., Tab]]:
    tabs: list[Tab] = []

    def open_one(viewport: str = "desktop") -> Tab:
        context = browser.new_context(viewport=VIEWPORTS[viewport])  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        tab = Tab(page, live, viewport)
        page.on("console", tab.on_console)
        page.on("pageerror", tab.on_page_error)
        page.on("requestfailed", tab.on_request_failed)
        page.on("response", tab.on_response)
        tabs.append(tab)
        return tab

    yield open_one
    problems = [f"[{tab.viewport}] {problem}" for tab in tabs for problem in tab.problems]
    for tab in tabs:
        tab.page.context.close()
    if problems:
        pytest.fail("the pages reported problems:\n" + "\n".join(problems), pytrace=False)
