"""Syncs started from the web against the Kaspi simulator: the job runs to the end while its
progress endpoint moves, one sync per shop at a time, the run lands in the settings page's
log; a failed sync says why; jobs of other tenants' shops do not exist."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webshop import Site, api_client

from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig, running_simulator
from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop

TOKEN = "web-jobs-token"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    end = datetime.now(UTC)
    config = SimConfig(seed=11, start=end - timedelta(days=20), end=end, orders_per_day=40.0,
                       sku_count=20)  # fmt: skip
    with running_simulator(config, TOKEN, now=end) as running:
        yield running


def _sim_shop(site: Site, sim: RunningSimulator, token: str = TOKEN) -> Shop:
    """A shop of the site's owner synced from the simulator, slowed to about 40 requests a
    second so that its progress can be watched."""
    owner = site.services.accounts.user_by_name("owner")
    return site.services.add_shop(
        f"sim-{token}", token, sim.base_url, None, requests_per_second=40.0, owner_id=owner.id
    )


def _follow(client: TestClient, shop: Shop, job_id: str) -> list[dict[str, Any]]:
    """Poll the job as the page's script does, until it ends; every answer."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = client.get(f"/api/v1/shops/{shop.id}/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
        if seen[-1]["state"] in ("succeeded", "failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"the job did not end: {seen[-1]}")


def test_sync_now_runs_in_the_background_and_its_progress_moves(
    site: Site, sim: RunningSimulator
) -> None:
    shop = _sim_shop(site, sim)
    path = f"/shops/{shop.id}/settings"
    token = site.csrf(site.pages, path)
    started = site.pages.post(f"/shops/{shop.id}/sync", data={"csrf_token": token},
                              follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    job_id = started.headers["location"].split("job=")[1].split("#")[0]

    # While it runs: the page shows its progress, and a second start answers with it.
    running = site.pages.get(path)
    assert f'data-progress-url="/api/v1/shops/{shop.id}/jobs/{job_id}"' in running.text
    assert 'id="sync-now"' not in running.text
    again = site.api.post(f"/api/v1/shops/{shop.id}/sync")
    assert again.status_code == 200
    assert (again.json()["started"], again.json()["job"]["id"]) == (False, job_id)

    polls = _follow(site.pages, shop, job_id)
    final = polls[-1]
    assert final["state"] == "succeeded", final
    assert final["done"] == final["total"] > 0
    dones = [p["done"] for p in polls]
    assert dones == sorted(dones) and len(set(dones)) >= 3  # it moved, forward only
    assert any(p["state"] == "running" and 0 < p["done"] < p["total"] for p in polls)
    assert any(p["message"].startswith("Заказы") for p in polls)
    assert final["errors"] == []

    [run] = site.services.shops.sync_runs(shop.id)
    result = final["result"]
    assert (run.status, run.orders_seen, run.orders_written) == (
        "succeeded", result["orders_seen"], result["orders_written"],
    )  # fmt: skip
    assert run.orders_seen > 0
    assert site.services.shops.overview(only={shop.id})[0].orders == run.orders_written
    assert f"прочитано заказов {run.orders_seen}" in final["message"]

    page = site.pages.get(started.headers["location"])
    assert 'data-job-state="succeeded"' in page.text and "Готово" in page.text
    assert "data-progress-url" not in page.text  # nothing left to follow: no reload loop
    row = re.search(rf'<tr data-run="{run.id}">(.*?)</tr>', page.text, re.S)
    assert row and "успешно" in row.group(1)
    assert f">{run.orders_seen:,}<".replace(",", "\u00a0") in row.group(1)
    listed = site.api.get(f"/api/v1/shops/{shop.id}/sync-runs").json()["runs"]
    assert [(r["id"], r["status"], r["orders_seen"]) for r in listed] == [
        (run.id, "succeeded", run.orders_seen)
    ]

    # In English, the same log.
    token = site.csrf(site.pages, path)
    site.pages.post("/language", data={"language": "en", "csrf_token": token, "next": "/"})
    page = site.pages.get(path)
    row = re.search(rf'<tr data-run="{run.id}">(.*?)</tr>', page.text, re.S)
    assert row and "succeeded" in row.group(1)
    assert 'id="sync-now"' in page.text and "Sync now" in page.text


def test_api_sync_and_a_sync_that_fails_says_why(site: Site, sim: RunningSimulator) -> None:
    shop = _sim_shop(site, sim, token="wrong-token")
    started = site.api.post(f"/api/v1/shops/{shop.id}/sync")
    assert started.status_code == 202
    body = started.json()
    assert body["started"] is True and body["job"]["state"] in ("queued", "running")
    final = _follow(site.api, shop, body["job"]["id"])[-1]
    assert final["state"] == "failed"
    assert final["errors"] and final["errors"][0]["message"]
    assert final["message"].startswith("Ошибка:")
    [run] = site.services.shops.sync_runs(shop.id)
    assert run.status == "failed" and run.error
    page = site.pages.get(f"/shops/{shop.id}/settings")
    assert 'data-status="failed"' in page.text


def test_a_shop_without_a_token_cannot_sync(site: Site) -> None:
    assert site.api.post(f"/api/v1/shops/{site.shop.id}/sync").status_code == 409
    path = f"/shops/{site.shop.id}/settings"
    token = site.csrf(site.pages, path)
    answer = site.pages.post(f"/shops/{site.shop.id}/sync", data={"csrf_token": token})
    assert answer.status_code == 409
    assert "нет токена Kaspi API" in answer.text
    assert site.services.jobs.recent(site.shop.id) == []


def test_jobs_of_other_shops_do_not_exist_and_viewers_do_not_start_syncs(
    site: Site, sim: RunningSimulator
) -> None:
    shop = _sim_shop(site, sim)
    job_id = site.api.post(f"/api/v1/shops/{shop.id}/sync").json()["job"]["id"]
    other = site.services.add_shop("elsewhere", None, None, None)
    stranger = api_client(site, "outsider", other, Role.OWNER)
    assert stranger.get(f"/api/v1/shops/{shop.id}/jobs/{job_id}").status_code == 404
    assert stranger.get(f"/api/v1/shops/{other.id}/jobs/{job_id}").status_code == 404
    assert stranger.get(f"/api/v1/shops/{shop.id}/jobs").status_code == 404
    assert stranger.post(f"/api/v1/shops/{shop.id}/sync").status_code == 404
    assert site.api.get(f"/api/v1/shops/{shop.id}/jobs/no-such-job").status_code == 404

    viewer = api_client(site, "watcher", shop, Role.VIEWER)
    assert viewer.post(f"/api/v1/shops/{shop.id}/sync").status_code == 403
    assert viewer.get(f"/api/v1/shops/{shop.id}/jobs/{job_id}").status_code == 200  # may watch
    site.login(viewer, "watcher")
    del viewer.headers["Authorization"]
    token = site.csrf(viewer, f"/shops/{shop.id}/settings")
    assert viewer.post(f"/shops/{shop.id}/sync", data={"csrf_token": token}).status_code == 403
    listed = site.api.get(f"/api/v1/shops/{shop.id}/jobs").json()["jobs"]
    assert [j["id"] for j in listed] == [job_id]
    _follow(site.api, shop, job_id)
