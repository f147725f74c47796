"""Web pages of a shop with 1,000,000 orders: server time and latency under 20 concurrent clients.

1. The shop: ``analytics_reports.synthetic`` (orders of 1–4 lines over 365 days ending
   yesterday, Zipf-like SKU popularity, cancellations, returns, purchase costs, advertising)
   scaled to 1,000,000 orders, plus a review for 35 % of the completed orders, written into a
   fresh SQLite database through the store (not timed; kept in ``--home`` and reused by later
   runs with the same size and day).
2. The server: ``saudager serve`` in its own process, as in production (one Uvicorn process),
   on loopback. A user owning the shop logs in through the form; an API token is issued.
3. Cold: each page asked once, one at a time, right after the server starts (the first one
   reads the shop from the database and costs it; later ones reuse that).
4. Under load: 20 clients (threads of this process, each with its own connection and session
   cookie) each ask every page ``--rounds`` times in a shuffled order. For each page: the
   server's own time (the ``Server-Timing`` header) and the latency seen by the client, p50
   and p95. The baseline, in the same run and under the same load, is ``/health`` (one
   database round trip and no page): ratio page p95 / baseline p95.

    python benchmarks/web_pages.py [--orders 1000000] [--clients 20] [--rounds 10]
        [--home /tmp/saudager-bench-web] [--port 8765]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

import analytics_reports as shop_data
from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.domains.accounts.types import Role
from saudager.domains.orders.types import Review
from saudager.settings import load_settings
from saudager.wiring import build_services

USERNAME = "bench"
PASSWORD = "bench password 1"
LINES_PER_ORDER = 1.43


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- 1. the shop -----------------------------------------------------------------------------


def reviews_of(shop: shop_data.Synthetic, seed: int) -> list[Review]:
    """A review for 35 % of completed orders, 1–7 days after completion; mostly 5 stars."""
    rng = np.random.default_rng(seed + 1)
    completed = np.flatnonzero(shop.o_status == 0)
    chosen = completed[rng.random(len(completed)) < 0.35]
    stars = rng.choice([5, 4, 3, 2, 1], size=len(chosen), p=[0.7, 0.15, 0.05, 0.03, 0.07])
    delay = rng.integers(1 * shop_data.DAY, 7 * shop_data.DAY, size=len(chosen))
    names = [shop_data.sku_name(i) for i in range(shop_data.SKUS)]
    reviews = []
    for order, rating, after in zip(chosen.tolist(), stars.tolist(), delay.tolist(), strict=True):
        at = shop_data._at(int(shop.o_done[order]) + after)
        assert at is not None
        sku = names[int(shop.l_sku[int(shop.o_first_line[order])])]
        reviews.append(
            Review(
                key=f"r{order}", rating=rating, created_at=at, approved_at=at,
                order_code=str(100_000_000 + order), sku=sku, text=None,
            )
        )  # fmt: skip
    return reviews


def build_home(home: Path, orders: int, seed: int, as_of: date) -> None:
    """A fresh home with the shop (id 1), unless one of the same size and day is there."""
    marker = home / "bench-shop.txt"
    wanted = f"{orders} {seed} {as_of.isoformat()}"
    if marker.exists() and marker.read_text() == wanted:
        print(f"shop: reusing {home}")
        return
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    started = time.perf_counter()
    shop = shop_data.synthetic(int(orders * LINES_PER_ORDER), seed, as_of)
    engine = create_engine_for(f"sqlite:///{home / 'saudager.db'}")
    upgrade_to_head(engine)
    store = SqlStore(engine)
    shop_id = shop_data.write_shop(store, shop)
    reviews = reviews_of(shop, seed)
    for start in range(0, len(reviews), 2_000):
        with store.transaction() as tx:
            tx.upsert_reviews(shop_id, reviews[start : start + 2_000])
    engine.dispose()
    print(f"shop: {shop.orders:,} orders, {len(reviews):,} reviews written through the store "
          f"in {time.perf_counter() - started:.0f} s (not timed)")  # fmt: skip
    marker.write_text(wanted)


def add_user(home: Path) -> str:
    """The bench user, owner of shop 1; returns an API token."""
    services = build_services(load_settings(None, home=home))
    try:
        accounts = services.accounts
        try:
            user = accounts.user_by_name(USERNAME)
        except Exception:
            user = accounts.add_user(USERNAME, PASSWORD)
        accounts.grant(user.id, 1, Role.OWNER)
        return accounts.issue_api_token(user.id, "bench")
    finally:
        services.close()


# --- 2. the server ---------------------------------------------------------------------------


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SAUDAGER_HOME": str(home)}
    saudager = Path(sys.executable).parent / "saudager"
    # exec: the process is the server itself, so its /proc status is the server's.
    process = subprocess.Popen(
        [str(saudager), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found, "no login form"
    answer = client.post(
        "/login", data={"username": USERNAME, "password": PASSWORD, "csrf_token": found.group(1)}
    )
    assert answer.status_code in (200, 303), answer.status_code
    return client


# --- 3 and 4. measuring ------------------------------------------------------------------------


@dataclass
class Samples:
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: int = 0


def server_ms(response: httpx.Response) -> float:
    found = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else float("nan")


def run_load(base: str, paths: list[str], clients: int, rounds: int) -> dict[str, Samples]:
    samples = {path: Samples() for path in paths}
    lock = threading.Lock()
    sessions = [logged_in(base) for _ in range(clients)]
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        session = sessions[number]
        order = [p for _ in range(rounds) for p in paths]
        random.Random(number).shuffle(order)
        start.wait()
        for path in order:
            began = time.perf_counter()
            response = session.get(path)
            took = (time.perf_counter() - began) * 1e3
            with lock:
                kept = samples[path]
                if response.status_code != 200:
                    kept.errors += 1
                kept.client_ms.append(took)
                kept.server_ms.append(server_ms(response))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session in sessions:
        session.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--home", type=Path, default=Path("/tmp/saudager-bench-web"))
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    as_of = datetime.now(UTC).date() - timedelta(days=1)
    build_home(args.home, args.orders, args.seed, as_of)
    token = add_user(args.home)
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.home, args.port)
    try:
        shop = "/shops/1"
        pages = [
            shop, f"{shop}/quality", f"{shop}/quality/late_handovers", f"{shop}/sales",
            f"{shop}/products", f"{shop}/zhuma", f"{shop}/settings", f"{shop}/import", "/shops",
        ]  # fmt: skip
        api = ["/api/v1/shops/1/overview", "/api/v1/shops/1/quality",
               "/api/v1/shops/1/reports/summary"]  # fmt: skip
        client = logged_in(base)
        client.headers["Authorization"] = f"Bearer {token}"
        print("cold, one request at a time (server time / latency):")
        present = []
        for path in pages + api:
            began = time.perf_counter()
            response = client.get(path)
            took = time.perf_counter() - began
            note = "" if response.status_code == 200 else f"  (status {response.status_code})"
            print(f"  {path:<40} {server_ms(response) / 1e3:7.2f} s / {took:7.2f} s{note}")
            if response.status_code == 200:
                present.append(path)
        client.close()
        baseline = run_load(base, ["/health"], args.clients, args.rounds * len(present))
        loaded = run_load(base, present, args.clients, args.rounds)
        health = baseline["/health"]
        base_p95 = percentile(health.client_ms, 0.95)
        print(f"\nunder load: {args.clients} clients × {args.rounds} rounds of every page, "
              "milliseconds")  # fmt: skip
        print(f"  {'path':<40} {'server p50':>10} {'server p95':>10} {'p50':>8} {'p95':>8} "
              f"{'p95/base':>9}")  # fmt: skip
        for path, kept in [("/health (baseline)", health), *loaded.items()]:
            p95 = percentile(kept.client_ms, 0.95)
            errors = f"  {kept.errors} errors" if kept.errors else ""
            print(f"  {path:<40} {statistics.median(kept.server_ms):10.1f} "
                  f"{percentile(kept.server_ms, 0.95):10.1f} {statistics.median(kept.client_ms):8.1f} "
                  f"{p95:8.1f} {p95 / base_p95:8.1f}×{errors}")  # fmt: skip
        status = Path(f"/proc/{server.pid}/status").read_text().splitlines()
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        print(f"\nserver process peak resident memory (VmHWM): {int(peak) / 1024:.0f} MB")
        worst = max(percentile(k.client_ms, 0.95) for k in loaded.values())
        verdict = "met" if worst <= 300 else "NOT met"
        print(f"\nworst page p95 {worst:.0f} ms (target ≤ 300 ms: {verdict})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
