"""Faults queued through /_sim/faults or drawn at random, seen by a plain HTTP client."""

from __future__ import annotations

import json

import httpx
import pytest
from kaspi_sim_helpers import DAY_MS, TOKEN, api_client, list_params, now_ms, small_config

from saudager.adapters.kaspi.simulator import RunningSimulator, running_simulator


def queue(sim: RunningSimulator, **fault: object) -> None:
    response = httpx.post(f"{sim.admin_url}/faults", json=fault)
    assert response.status_code == 200, response.text


def get_orders(api: httpx.Client, sim: RunningSimulator) -> httpx.Response:
    now = now_ms(sim)
    return api.get("orders", params=list_params("ARCHIVE", now - DAY_MS, now))


def test_429_says_when_to_retry(fresh_sim: RunningSimulator) -> None:
    queue(fresh_sim, kind="429", count=2, retry_after=3)
    with api_client(fresh_sim) as api:
        first, second, third = (get_orders(api, fresh_sim) for _ in range(3))
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "3"
    assert first.json()["errors"][0]["title"]
    assert third.status_code == 200


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("500", "application/vnd.api+json"), ("502", "text/html"), ("503", "text/html")],
)
def test_server_errors(fresh_sim: RunningSimulator, kind: str, content_type: str) -> None:
    queue(fresh_sim, kind=kind)
    with api_client(fresh_sim) as api:
        failed = get_orders(api, fresh_sim)
        assert failed.status_code == int(kind)
        assert failed.headers["content-type"].startswith(content_type)
        assert get_orders(api, fresh_sim).status_code == 200


def test_html_instead_of_json(fresh_sim: RunningSimulator) -> None:
    queue(fresh_sim, kind="html")
    with api_client(fresh_sim) as api:
        page = get_orders(api, fresh_sim)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>")


def test_truncated_body(fresh_sim: RunningSimulator) -> None:
    queue(fresh_sim, kind="truncated")
    with api_client(fresh_sim) as api:
        cut = get_orders(api, fresh_sim)
        whole = get_orders(api, fresh_sim)
    assert cut.status_code == 200
    assert int(cut.headers["content-length"]) == len(cut.content)
    assert whole.content.startswith(cut.content)
    assert len(cut.content) < len(whole.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_timeout_stalls_past_the_client(fresh_sim: RunningSimulator) -> None:
    queue(fresh_sim, kind="timeout", seconds=1.0)
    with api_client(fresh_sim, timeout=0.2) as api:
        with pytest.raises(httpx.ReadTimeout):
            get_orders(api, fresh_sim)
        assert get_orders(api, fresh_sim).status_code == 200


def test_faults_hit_only_their_path_and_never_the_admin(fresh_sim: RunningSimulator) -> None:
    queue(fresh_sim, kind="503", path_prefix="/shop/api/v2/merchantreviews")
    with api_client(fresh_sim) as api:
        assert get_orders(api, fresh_sim).status_code == 200
        assert httpx.get(f"{fresh_sim.admin_url}/state").status_code == 200
        reviews = api.get("merchantreviews", params={"page[number]": 0, "page[size]": 5})
        assert reviews.status_code == 503
    state = httpx.get(f"{fresh_sim.admin_url}/state").json()
    assert state["faults"]["queued"] == []
    assert state["faults"]["injected"] == 1


def test_unknown_faults_are_refused(fresh_sim: RunningSimulator) -> None:
    assert httpx.post(f"{fresh_sim.admin_url}/faults", json={"kind": "418"}).status_code == 400
    queue(fresh_sim, kind="500", count=5)
    assert httpx.delete(f"{fresh_sim.admin_url}/faults").json() == {"queued": []}


def test_random_faults_are_seeded() -> None:
    def statuses() -> list[int]:
        with (
            running_simulator(small_config(seed=3, days=3), TOKEN, fault_rate=0.3) as sim,
            api_client(sim) as api,
        ):
            return [get_orders(api, sim).status_code for _ in range(40)]

    first, second = statuses(), statuses()
    assert first == second
    failures = [s for s in first if s != 200]
    assert 3 <= len(failures) <= 25
    assert set(failures) <= {429, 500, 502, 503}
