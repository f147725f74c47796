"""Sync throughput: Saudager's sync against a bare fetch of the same pages, in one process.

A simulated shop of about N orders is served by ``saudager simulator`` in its own process (as
Kaspi would be: another machine's work is not ours). This process then

1. baseline: fetches every page of every state and 14-day window with plain httpx and parses
   the JSON — the least any client must do;
2. Saudager: runs the real sync (client, mapping, product look-ups, reviews, upserts into a
   fresh SQLite file) over the same pages;
3. runs the sync again (nothing changed: the idempotent path);

and prints orders per second of each, the ratio sync / baseline, and the peak resident memory.

    python benchmarks/sync_throughput.py [--orders 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from peak_memory import PeakMemory, rss_mb
from saudager.core.timewindows import Window, split_window, to_epoch_ms
from saudager.domains.orders.sync import STATE_ORDER
from saudager.settings import load_settings
from saudager.wiring import build_services

TOKEN = "benchmark-token"
DAYS = 180
JSON_API = "application/vnd.api+json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_fetch(base_url: str, until: datetime) -> tuple[int, int, float]:
    """Every page of every state and window with plain httpx: (orders, requests, seconds)."""
    headers = {"X-Auth-Token": TOKEN, "Accept": JSON_API, "Content-Type": JSON_API}
    windows = split_window(Window(until - timedelta(days=DAYS), until), timedelta(days=14))
    orders = requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base_url + "/", headers=headers, timeout=60) as client:
        for state in STATE_ORDER:
            for window in windows:
                page = 0
                while True:
                    response = client.get(
                        "orders",
                        params={
                            "page[number]": page,
                            "page[size]": 100,
                            "filter[orders][state]": state,
                            "filter[orders][creationDate][$ge]": to_epoch_ms(window.start),
                            "filter[orders][creationDate][$le]": to_epoch_ms(window.last_instant),
                            "include[orders]": "entries",
                        },
                    )
                    requests += 1
                    document = json.loads(response.content)
                    orders += len(document["data"])
                    page += 1
                    if page >= document["meta"]["pageCount"]:
                        break
    return orders, requests, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="about how many orders")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    port = _free_port()
    per_day = max(1, round(args.orders / DAYS / 1.08))  # the generator's growth and Жұма add ~8 %
    simulator = subprocess.Popen(
        [sys.executable, "-m", "saudager", "simulator", "--port", str(port), "--seed", "7",
         "--token", TOKEN, "--days", str(DAYS), "--orders-per-day", str(per_day)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/shop/api/v2"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/_sim/state", timeout=5).json()
                break
            except httpx.TransportError:
                if simulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the simulator did not start") from None
                time.sleep(0.2)
        until = datetime.now(UTC)

        baseline_orders, baseline_requests, baseline_seconds = bare_fetch(base_url, until)

        with tempfile.TemporaryDirectory() as home:
            overrides: dict[str, object] = {
                "home": Path(home),
                "kaspi_requests_per_second": 1_000_000.0,
                "sync_history_days": DAYS,
            }
            if args.database_url:
                overrides["database_url"] = args.database_url
            services = build_services(load_settings(None, **overrides))
            shop = services.add_shop(f"bench-{os.getpid()}", TOKEN, base_url, None)
            rss_before = rss_mb()
            with PeakMemory() as memory, services.kaspi_client(shop) as client:
                started = time.perf_counter()
                first = services.sync.sync(shop, client, until)
                sync_seconds = time.perf_counter() - started
                requests = client.requests_sent
            with services.kaspi_client(shop) as client:
                started = time.perf_counter()
                again = services.sync.sync(shop, client, until)
                again_seconds = time.perf_counter() - started
            services.close()
    finally:
        simulator.terminate()
        simulator.wait(timeout=30)

    baseline_rate = baseline_orders / baseline_seconds
    sync_rate = first.orders_seen / sync_seconds
    print(f"shop: {state['orders']['visible']} orders visible in the simulator")
    print(
        f"baseline (plain httpx, parse only): {baseline_orders} orders, {baseline_requests} requests, "
        f"{baseline_seconds:.2f} s, {baseline_rate:,.0f} orders/s"
    )
    print(
        f"saudager sync (first):  {first.orders_seen} orders, {requests} requests, "
        f"{sync_seconds:.2f} s, {sync_rate:,.0f} orders/s, "
        f"{first.products_written} products, {first.reviews_seen} reviews"
    )
    print(
        f"saudager sync (again):  {again.orders_seen} orders read, {again.orders_written} written, "
        f"{again_seconds:.2f} s, {again.orders_seen / again_seconds:,.0f} orders/s"
    )
    print(f"ratio sync / baseline (throughput): {sync_rate / baseline_rate:.2f}")
    print(
        f"peak resident memory during the sync: {memory.peak:.0f} MB (before: {rss_before:.0f} MB)"
    )


if __name__ == "__main__":
    main()
