"""The quality routes of the JSON API: the same figures as the CLI, 404 for unknown shops."""

from __future__ import annotations

from webshop import Site


def test_quality_routes(site: Site) -> None:
    shop, client = site.shop, site.api
    base = f"/api/v1/shops/{shop.id}/quality"
    report = client.get(base, params={"as_of": "2026-03-10"}).json()
    assert set(report["indicators"]) == {
        "rating", "seller_cancellations", "late_handovers", "quality_returns",
        "reviews_balance",
    }  # fmt: skip
    late = report["indicators"]["late_handovers"]
    explained = client.get(f"{base}/late_handovers", params={"as_of": "2026-03-10"}).json()
    assert sum(f["numerator"] for f in explained["facts"]) == late["numerator"]
    assert sum(f["denominator"] for f in explained["facts"]) == late["denominator"]
    outlook = client.get(f"{base}/outlook", params={"as_of": "2026-03-10", "days": 10}).json()
    assert len(outlook["outlook"]["late_handovers"]["days"]) == 10
    history = client.get(f"{base}/history", params={"last": "2026-03-10"}).json()["history"]
    assert history and history[-1]["day"] == "2026-03-10"
    assert client.get(f"{base}/warnings").status_code == 200
    assert client.get("/api/v1/shops/999/quality").status_code == 404
    assert client.get(f"{base}/no_such_indicator").status_code == 422
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/shops/{shop_id}/quality/outlook" in paths
