"""Every page of the dashboard in the browser, on a desktop and on a phone.

The pages come from the app's own route table (every GET route answering HTML), so a page
added later is visited without anyone listing it here. Each must load without a console
error, a script error or a failed request, draw all its charts, and fit the window's width
(no horizontal scroll of the body: wide tables scroll inside their own box); a full-page
screenshot of each is saved under ``test-output/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import routecatalog
from browsing import Tab
from fastapi.responses import HTMLResponse
from livesite import LiveSite
from playwright.sync_api import expect

from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.quality.types import Indicator
from saudager.jobs.dispatch import dispatch_messages_now

pytestmark = pytest.mark.browser

OpenTab = Callable[..., Tab]
#: Not visited here: the login form (seen logged out in the flows), the demo's automatic login,
#: and the home page, which sends a user of one shop on to its overview (visited anyway).
NOT_VISITED = {"/login", "/login/demo", "/"}
#: The pages of a shop there were when this test was written; fewer found means lost ones.
FEWEST_SHOP_PAGES = 14
#: The buyer messages pages (after ``/shops/{id}``), visited again below with messages in them.
MESSAGES_PAGES = (
    "/messages",
    "/messages/inbox",
    "/messages/stats",
    "/messages/setup",
    "/messages/templates",
    "/messages/templates/review_request/ru",
)


def page_paths(live: LiveSite) -> list[tuple[str, str]]:
    """(screenshot name, path) of every HTML page, each indicator's drill-down included."""
    shop_id = live.shop.id
    found: list[tuple[str, str]] = []
    for route in routecatalog.routes(live.app):
        if "GET" not in (route.methods or set()) or route.response_class is not HTMLResponse:
            continue
        if route.path in NOT_VISITED:
            continue
        for indicator in Indicator if "{indicator}" in route.path else [None]:
            values = {"shop_id": shop_id, "indicator": indicator.value if indicator else ""}
            [call] = [c for c in routecatalog.calls(route, values) if c.method == "GET"]
            found.append((screenshot_name(call.url, shop_id), call.url))
    return found


def screenshot_name(path: str, shop_id: int) -> str:
    """``/shops/7/quality/rating`` → ``quality-rating``; ``/shops/7`` → ``overview``."""
    rest = path.split("?")[0].removeprefix(f"/shops/{shop_id}")
    if rest != path and not rest:
        return "overview"
    return re.sub(r"[^a-z0-9_]+", "-", rest.lower()).strip("-") or "home"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_page_loads_cleanly_draws_its_charts_and_fits_the_window(
    open_tab: OpenTab, viewport: str
) -> None:
    tab = open_tab(viewport)
    live = tab.live
    tab.login()
    pages = page_paths(live)
    assert sum(path.startswith(live.shop_path) for _, path in pages) >= FEWEST_SHOP_PAGES, pages
    too_wide: dict[str, int] = {}
    for name, path in pages:
        answer = tab.goto(path)
        assert answer.status == 200, (path, answer.status)
        expect(tab.page.locator("main h1").first).to_be_visible()
        tab.charts_drawn()
        if overflow := tab.horizontal_overflow():
            too_wide[path] = overflow
        tab.shot(name)
    assert too_wide == {}, "pages wider than the window (pixels)"


def test_on_a_phone_every_tab_of_the_navigation_can_be_reached(open_tab: OpenTab) -> None:
    tab = open_tab("phone")
    live = tab.live
    tab.login()
    links = tab.page.locator("nav.tabs a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 6
    for href in hrefs:
        assert href is not None
        link = tab.page.locator(f"nav.tabs a[href='{href}']")
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()
        with tab.page.expect_navigation(wait_until="load"):
            link.click()
        assert tab.page.url == tab.url(href)
        expect(tab.page.locator(f"nav.tabs a.current[href='{href}']")).to_be_visible()
    assert tab.horizontal_overflow() == 0
    assert live.shop_path in hrefs


def with_messages(live: LiveSite) -> None:
    """The live shop's messages planned and sent (through the console), and a buyer's
    complaint in reply, so the messages pages have rows to lay out."""
    services = live.services
    services.planning.plan_shop(live.shop)
    tomorrow = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time())
    midday = tomorrow.replace(tzinfo=UTC) + timedelta(hours=7)  # 12:00 in Almaty
    dispatch_messages_now(services.settings, clock=lambda: midday)
    with services.store.reading() as tx:
        sent = [m for m in tx.outbox_messages(live.shop.id) if m.provider_message_id]
    if sent:
        complaint = InboundMessage(
            "wamid.browser-complaint", sent[0].to, midday + timedelta(minutes=5),
            "Коробка пришла разбитая, кружка треснула — верните деньги, пожалуйста",
        )  # fmt: skip
        services.inbox.receive(complaint)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_messages_pages_with_messages_in_them_fit_the_window(
    open_tab: OpenTab, viewport: str
) -> None:
    tab = open_tab(viewport)
    live = tab.live
    with_messages(live)
    tab.login()
    visited = {path for _, path in page_paths(live)}
    too_wide: dict[str, int] = {}
    for rest in MESSAGES_PAGES:
        path = live.shop_path + rest
        assert path in visited or "/templates/" in rest, path
        answer = tab.goto(path)
        assert answer.status == 200, (path, answer.status)
        expect(tab.page.locator("main h1").first).to_be_visible()
        expect(tab.page.locator("nav.tabs a.current")).to_have_attribute(
            "href", f"{live.shop_path}/messages"
        )
        if overflow := tab.horizontal_overflow():
            too_wide[path] = overflow
        tab.shot("filled-" + screenshot_name(path, live.shop.id))
    assert too_wide == {}, "pages wider than the window (pixels)"
