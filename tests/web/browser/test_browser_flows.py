"""What a seller does in the browser: log in, read the overview, open an indicator's facts,
import a file with a mistake in it, and switch the language."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browsing import Tab
from livesite import PASSWORD
from playwright.sync_api import expect

from saudager.core.timewindows import local_day
from saudager.domains.accounts.types import Role
from saudager.domains.quality.types import Indicator

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import"

OpenTab = Callable[..., Tab]


def digits(text: str) -> int:
    """``1 234`` (with any spaces Kazakhstan's formatting puts between thousands) → 1234."""
    return int(re.sub(r"\D", "", text))


def test_logging_in_opens_the_shop_overview_with_the_indicators_values(open_tab: OpenTab) -> None:
    tab = open_tab()
    live = tab.live
    tab.goto("/")
    assert tab.page.url.startswith(tab.url("/login"))
    tab.shot("login")
    tab.login()
    assert tab.page.url == tab.url(live.shop_path)
    today = local_day(datetime.now(UTC), live.shop.timezone)
    report = live.services.quality.report(live.shop, today)
    cards = tab.page.locator("#indicators section.indicator")
    expect(cards.first).to_be_visible()
    shown = {}
    for card in cards.all():
        expect(card).to_be_visible()
        name = card.get_attribute("data-indicator")
        assert name is not None
        value = report.indicators[Indicator(name)]
        counts = card.locator("[data-figure=counts] .num").all_inner_texts()
        shown[name] = (digits(counts[0]), digits(counts[1]))
        assert card.get_attribute("data-status") == value.status.value
        assert card.locator("[data-figure=value]").inner_text().strip()
        assert shown[name] == (value.numerator, value.denominator), name
    assert len(shown) >= 4
    # A synced month of orders: there is something to count in every order indicator.
    assert shown["seller_cancellations"][1] > 0
    assert tab.charts_drawn() >= len(shown)
    tab.shot("overview")


def test_an_indicator_opens_its_facts_from_the_overview_and_the_quality_page(
    open_tab: OpenTab,
) -> None:
    tab = open_tab()
    live = tab.live
    tab.login()
    name = Indicator.SELLER_CANCELLATIONS.value
    tab.page.click(f"#indicator-{name} [data-figure=counts]")
    tab.page.wait_for_url(re.compile(rf"/shops/{live.shop.id}/quality/{name}\b"))
    today = local_day(datetime.now(UTC), live.shop.timezone)
    explanation = live.services.quality.explain(live.shop, Indicator(name), today)
    rows = tab.page.locator("table#facts tbody tr")
    expect(rows.first).to_be_visible()
    # The facts come a page at a time: the pager counts them all, the first page shows the first.
    pager = tab.page.locator("nav.pager").first
    total = int(pager.get_attribute("data-total") or -1)
    assert total == len(explanation.facts) > 0
    per = int(tab.page.locator("form.paging-search select").input_value())
    assert rows.count() == min(per, total)
    # Searching for the order behind one cancellation finds its row.
    blamed = next(fact for fact in explanation.facts if fact.numerator)
    tab.page.fill("form.paging-search input[type=search]", blamed.ref)
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.click("form.paging-search button")
    found = tab.page.locator(f"table#facts tbody tr[data-ref='{blamed.ref}']")
    expect(found).to_have_count(1)
    assert found.get_attribute("data-numerator") == "1"
    tab.shot(f"quality-{name}")

    tab.goto(f"{live.shop_path}/quality")
    assert tab.charts_drawn() > 0
    tab.page.click(f"#indicator-{name} a.drilldown")
    tab.page.wait_for_url(re.compile(rf"/quality/{name}\b"))
    expect(tab.page.locator("table#facts")).to_be_visible()


def test_an_import_with_a_mistake_reports_its_row_and_column(
    open_tab: OpenTab, tmp_path: Path
) -> None:
    lines = (EXAMPLES / "products.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("MUG-02,")
    lines[2] = lines[2].replace(",450,", ",четыреста,")  # the purchase cost of row 3
    broken = tmp_path / "products-broken.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    tab = open_tab()
    live = tab.live
    tab.login()
    tab.goto(f"{live.shop_path}/import")
    tab.page.set_input_files("#import-form input[type=file]", str(broken))
    tab.page.click("#import-form button.primary")
    result = tab.page.locator("#import-result[data-job-state=failed]")
    expect(result).to_be_visible(timeout=30_000)
    problems = result.locator("table#import-problems tbody tr")
    expect(problems.first).to_be_visible()
    cells = [row.locator("td").all_inner_texts() for row in problems.all()]
    assert [(c[0], c[1], c[2]) for c in cells] == [("products-broken.csv", "3", "purchase_cost")]
    assert "четыреста" in cells[0][3]
    tab.shot("import-error")


def test_the_chosen_language_changes_the_texts_and_stays(open_tab: OpenTab) -> None:
    live = open_tab().live
    accounts = live.services.accounts
    user = accounts.add_user("polyglot", PASSWORD, language="ru")
    accounts.grant(user.id, live.shop.id, Role.VIEWER)
    tab = open_tab()
    tab.login("polyglot", PASSWORD)
    tabs = tab.page.locator("nav.tabs")
    assert tab.page.locator("html").get_attribute("lang") == "ru"
    expect(tabs).to_contain_text("Обзор")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.click("button[data-lang=en]")
    assert tab.page.url == tab.url(live.shop_path)
    assert tab.page.locator("html").get_attribute("lang") == "en"
    expect(tabs).to_contain_text("Overview")
    expect(tabs).not_to_contain_text("Обзор")
    tab.page.reload(wait_until="load")
    expect(tabs).to_contain_text("Overview")
    tab.goto(f"{live.shop_path}/quality")
    assert tab.page.locator("html").get_attribute("lang") == "en"
    expect(tabs).to_contain_text("Quality")
    assert accounts.get_user(user.id).language == "en"
    tab.shot("quality-english")
