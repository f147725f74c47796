"""The buyer messages pages of a shop: the outbox, the inbox, the statistics, the controls and
the wordings — each showing exactly what the store holds with phones masked, each change a
form for managers and owners with the CSRF token, refused for viewers and for bad input with
nothing stored."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pagetree import Element, parse
from webshop import Site, make_user

from saudager.core.masking import mask_phone
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.records import OutboxMessage, OutboxState
from saudager.domains.messaging.templates import Language as Wording
from saudager.domains.messaging.templates import MessageKind
from saudager.domains.orders.types import Order, OrderLine
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.web.i18n import Language

BUYERS = ("+77011230001", "+77011230002", "+77011230003", "+77011230004")


def an_order(code: str, phone: str, status: str, now: datetime) -> Order:
    return Order(
        code=code, created_at=now - timedelta(days=1), state="ARCHIVE", status=status,
        total_price=Decimal("5990"), customer_name="Дина Ахметова", customer_phone=phone,
        completed_at=now - timedelta(hours=3) if status == "COMPLETED" else None,
        lines=(OrderLine(line_no=1, sku="MUG", quantity=1, unit_price=Decimal("5990"),
                         total_price=Decimal("5990"), product_name="Кружка"),),
    )  # fmt: skip


def with_orders(site: Site) -> list[Order]:
    """Recent orders of four buyers in the site's shop, their messages planned."""
    now = datetime.now(UTC)
    orders = [
        an_order("M-1", BUYERS[0], "APPROVED_BY_BANK", now),
        an_order("M-2", BUYERS[1], "COMPLETED", now),
        an_order("M-3", BUYERS[2], "COMPLETED", now),
        an_order("M-4", BUYERS[3], "APPROVED_BY_BANK", now),
    ]
    with site.services.store.transaction() as tx:
        tx.upsert_orders(site.shop.id, orders)
    assert site.services.planning.plan_shop(site.shop)
    return orders


def dispatch(site: Site) -> None:
    """One pass of the dispatcher through the console provider, at midday in Almaty tomorrow
    (inside the send window, after every message is due)."""
    now = datetime.now(UTC)
    midday = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    result = dispatch_messages_now(
        site.services.settings, clock=lambda: midday + timedelta(hours=7)
    )
    assert result["sent"] >= 1, result


def outbox(site: Site) -> list[OutboxMessage]:
    with site.services.store.reading() as tx:
        return tx.outbox_messages(site.shop.id)


def get(client: TestClient, path: str) -> Element:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def use_language(site: Site, client: TestClient, language: Language) -> None:
    path = f"/shops/{site.shop.id}/messages"
    answer = client.post(
        "/language",
        data={"csrf_token": site.csrf(client, path), "language": language, "next": path},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def post(site: Site, client: TestClient, where: str, csrf: bool = True, **data: str) -> Response:
    base = f"/shops/{site.shop.id}/messages"
    form = {**data, **({"csrf_token": site.csrf(client, base)} if csrf else {})}
    return client.post(f"{base}/{where}", data=form, follow_redirects=False)


def client_as(site: Site, username: str, role: Role) -> TestClient:
    make_user(site.services, username, site.shop, role)
    client = TestClient(site.pages.app)
    site.login(client, username)
    return client


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_outbox_shows_what_the_store_holds_with_masked_phones(
    site: Site, language: Language
) -> None:
    with_orders(site)
    dispatch(site)
    stored = outbox(site)
    assert len(stored) >= 4
    use_language(site, site.pages, language)
    answer = site.pages.get(f"/shops/{site.shop.id}/messages")
    assert answer.status_code == 200, answer.text
    for phone in BUYERS:
        assert phone not in answer.text and phone[1:] not in answer.text
    doc = parse(answer.text)
    rows = doc.by_id("outbox-table").select("tr", data_message=True)
    shown = {int(r["data-message"]): r for r in rows}
    assert set(shown) == {m.id for m in stored}
    for message in stored:
        row = shown[message.id]
        assert row["data-state"] == message.state.value
        assert row["data-order"] == message.key.order_code
        assert row.one(data_phone=True).text == mask_phone(message.to)
    # The state filter counts each state as stored and shows only the one chosen.
    counts = Counter(m.state.value for m in stored)
    chips = {a["data-state"]: a for a in doc.by_id("state-filter").select("a")}
    assert chips[""].one("span").text == str(len(stored))
    for state, count in counts.items():
        assert chips[state].one("span").text == str(count)
    sent = get(site.pages, f"/shops/{site.shop.id}/messages?state=sent")
    sent_rows = sent.by_id("outbox-table").select("tr", data_message=True)
    assert {r["data-state"] for r in sent_rows} == {"sent"}
    assert len(sent_rows) == counts["sent"]
    word = {"ru": "отправлено", "en": "sent"}[language]
    assert word in sent_rows[0].text
    assert doc.by_id("switch-state")["data-paused"] == "0"


def test_the_outbox_is_searched_and_paged_on_the_server(site: Site) -> None:
    with_orders(site)
    doc = get(site.pages, f"/shops/{site.shop.id}/messages?q=M-2&per=25")
    rows = doc.by_id("outbox-table").select("tr", data_message=True)
    assert rows and {r["data-order"] for r in rows} == {"M-2"}
    empty = get(site.pages, f"/shops/{site.shop.id}/messages")
    assert "outbox-empty" not in {e.get("id") for e in empty.walk()}


def test_an_empty_outbox_says_so(site: Site) -> None:
    doc = get(site.pages, f"/shops/{site.shop.id}/messages")
    assert doc.by_id("outbox-empty").text


def receive(site: Site, sender: str, text: str, minutes: int) -> None:
    at = datetime.now(UTC) + timedelta(days=1, minutes=minutes)
    got = site.services.inbox.receive(InboundMessage(f"wamid.{sender}.{minutes}", sender, at, text))
    assert got is not None


def test_the_inbox_puts_waiting_complaints_first_and_managers_resolve_them(site: Site) -> None:
    with_orders(site)
    dispatch(site)
    receive(site, BUYERS[0], "Когда привезёте?", 1)
    receive(site, BUYERS[1], "Кружка разбита, позвоните +77017654321", 2)
    receive(site, BUYERS[2], "Спасибо!", 3)
    path = f"/shops/{site.shop.id}/messages/inbox"
    answer = site.pages.get(path)
    assert answer.status_code == 200, answer.text
    assert "+77017654321" not in answer.text and BUYERS[1] not in answer.text
    doc = parse(answer.text)
    rows = doc.by_id("inbox-table").select("tr", data_inbound=True)
    # The complaint first, then the rest waiting, the newest first.
    assert [r["data-category"] for r in rows] == ["complaint", "thanks", "question"]
    assert "Кружка разбита" in rows[0].text and mask_phone(BUYERS[1]) in rows[0].text
    assert "M-2" in rows[0].text
    counts = doc.by_id("inbox-counts")
    assert (counts["data-waiting"], counts["data-complaints"]) == ("3", "1")

    # A viewer sees the inbox but no button, and may not resolve.
    complaint = rows[0]["data-inbound"]
    viewer = client_as(site, "watcher", Role.VIEWER)
    seen = get(viewer, path)
    assert not seen.select("form", class_="resolve-form")
    assert post(site, viewer, "inbox/resolve", inbound=complaint).status_code == 403
    with site.services.store.reading() as tx:
        assert len(tx.inbound_messages(site.shop.id, waiting_only=True)) == 3

    manager = client_as(site, "runner", Role.MANAGER)
    done = post(site, manager, "inbox/resolve", inbound=complaint)
    assert done.status_code == 303 and "done=resolved" in done.headers["location"]
    with site.services.store.reading() as tx:
        waiting = tx.inbound_messages(site.shop.id, waiting_only=True)
    assert complaint not in {str(r.id) for r in waiting} and len(waiting) == 2
    after = get(manager, done.headers["location"])
    assert after.by_id("notice").text
    rows = after.by_id("inbox-table").select("tr", data_inbound=True)
    assert rows[-1]["data-inbound"] == complaint and rows[-1]["data-waiting"] == "0"
    nothing = post(site, manager, "inbox/resolve", inbound="999999")
    assert "done=not_resolved" in nothing.headers["location"]
    only_waiting = get(manager, f"{path}?waiting=1").by_id("inbox-table")
    assert len(only_waiting.select("tr", data_inbound=True)) == 2


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_statistics_are_the_reports_with_their_definitions(
    site: Site, language: Language
) -> None:
    with_orders(site)
    dispatch(site)
    receive(site, BUYERS[1], "Кружка разбита", 2)
    use_language(site, site.pages, language)
    doc = get(site.pages, f"/shops/{site.shop.id}/messages/stats")
    report = site.services.reporting.report(site.shop.id)
    assert report.templates
    for stats in report.templates:
        row = doc.by_id("stats-table").one("tr", data_template=stats.template)
        for figure in ("sent", "delivered", "read", "failed", "replied", "complaints", "opt_outs"):
            assert row.one(data_figure=figure).text == str(getattr(stats, figure)), figure
    assert sum(s.complaints for s in report.templates) == 1
    conversion = doc.by_id("conversion-table")
    assert conversion.one("tr", data_group="messaged").one(data_figure="orders").text == str(
        report.conversion.messaged_orders
    )
    assert doc.by_id("difference")["data-difference"] == ""  # no ripe order in either group
    definitions = doc.by_id("definitions").select("li")
    assert len(definitions) == 10
    word = {"ru": "14 дней", "en": "14 days"}[language]
    assert word in doc.by_id("definitions").text
    # A period with nothing in it, and a day that does not read.
    empty = get(
        site.pages, f"/shops/{site.shop.id}/messages/stats?first=2020-01-01&last=2020-01-31"
    )
    assert empty.by_id("stats-none").text
    bad = site.pages.get(f"/shops/{site.shop.id}/messages/stats?first=yesterday")
    assert bad.status_code == 400


def test_the_kill_switch_pauses_and_resumes_the_shops_messages(site: Site) -> None:
    setup = site.services.messaging_setup
    answer = post(site, site.pages, "pause", reason="  склад закрыт на инвентаризацию ")
    assert answer.status_code == 303, answer.text
    state = setup.setup(site.shop)
    assert state.paused and state.pause_reason == "склад закрыт на инвентаризацию"
    for page in ("", "/inbox", "/stats", "/setup", "/templates"):
        doc = get(site.pages, f"/shops/{site.shop.id}/messages{page}")
        banner = doc.by_id("switch-state")
        assert banner["data-paused"] == "1" and "склад закрыт" in banner.text
    assert get(site.pages, answer.headers["location"]).by_id("notice")
    assert post(site, site.pages, "resume").status_code == 303
    assert not setup.setup(site.shop).paused
    doc = get(site.pages, f"/shops/{site.shop.id}/messages/setup")
    assert doc.by_id("pause-form") and doc.by_id("switch-state")["data-paused"] == "0"


def test_viewers_see_the_controls_but_change_nothing_and_forms_need_the_csrf_token(
    site: Site,
) -> None:
    with_orders(site)
    viewer = client_as(site, "watcher", Role.VIEWER)
    doc = get(viewer, f"/shops/{site.shop.id}/messages/setup")
    assert doc.by_id("viewer-note")
    assert not doc.select("form", id="pause-form") and not doc.select("form", id="optout-form")
    checks = {
        "pause": {"reason": "x"}, "resume": {}, "optout": {"phone": BUYERS[0]},
        "window": {"start": "09:00", "end": "20:00", "language": "kk"},
        "templates/order_received/ru": {"action": "save", "body": "Заказ {order_code} в {shop}."},
        "templates/order_received/kk": {"action": "reset"},
    }  # fmt: skip
    for where, data in checks.items():
        assert post(site, viewer, where, **data).status_code == 403, where
        # The owner's own session without the token is refused as well.
        assert post(site, site.pages, where, csrf=False, **data).status_code == 403, where
    setup = site.services.messaging_setup.setup(site.shop)
    assert not setup.paused and setup.window_is_default
    assert not any(e.own for e in site.services.messaging_setup.templates(site.shop))
    assert site.services.reporting.opt_outs() == []
    # A preview changes nothing: a viewer may ask for one.
    preview = post(site, viewer, "templates/order_received/ru", action="preview", body="x")
    assert preview.status_code == 200


def test_a_seller_recorded_opt_out_cancels_the_buyers_queued_messages(site: Site) -> None:
    with_orders(site)
    bad = post(site, site.pages, "optout", phone="12345")
    assert bad.status_code == 400
    doc = parse(bad.text)
    assert "12345" in doc.one(data_error="phone").text
    assert doc.by_id("optout-form").one("input", name="phone")["value"] == "12345"
    assert site.services.reporting.opt_outs() == []

    queued = [m for m in outbox(site) if m.to == BUYERS[0] and m.state is OutboxState.QUEUED]
    assert queued
    good = post(site, site.pages, "optout", phone="8 701 123 00 01")
    assert good.status_code == 303, good.text
    assert [o.phone for o in site.services.reporting.opt_outs()] == [BUYERS[0]]
    assert all(m.state is OutboxState.CANCELLED for m in outbox(site) if m.to == BUYERS[0])
    after = get(site.pages, good.headers["location"])
    assert str(len(queued)) in after.by_id("notice").text
    [listed] = after.by_id("optouts-table").select("tr", data_source=True)
    assert listed["data-source"] == "seller"
    assert listed.one(data_phone=True).text == mask_phone(BUYERS[0])
    assert BUYERS[0] not in after.by_id("optouts-table").text


def test_the_send_window_and_language(site: Site) -> None:
    setup = site.services.messaging_setup
    bad = post(site, site.pages, "window", start="10:00", end="10:00", language="kk")
    assert bad.status_code == 400
    assert parse(bad.text).by_id("window-error").select("li")
    unreadable = post(site, site.pages, "window", start="25:99", end="20:00", language="kk")
    assert unreadable.status_code == 400
    assert "25:99" in parse(unreadable.text).one(data_error="start").text
    state = setup.setup(site.shop)
    assert state.window_is_default and state.language is Wording.RU  # nothing stored

    good = post(site, site.pages, "window", start="09:30", end="20:00", language="kk")
    assert good.status_code == 303
    state = setup.setup(site.shop)
    assert (state.window_start.isoformat(), state.window_end.isoformat()) == (
        "09:30:00",
        "20:00:00",
    )
    assert state.language is Wording.KK and not state.window_is_default
    doc = get(site.pages, f"/shops/{site.shop.id}/messages/setup")
    assert doc.one(data_window="09:30–20:00")
    # The messages' three languages are offered; the dashboard's own switch keeps its two.
    options = doc.by_id("window-form").select("option")
    assert [o["value"] for o in options] == ["ru", "kk", "en"]
    assert {b["data-lang"] for b in doc.select("button", data_lang=True)} == {"ru", "en"}
    back = post(site, site.pages, "window", use_default="1")
    assert back.status_code == 303 and setup.setup(site.shop).window_is_default


@pytest.mark.parametrize("language", ["ru", "en"])
def test_templates_are_listed_with_the_placeholders(site: Site, language: Language) -> None:
    use_language(site, site.pages, language)
    doc = get(site.pages, f"/shops/{site.shop.id}/messages/templates")
    rows = doc.by_id("templates-table").select("tr", data_kind=True)
    assert len(rows) == len(MessageKind) * len(Wording)
    assert {r["data-own"] for r in rows} == {"0"}
    legend = doc.by_id("placeholders").text
    for placeholder in ("{first_name}", "{order_code}", "{product}", "{shop}", "{review_link}"):
        assert placeholder in legend


def test_a_wording_with_a_problem_is_shown_kept_and_not_stored(site: Site) -> None:
    orders = with_orders(site)
    setup = site.services.messaging_setup
    path = "templates/order_received/ru"
    typed = "Здравствуйте, {name}! Заказ {order_code} принят."
    bad = post(site, site.pages, path, action="save", body=typed)
    assert bad.status_code == 400
    doc = parse(bad.text)
    problems = doc.by_id("template-problems").text
    assert "{name}" in problems and "{shop}" in problems
    assert doc.by_id("template-form").one("textarea").text == typed
    assert not any(e.own for e in setup.templates(site.shop))

    # A preview of what was typed, with a real order: the text the buyer reads.
    body = "Здравствуйте, {first_name}! Заказ {order_code} в магазине {shop} принят."
    preview = post(site, site.pages, path, action="preview", body=body, order_code="M-2")
    assert preview.status_code == 200
    shown = parse(preview.text)
    assert (
        shown.by_id("preview-text").text
        == f"Здравствуйте, Дина! Заказ M-2 в магазине {site.shop.name} принят."
    )
    expected = setup.preview(
        site.shop, MessageKind.ORDER_RECEIVED, Wording.RU, body=body, order_code="M-2"
    )
    assert shown.by_id("preview-template")["data-template"] == expected.provider_template
    parameters = [li.text for li in shown.by_id("preview-parameters").select("li")]
    assert parameters == [f"{{{{{i}}}}} {v}" for i, v in enumerate(expected.body_parameters, 1)]
    assert not any(e.own for e in setup.templates(site.shop))
    unknown = parse(post(site, site.pages, path, action="preview", body=body, order_code="NO").text)
    assert unknown.by_id("preview-none").text

    # The name of the WhatsApp template it is to go out as is checked too.
    misnamed = post(site, site.pages, path, action="save", body=body, approved_name="Мой шаблон")
    assert misnamed.status_code == 400
    kept = parse(misnamed.text).by_id("template-form")
    assert kept.one("input", name="approved_name")["value"] == "Мой шаблон"
    assert "Мой шаблон" in parse(misnamed.text).by_id("template-problems").text
    assert not any(e.own for e in setup.templates(site.shop))

    saved = post(site, site.pages, path, action="save", body=body, approved_name="cups_received")
    assert saved.status_code == 303
    [entry] = [
        e for e in setup.templates(site.shop)
        if e.kind is MessageKind.ORDER_RECEIVED and e.language is Wording.RU
    ]  # fmt: skip
    assert entry.own and entry.body == body and entry.provider_template == "cups_received"
    page = get(site.pages, saved.headers["location"])
    assert page.by_id("template-source")["data-own"] == "1"
    assert orders[-1].code in page.by_id("preview-text").text  # the latest order by default

    reset = post(site, site.pages, path, action="reset")
    assert reset.status_code == 303
    assert not any(e.own for e in setup.templates(site.shop))


def test_another_tenants_shop_is_not_found(site: Site) -> None:
    other = site.services.add_shop("Чужой", None, None, None)
    for page in ("", "/inbox", "/stats", "/setup", "/templates"):
        assert site.pages.get(f"/shops/{other.id}/messages{page}").status_code == 404
    answer = site.pages.post(
        f"/shops/{other.id}/messages/pause",
        data={"csrf_token": site.csrf(site.pages, "/shops"), "reason": "x"},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert not site.services.messaging_setup.setup(other).paused


def test_the_shop_navigation_links_the_messages(site: Site) -> None:
    doc = get(site.pages, f"/shops/{site.shop.id}/messages/stats")
    link = doc.one("nav", class_="tabs").one("a", href=f"/shops/{site.shop.id}/messages")
    assert link.get("class") == "current"
