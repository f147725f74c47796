"""The quality pages: every indicator with its rule, value, trend and outlook, the sanction
state, and the drill-down listing exactly the facts the quality guard explains — in Russian
and English, with the guard's own figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from paged import pager_of, walk
from pagetree import Element, parse
from webshop import EXAMPLES, Site, make_user, switch_language

from saudager.domains.accounts.types import Role
from saudager.domains.quality.types import Indicator, Status
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.web.i18n import Formatter, Language
from saudager.wiring import build_services

AS_OF = date(2026, 3, 10)
SHOWN = (
    Indicator.RATING,
    Indicator.SELLER_CANCELLATIONS,
    Indicator.LATE_HANDOVERS,
    Indicator.QUALITY_RETURNS,
    Indicator.REVIEWS_BALANCE,
)
#: Words that show the page is in one language and not the other.
WORDS: dict[Language, tuple[str, str]] = {
    "ru": ("Показатели качества", "Quality indicators"),
    "en": ("Quality indicators", "Показатели качества"),
}


def page(client: TestClient, path: str) -> Element:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return parse(answer.text)


def shown_value(fmt: Formatter, indicator: Indicator, value: Decimal | None) -> str:
    """The value as written on the page: two places, stars or percent."""
    if value is None:
        return fmt.missing
    return fmt.number(value, 2) + "\u00a0" + ("★" if indicator is Indicator.RATING else "%")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_quality_page_shows_the_guards_figures(site: Site, language: Language) -> None:
    path = f"/shops/{site.shop.id}/quality"
    if language == "en":
        switch_language(site, site.pages, "en", path)
    doc = page(site.pages, f"{path}?as_of={AS_OF}")
    report = site.services.quality.report(site.shop, AS_OF)
    fmt = Formatter(language)
    present, absent = WORDS[language]
    assert present in doc.one("h1").text and absent not in doc.text
    assert doc.one("input", name="as_of")["value"] == AS_OF.isoformat()

    sanctions = doc.by_id("sanctions")
    assert sanctions["data-stage"] == report.sanctions.stage.value
    sentence = report.sanctions.sentence_ru if language == "ru" else report.sanctions.sentence_en
    assert sentence in sanctions.text

    cards = doc.select("section", data_indicator=True)
    assert [c["data-indicator"] for c in cards] == [i.value for i in SHOWN]
    for indicator in SHOWN:
        value = report.indicators[indicator]
        card = doc.by_id(f"indicator-{indicator.value}")
        assert card["data-numerator"] == str(value.numerator)
        assert card["data-denominator"] == str(value.denominator)
        assert card["data-value"] == ("" if value.value is None else str(value.value))
        assert card["data-status"] == value.status.value
        assert card.one(data_figure="value").text == shown_value(fmt, indicator, value.value)
        counts = card.one(data_figure="counts").text
        assert counts == f"{fmt.number(value.numerator)} / {fmt.number(value.denominator)}"
        drill = f"/shops/{site.shop.id}/quality/{indicator.value}?as_of={AS_OF}"
        assert card.select("a", href=drill)
        # The trend ends on the as-of day with the indicator's own value; the mark is drawn.
        trend = doc.json(f"trend-{indicator.value}")
        assert trend["data"][0]["x"][-1] == AS_OF.isoformat()
        last = trend["data"][0]["y"][-1]
        assert last == (None if value.value is None else float(value.value))
        assert float(value.critical_mark) in trend["data"][1]["y"]
        assert card.select("div", data_chart=f"trend-{indicator.value}")

    # The rule names the thresholds in force, in the page's language.
    rules = site.services.settings.quality
    rating_rule = doc.by_id("indicator-rating").text
    assert fmt.number(rules.rating_critical_below, 1) + " ★" in rating_rule
    assert str(rules.rating_window_days) in rating_rule
    cancellations_rule = doc.by_id("indicator-seller_cancellations").text
    assert "MERCHANT_OUT_OF_STOCK" in cancellations_rule
    assert ("Критично" if language == "ru" else "Critical") in cancellations_rule


def test_quality_page_outlook_charts_hold_both_scenarios(site: Site) -> None:
    doc = page(site.pages, f"/shops/{site.shop.id}/quality?as_of={AS_OF}")
    report = site.services.quality.report(site.shop, AS_OF)
    ahead = site.services.quality.outlook(site.shop, AS_OF, 30)
    assert set(ahead) == set(SHOWN[:4])
    for indicator, item in ahead.items():
        figure = doc.json(f"outlook-{indicator.value}")
        nothing_new, at_pace, mark = figure["data"][:3]
        assert len(nothing_new["x"]) == len(item.days) + 1 == 31  # today, then 30 days
        assert nothing_new["x"][-1] == item.days[-1].day.isoformat()
        projected = item.days[-1].if_nothing_new.value
        assert nothing_new["y"][-1] == (None if projected is None else float(projected))
        paced = item.days[-1].at_pace.value
        assert at_pace["y"][-1] == (None if paced is None else float(paced))
        assert set(mark["y"]) == {float(report.indicators[indicator].critical_mark)}
    # The Жұма-only balance has no outlook of its own.
    balance = doc.by_id("indicator-reviews_balance")
    assert not balance.select("div", data_chart="outlook-reviews_balance")


def every_fact_row(client: TestClient, url: str) -> list[Element]:
    """The drill-down's rows over all its pages (25 a page)."""
    rows, _ = walk(
        client,
        f"{url}&per=25",
        "facts-list",
        lambda d: d.by_id("facts").select("tr", data_ref=True),
    )
    return rows


@pytest.mark.parametrize("indicator", list(SHOWN))
def test_drilldown_lists_exactly_the_explained_facts(site: Site, indicator: Indicator) -> None:
    url = f"/shops/{site.shop.id}/quality/{indicator.value}?as_of={AS_OF}"
    doc = page(site.pages, url)
    explanation = site.services.quality.explain(site.shop, indicator, AS_OF)
    value = explanation.value
    summary = doc.by_id("summary")
    assert summary["data-numerator"] == str(value.numerator)
    assert summary["data-denominator"] == str(value.denominator)
    assert summary.one(data_figure="value").text == shown_value(
        Formatter("ru"), indicator, value.value
    )
    assert doc.one("input", name="as_of", type="date")["value"] == AS_OF.isoformat()

    rows = every_fact_row(site.pages, url)
    assert [(r["data-ref"], r["data-kind"]) for r in rows] == [
        (f.ref, f.ref_kind.value) for f in explanation.facts
    ]
    assert rows, "the example shop has facts behind every indicator"
    assert doc.by_id("facts-count").text.startswith(f"Записей: {len(explanation.facts)} ")
    # The counts add up to the indicator: stars for the rating, one per fact elsewhere.
    numerator = sum(int(r["data-weight"]) for r in rows if r["data-numerator"] == "1")
    assert numerator == value.numerator
    assert sum(1 for r in rows if r["data-denominator"] == "1") == value.denominator
    # Each row shows its local date and time; the table is sorted and searched by the server
    # (every heading a link; newest first at first), a page at a time.
    first = explanation.facts[0]
    cells = rows[0].select("td")
    assert cells[0].text == Formatter("ru").datetime(first.at, site.shop.timezone)
    assert cells[0]["data-value"] == str(int(first.at.timestamp()))
    table = doc.by_id("facts")
    headings = table.select("th", data_column=True)
    assert len(headings) == 6 and all(th.select("a") for th in headings)
    assert not table.select("th", data_sort=True)  # not sorted by script: the rows are a page
    assert headings[0]["data-column"] == "when" and headings[0]["aria-sort"] == "descending"
    assert doc.one("form", data_for="facts-list").one("input", name="q")
    pages = -(-len(explanation.facts) // 50)
    assert pager_of(doc, "facts-list") == (1, pages, len(explanation.facts))


def test_drilldown_notes_and_english(site: Site) -> None:
    path = f"/shops/{site.shop.id}/quality/late_handovers"
    switch_language(site, site.pages, "en", path)
    doc = page(site.pages, f"{path}?as_of={AS_OF}")
    assert "Late handovers to Kaspi Delivery" in doc.one("h1").text
    assert "Numerator" in doc.by_id("facts").text and "В числителе" not in doc.text
    explanation = site.services.quality.explain(site.shop, Indicator.LATE_HANDOVERS, AS_OF)
    late = [f for f in explanation.facts if f.numerator]
    assert late and all(f.note and f.note.startswith("late by") for f in late)
    for fact in late:
        row = doc.one("tr", data_ref=fact.ref)
        assert fact.note in row.text  # "late by 1 h 10 min", as the guard wrote it
        assert "breach" in row["class"].split()

    switch_language(site, site.pages, "ru", path)
    doc = page(site.pages, f"{path}?as_of={AS_OF}")
    row = doc.one("tr", data_ref=late[0].ref)
    assert "опоздание на" in row.text and "late by" not in row.text


def test_quality_pages_default_to_today_and_refuse_what_is_not_there(site: Site) -> None:
    base = f"/shops/{site.shop.id}/quality"
    assert page(site.pages, base).one("h1")  # today: no data in the window, still a page
    assert page(site.pages, f"{base}?as_of=").one("h1")  # a cleared date picker
    assert site.pages.get(f"{base}?as_of=10.03.2026").status_code == 400
    assert site.pages.get(f"{base}/no_such_indicator").status_code == 404
    assert site.pages.get("/shops/999/quality").status_code == 404
    answer = site.anonymous.get(base, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_quality_pages_of_another_shop_do_not_exist(site: Site) -> None:
    other = site.services.add_shop("other", None, None, None)
    make_user(site.services, "stranger", other, Role.OWNER)
    for path in (f"/shops/{other.id}/quality", f"/shops/{other.id}/quality/rating"):
        assert site.pages.get(path).status_code == 404
    viewer = TestClient(site.pages.app)
    make_user(site.services, "watcher", site.shop, Role.VIEWER)
    site.login(viewer, "watcher")
    assert viewer.get(f"/shops/{site.shop.id}/quality/rating?as_of={AS_OF}").status_code == 200


@pytest.fixture
def strict_site(tmp_path: Path) -> Iterator[Site]:
    """The example shop judged from its first order on (no minimum-data rule): its small
    numbers put every share past its mark, so statuses, the block and recovery all show."""
    settings = load_settings(None, home=tmp_path, quality={"min_orders_30_days": 1})
    services = build_services(settings)
    shop = services.add_shop("strict", None, None, None)
    services.imports.import_files(shop, sorted(EXAMPLES.glob("*.csv")))
    make_user(services, "owner", shop, Role.OWNER)
    client = TestClient(create_app(services))
    result = Site(services, shop, client, client, client)
    result.login(client, "owner")
    yield result
    services.close()


def test_a_shop_past_its_marks(strict_site: Site) -> None:
    site = strict_site
    report = site.services.quality.report(site.shop, AS_OF)
    critical = [i for i, v in report.indicators.items() if v.status is Status.CRITICAL]
    assert Indicator.SELLER_CANCELLATIONS in critical and report.sanctions.blocked
    doc = page(site.pages, f"/shops/{site.shop.id}/quality?as_of={AS_OF}")
    sanctions = doc.by_id("sanctions")
    assert sanctions["data-stage"] == report.sanctions.stage.value
    assert report.sanctions.sentence_ru in sanctions.text
    assert "breach" in sanctions.one("span")["class"].split()
    ahead = site.services.quality.outlook(site.shop, AS_OF, 30)
    recoveries = 0
    for indicator in critical:
        card = doc.by_id(f"indicator-{indicator.value}")
        assert card["data-status"] == "critical"
        assert card.one("span", class_="status breach").text == "за критической отметкой"
        recovery = ahead[indicator].recovery if indicator in ahead else None
        if recovery is not None:
            assert recovery.sentence_ru in card.text
            recoveries += 1
    assert recoveries  # how to get back below the mark is said
    overview = page(site.pages, f"/shops/{site.shop.id}?as_of={AS_OF}")
    for indicator in critical:
        card = overview.by_id(f"indicator-{indicator.value}")
        assert card.one(data_figure="value")["class"] == "breach"
