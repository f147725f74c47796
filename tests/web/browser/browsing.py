"""A page of the live site in the browser, and what went wrong on it (see ``conftest.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from livesite import LiveSite
from playwright.sync_api import ConsoleMessage, Page, Request
from playwright.sync_api import Response as PageResponse

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Milliseconds a page may take to load or a step to happen (a shared, small CI machine).
TIMEOUT_MS = 20_000


@dataclass
class Tab:
    """One page in its own browser context, and what went wrong on it."""

    page: Page
    live: LiveSite
    viewport: str
    problems: list[str] = field(default_factory=list)
    #: Paths (regular expressions) whose error answers the test expects, with the status.
    expected: list[tuple[re.Pattern[str], int]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.live.url(path)

    def goto(self, path: str) -> PageResponse:
        answer = self.page.goto(self.url(path), wait_until="load")
        assert answer is not None, path
        return answer

    def expect_error(self, path_pattern: str, status: int) -> None:
        """An error answer the test causes on purpose (not reported as a problem)."""
        self.expected.append((re.compile(path_pattern), status))

    def login(self, username: str | None = None, password: str | None = None) -> None:
        """Log in through the form, as a person would."""
        self.goto("/login")
        self.page.fill("input[name=username]", username or self.live.username)
        self.page.fill("input[name=password]", password or self.live.password)
        with self.page.expect_navigation(wait_until="load"):
            self.page.click("form[action='/login'] button[type=submit]")

    def charts_drawn(self) -> int:
        """Wait until every chart of the page is drawn (an svg inside); how many there are."""
        charts = self.page.locator(".chart")
        count = charts.count()
        if count:
            self.page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.chart')).every("
                "c => c.dataset.drawn === '1' && c.querySelector('svg'))",
                timeout=TIMEOUT_MS,
            )
        return count

    def horizontal_overflow(self) -> int:
        """How many pixels the body is wider than the window (0: no horizontal scroll)."""
        width: int = self.page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
        return width

    def shot(self, name: str) -> Path:
        """A full-page screenshot, ``test-output/screenshots/{name}-{viewport}.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.viewport}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # ---- listeners ---------------------------------------------------------------------------

    def _expected(self, url: str, status: int | None) -> bool:
        path = url.removeprefix(self.live.base_url)
        return any(
            pattern.search(path) and (status is None or status == wanted)
            for pattern, wanted in self.expected
        )

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium also logs every error answer it was given; those are judged by on_response.
        where = message.location.get("url", "") if message.location else ""
        if message.text.startswith("Failed to load resource") and self._expected(where, None):
            return
        self.problems.append(f"console error: {message.text} ({where})")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"script error: {error}")

    def on_request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def on_response(self, response: PageResponse) -> None:
        if response.status >= 400 and not self._expected(response.url, response.status):
            self.problems.append(f"error answer: {response.status} {response.url}")
