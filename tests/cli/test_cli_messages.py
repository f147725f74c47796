"""``saudager messages`` as a seller runs it: real processes on a fresh home, the console
provider (the default: nothing leaves the machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from saudager.domains.messaging.provider import RefusalKind
from saudager.domains.messaging.records import MessageKey, NewMessage
from saudager.domains.messaging.service import OutboxService
from saudager.domains.orders.types import Order, OrderLine
from saudager.settings import load_settings
from saudager.wiring import build_services

PHONE = "+77011234567"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    env.update(SAUDAGER_HOME=str(home), SAUDAGER_LOG_LEVEL="WARNING", COLUMNS="200")
    # A send window around the present moment in the shop's zone, whenever the test runs
    # (the window itself is tested in tests/domains/messaging and tests/jobs).
    local = datetime.now(ZoneInfo("Asia/Almaty"))
    env["SAUDAGER_MESSAGING__WINDOW_START"] = (local - timedelta(hours=1)).strftime("%H:%M")
    env["SAUDAGER_MESSAGING__WINDOW_END"] = (local + timedelta(hours=2)).strftime("%H:%M")
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _shop_with_an_order(home: Path) -> None:
    services = build_services(load_settings(None, home=home))
    # Relative to now: messages are planned and sent only while their news is fresh.
    now = datetime.now(UTC)
    try:
        shop = services.add_shop("demo", None, None, None)
        order = Order(
            code="501234567", created_at=now - timedelta(days=2),
            completed_at=now - timedelta(hours=5), state="ARCHIVE", status="COMPLETED", total_price=Decimal("15990"),
            customer_name="Айгерим Сапарова", customer_phone=PHONE,
            lines=(OrderLine(line_no=1, sku="KETTLE-1", quantity=1,
                             unit_price=Decimal("15990"), total_price=Decimal("15990"),
                             product_name="Чайник Tefal"),),
        )  # fmt: skip
        with services.store.transaction() as tx:
            tx.upsert_orders(shop.id, [order])
        OutboxService(services.store, lambda: datetime.now(UTC)).enqueue(
            NewMessage(
                key=MessageKey(shop.id, order.code, "order_received"), from_number="console",
                to=PHONE, template="order_received_v1", language="ru",
                body_parameters=("Айгерим", order.code, "Чайник Tefal", "demo"),
                due_at=now - timedelta(hours=1),
            )
        )  # fmt: skip
    finally:
        services.close()


def test_preview_outbox_and_one_dispatch_pass(tmp_path: Path) -> None:
    _shop_with_an_order(tmp_path)
    preview = _run(tmp_path, "messages", "preview", "demo", "501234567", "--json")
    assert preview.returncode == 0, preview.stderr
    shown = json.loads(preview.stdout)
    assert "Айгерим" in shown["text"] and "501234567" in shown["text"]
    assert "{" not in shown["text"] and PHONE not in preview.stdout  # filled in; phone masked
    assert shown["body_parameters"] and "{{1}}" in shown["approved_body"]

    english = _run(tmp_path, "messages", "preview", "demo", "501234567", "--language", "en")
    assert english.returncode == 0 and "501234567" in english.stdout

    queued = json.loads(_run(tmp_path, "messages", "outbox", "--json").stdout)["messages"]
    assert [(m["order"], m["state"]) for m in queued] == [("501234567", "queued")]
    assert queued[0]["to"] != PHONE and queued[0]["to"].startswith("+7701")

    planned = json.loads(_run(tmp_path, "messages", "plan", "demo", "--json").stdout)["queued"]
    # The completed order gets its message 2, the review request (its message 1 is queued).
    assert [(m["order"], m["slot"], m["template"]) for m in planned] == [
        ("501234567", "message_2", "order_delivered_review_v1")
    ]
    again = json.loads(_run(tmp_path, "messages", "plan", "demo", "--json").stdout)["queued"]
    assert again == []

    sent = _run(tmp_path, "messages", "dispatch", "--json")
    assert sent.returncode == 0, sent.stderr
    assert '"sent": 1' in sent.stdout and PHONE not in sent.stdout
    after = json.loads(_run(tmp_path, "messages", "outbox", "demo", "--json").stdout)["messages"]
    # Message 1 went; message 2 waits for the gap between two messages to one buyer.
    assert [(m["kind"], m["state"]) for m in after] == [
        ("order_received", "sent"),
        ("message_2", "queued"),
    ]


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    _shop_with_an_order(tmp_path)
    missing = _run(tmp_path, "messages", "preview", "demo", "999")
    assert missing.returncode == 1 and "has no order '999'" in missing.stderr
    kind = _run(tmp_path, "messages", "preview", "demo", "501234567", "--kind", "spam")
    assert kind.returncode == 1 and "unknown message kind 'spam'" in kind.stderr
    state = _run(tmp_path, "messages", "outbox", "--state", "lost")
    assert state.returncode == 1 and "unknown state 'lost'" in state.stderr


def test_the_kill_switch(tmp_path: Path) -> None:
    _shop_with_an_order(tmp_path)
    assert "paused" in _run(tmp_path, "messages", "pause", "demo").stdout
    assert "already paused" in _run(tmp_path, "messages", "pause", "demo").stdout
    # Nothing reaches the console provider: the one queued message is cancelled.
    result = json.loads(_run(tmp_path, "messages", "dispatch", "--json").stdout)
    assert (result["sent"], result["cancelled"]) == (0, 1)
    assert "on" in _run(tmp_path, "messages", "resume", "demo").stdout
    assert "was not paused" in _run(tmp_path, "messages", "resume", "demo").stdout


def test_window_language_and_own_wordings(tmp_path: Path) -> None:
    _shop_with_an_order(tmp_path)
    shown = json.loads(_run(tmp_path, "messages", "window", "demo", "--json").stdout)
    assert shown["window_is_default"] is True  # the install's (here: around the present)
    assert shown["number"] == "console" and shown["number_stop"] is None
    short = _run(tmp_path, "messages", "window", "demo", "09:00", "09:45")
    assert short.returncode == 1 and "open 45 minutes a day" in short.stderr
    bad = _run(tmp_path, "messages", "window", "demo", "9h", "21:00")
    assert bad.returncode == 1 and "expected a local time as HH:MM" in bad.stderr
    night = json.loads(
        _run(tmp_path, "messages", "window", "demo", "20:00", "02:00", "--json").stdout
    )
    assert (night["window_start"], night["window_end"]) == ("20:00", "02:00")
    assert "language kk" in _run(tmp_path, "messages", "language", "demo", "kk").stdout

    wording = tmp_path / "wording.txt"
    wording.write_text("Сәлем, {first_name}! {shop}: № {order_code} {товар}.", encoding="utf-8")
    refused = _run(
        tmp_path, "messages", "template", "demo", "order_received", "kk", "--file", str(wording)
    )
    assert refused.returncode == 1
    assert (
        f"{wording}: template 'shop1.order_received.kk': unknown placeholder {{товар}}"
        in refused.stderr
    )
    own = "Сәлем, {first_name}! {shop}: № {order_code} тапсырыс қабылданды."
    saved = _run(tmp_path, "messages", "template", "demo", "order_received", "kk", "--text", own)
    assert saved.returncode == 0, saved.stderr
    listed = json.loads(_run(tmp_path, "messages", "templates", "demo", "--own", "--json").stdout)
    assert [(t["kind"], t["language"], t["body"]) for t in listed["templates"]] == [
        ("order_received", "kk", own)
    ]
    preview = json.loads(
        _run(tmp_path, "messages", "preview", "demo", "--language", "kk", "--json").stdout
    )
    assert preview["text"] == "Сәлем, Айгерим! demo: № 501234567 тапсырыс қабылданды."
    assert (
        "ready"
        in _run(tmp_path, "messages", "template-reset", "demo", "order_received", "kk").stdout
    )
    assert (
        "had no own"
        in _run(tmp_path, "messages", "template-reset", "demo", "order_received", "kk").stdout
    )


def test_stopped_numbers_are_listed_and_resumed(tmp_path: Path) -> None:
    _shop_with_an_order(tmp_path)
    assert "No business number is stopped" in _run(tmp_path, "messages", "numbers").stdout
    services = build_services(load_settings(None, home=tmp_path))
    try:
        with services.store.transaction() as tx:
            tx.stop_number("console", RefusalKind.NUMBER_BLOCKED, "131048: spam", datetime.now(UTC))
    finally:
        services.close()
    listed = json.loads(_run(tmp_path, "messages", "numbers", "--json").stdout)["stopped"]
    assert [(s["number"], s["reason"]) for s in listed] == [("console", "131048: spam")]
    shown = json.loads(_run(tmp_path, "messages", "window", "demo", "--json").stdout)
    assert shown["number_stop"]["reason"] == "131048: spam"
    assert "sends again" in _run(tmp_path, "messages", "number-resume", "console").stdout
    assert "was not stopped" in _run(tmp_path, "messages", "number-resume", "console").stdout
