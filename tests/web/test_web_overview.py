"""The overview page and its API twin: the four indicators, the orders at risk today, revenue
and profit against the period before, and the next Kaspi Жұма — the dashboard's figures, in
Russian and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pagetree import Element, parse
from webshop import Site, make_user, switch_language

from saudager.core.timewindows import zone
from saudager.domains.accounts.types import Role
from saudager.domains.orders.types import Order, OrderState, OrderStatus
from saudager.domains.quality.types import SANCTIONED, Indicator
from saudager.web.i18n import Formatter, Language

AS_OF = date(2026, 3, 10)
#: The example shop's net revenue of the 30 days ending 9 March 2026 (8 Feb – 9 Mar), by hand
#: from docs/examples/import: order 510000001 (15 990 ₸) + 510000002 (3 mugs, 1 350 ₸, one
#: returned: − 450 ₸) + 510000004 (15 990 ₸); 510000003 was cancelled and 510000005 returned.
REVENUE_30_DAYS_TIYN = (15_990 + 1_350 - 450 + 15_990) * 100


def page(client: TestClient, path: str) -> Element:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def noon(site: Site, day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=zone(site.shop.timezone)).astimezone(UTC)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_overview_shows_the_dashboards_figures(site: Site, language: Language) -> None:
    path = f"/shops/{site.shop.id}"
    if language == "en":
        switch_language(site, site.pages, "en", path)
    doc = page(site.pages, f"{path}?as_of={AS_OF}")
    overview = site.services.dashboard.overview(site.shop, noon(site, AS_OF))
    report = site.services.quality.report(site.shop, AS_OF)
    fmt = Formatter(language)
    assert ("Обзор" if language == "ru" else "Overview") in doc.one("h1").text
    assert ("Revenue" if language == "ru" else "Выручка") not in doc.text

    cards = doc.by_id("indicators").select("section", data_indicator=True)
    assert [c["data-indicator"] for c in cards] == [i.value for i in SANCTIONED]
    for indicator in SANCTIONED:
        value = overview.indicators[indicator].current
        assert value == report.indicators[indicator]  # one figure, whichever page shows it
        card = doc.by_id(f"indicator-{indicator.value}")
        assert card["data-numerator"] == str(value.numerator)
        assert card["data-denominator"] == str(value.denominator)
        assert card["data-value"] == str(value.value)
        assert card["data-status"] == value.status.value
        unit = "★" if indicator is Indicator.RATING else "%"
        assert card.one(data_figure="value").text == f"{fmt.number(value.value, 2)}\u00a0{unit}"
        assert card.one(data_figure="counts").text == f"{value.numerator} / {value.denominator}"
        # The figure leads to the orders behind it.
        drill = f"/shops/{site.shop.id}/quality/{indicator.value}?as_of={AS_OF}"
        assert card.one(data_figure="value")["href"] == drill
        trend = doc.json(f"trend-{indicator.value}")
        points = overview.indicators[indicator].trend
        assert trend["data"][0]["x"] == [p.day.isoformat() for p in points]
        assert value.value is not None and trend["data"][0]["y"][-1] == float(value.value)

    month = overview.last_30_days
    assert month.current.revenue_tiyn == REVENUE_30_DAYS_TIYN
    assert (month.current.first, month.current.last) == (date(2026, 2, 8), date(2026, 3, 9))
    box = doc.by_id("sales-30")
    assert box["data-revenue"] == str(REVENUE_30_DAYS_TIYN)
    revenue = box.one("tr", data_figure="revenue")
    link = revenue.one("a", data_figure="current")
    assert link.text == fmt.money(REVENUE_30_DAYS_TIYN) == "32\u00a0880\u00a0₸"
    assert link["href"] == f"/shops/{site.shop.id}/sales?from=2026-02-08&to=2026-03-09"
    assert fmt.money(month.previous.revenue_tiyn) in revenue.text
    assert fmt.signed_money(month.revenue.amount_tiyn) in revenue.text
    profit = box.one("tr", data_figure="profit")
    assert profit.one("a", data_figure="current").text == fmt.money(month.current.profit_tiyn)
    week = overview.last_7_days
    week_row = doc.by_id("sales-7").one("tr", data_figure="revenue")
    assert week_row.one("a", data_figure="current").text == fmt.money(week.current.revenue_tiyn)
    # The change is coloured by its direction and shows the share when there is one.
    moved = week_row.one("span", data_amount=str(week.revenue.amount_tiyn))
    assert moved["class"] == ("ok" if week.revenue.amount_tiyn > 0 else "breach")
    assert week.revenue.ratio is not None
    assert fmt.percent(abs(week.revenue.ratio)) in moved.text

    # The next Жұма: 11 June 2026 (assumed dates) is 93 days after 10 March.
    zhuma = doc.by_id("zhuma")
    assert overview.days_to_zhuma == (date(2026, 6, 11) - AS_OF).days == 93
    assert zhuma["data-days"] == "93"
    assert zhuma["data-verdict"] == overview.zhuma.verdict.value
    sentence = overview.zhuma.sentence_ru if language == "ru" else overview.zhuma.sentence_en
    assert sentence in zhuma.text
    assert ("93 дня" if language == "ru" else "93 days") in zhuma.text
    assert zhuma.select("a", href=f"/shops/{site.shop.id}/zhuma")


def test_orders_at_risk_today(site: Site) -> None:
    tz = zone(site.shop.timezone)
    deadline = datetime.combine(AS_OF, time(16), tzinfo=tz).astimezone(UTC)
    waiting = Order(
        code="590000001",
        created_at=deadline - timedelta(days=1),
        state=OrderState.KASPI_DELIVERY,
        status=OrderStatus.ACCEPTED_BY_MERCHANT,
        total_price=Decimal("9990"),
        is_kaspi_delivery=True,
        handover_deadline=deadline,
    )
    with site.services.store.transaction() as tx:
        tx.upsert_orders(site.shop.id, [waiting])
    doc = page(site.pages, f"/shops/{site.shop.id}?as_of={AS_OF}")
    row = doc.by_id("at-risk-table").one("tr", data_order="590000001")
    assert row["data-kind"] == "handover"
    assert "10.03.2026 16:00" in row.text  # the shop's local time
    assert "передать в Kaspi Доставку" in row.text
    assert "долю опозданий" in row.text  # what missing it costs

    answer = site.api.get(f"/api/v1/shops/{site.shop.id}/overview", params={"as_of": AS_OF})
    risks = answer.json()["at_risk"]
    assert [(r["order_code"], r["kind"]) for r in risks] == [("590000001", "handover")]
    assert risks[0]["deadline"] == deadline.isoformat()


def test_overview_api_is_the_pages_twin(site: Site) -> None:
    answer = site.api.get(f"/api/v1/shops/{site.shop.id}/overview", params={"as_of": AS_OF})
    assert answer.status_code == 200
    data = answer.json()
    assert data["as_of"] == AS_OF.isoformat()
    assert list(data["indicators"]) == [i.value for i in SANCTIONED]
    doc = page(site.pages, f"/shops/{site.shop.id}?as_of={AS_OF}")
    for name, item in data["indicators"].items():
        card = doc.by_id(f"indicator-{name}")
        assert str(item["numerator"]) == card["data-numerator"]
        assert str(item["denominator"]) == card["data-denominator"]
        assert item["value"] == card["data-value"]
        assert item["status"] == card["data-status"]
        assert item["trend"][-1]["day"] == AS_OF.isoformat()
    month = data["sales"]["last_30_days"]
    assert month["current"]["revenue"] == "32880.00"
    assert (month["current"]["from"], month["current"]["to"]) == ("2026-02-08", "2026-03-09")
    assert data["days_to_zhuma"] == 93
    assert data["zhuma"]["verdict"] == doc.by_id("zhuma")["data-verdict"]
    paths = site.api.get("/api/v1/openapi.json").json()["paths"]
    parameters = paths["/api/v1/shops/{shop_id}/overview"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {"shop_id", "as_of"}


def test_overview_refuses_what_is_not_the_users(site: Site) -> None:
    other = site.services.add_shop("other", None, None, None)
    make_user(site.services, "stranger", other, Role.OWNER)
    assert site.pages.get(f"/shops/{other.id}").status_code == 404
    assert site.api.get(f"/api/v1/shops/{other.id}/overview").status_code == 404
    assert site.anonymous.get(f"/api/v1/shops/{site.shop.id}/overview").status_code == 401
    for day in ("soon", "0001-01-01", "9999-12-31"):
        bad = site.api.get(f"/api/v1/shops/{site.shop.id}/overview", params={"as_of": day})
        assert bad.status_code == 422, day
        assert site.pages.get(f"/shops/{site.shop.id}?as_of={day}").status_code == 400, day
    answer = site.anonymous.get(f"/shops/{site.shop.id}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_home_leads_to_the_overview_of_today(site: Site) -> None:
    answer = site.pages.get("/")
    assert answer.status_code == 200
    assert str(answer.url).endswith(f"/shops/{site.shop.id}")
    doc = parse(answer.text)
    today = datetime.now(UTC).astimezone(zone(site.shop.timezone)).date()
    assert doc.one("input", name="as_of")["value"] == today.isoformat()
    assert len(doc.by_id("indicators").select("section", data_indicator=True)) == 4
