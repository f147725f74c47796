"""The sales-report routes: every kind answers, money is exact tenge, bad input is a 4xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from webshop import Site

KINDS = ["summary", "abc", "xyz", "matrix", "products", "tops", "profit-change",
         "unit-economics", "zhuma"]  # fmt: skip


@pytest.fixture
def client(site: Site) -> tuple[TestClient, int]:
    return site.api, site.shop.id


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_answers(client, kind: str) -> None:  # type: ignore[no-untyped-def]
    http, shop_id = client
    response = http.get(
        f"/api/v1/shops/{shop_id}/reports/{kind}", params={"from": "2026-02-23", "to": "2026-03-15"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["report"] == kind


def test_summary_money_is_exact_tenge(client) -> None:  # type: ignore[no-untyped-def]
    http, shop_id = client
    data = http.get(
        f"/api/v1/shops/{shop_id}/reports/summary",
        params={"from": "2026-03-01", "to": "2026-03-31"},
    ).json()
    [row] = data["summary"]
    assert isinstance(row["revenue"], str) and row["revenue"].count(".") == 1


def test_bad_requests(client) -> None:  # type: ignore[no-untyped-def]
    http, shop_id = client
    assert http.get(f"/api/v1/shops/{shop_id}/reports/nonsense").status_code == 422
    assert http.get("/api/v1/shops/999/reports/summary").status_code == 404
    swapped = {"from": "2026-03-10", "to": "2026-03-01"}
    assert http.get(f"/api/v1/shops/{shop_id}/reports/summary", params=swapped).status_code == 422


def test_xyz_over_less_than_a_week_is_a_clear_422(client) -> None:  # type: ignore[no-untyped-def]
    http, shop_id = client
    short = {"from": "2026-03-03", "to": "2026-03-05"}
    response = http.get(f"/api/v1/shops/{shop_id}/reports/xyz", params=short)
    assert response.status_code == 422
    assert "week" in response.text


def test_the_zhuma_report_carries_the_quality_verdict(client) -> None:  # type: ignore[no-untyped-def]
    http, shop_id = client
    data = http.get(f"/api/v1/shops/{shop_id}/reports/zhuma").json()
    criteria = {c["key"] for c in data["eligibility"]["criteria"]}
    assert {"rating", "seller_cancellations", "late_handovers", "quality_returns"} <= criteria
