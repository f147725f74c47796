"""The overview as plain JSON-ready data: one shape for the pages and the API.

Money is exact tenge as text (``"12345.50"``), as in the sales reports; ratios are exact
decimal text; every quality figure has the quality guard's own JSON shape.
"""

from __future__ import annotations

from typing import Any

from saudager.domains.analytics.views import tenge
from saudager.domains.dashboard.types import Change, Overview, SalesComparison, SalesFigures
from saudager.domains.quality import views as quality_views
from saudager.domains.quality.records import Snapshot


def trend_point_json(snapshot: Snapshot) -> dict[str, Any]:
    """A stored history row (``quality.views.history_json``) without its indicator's name;
    built directly, as the overview shows 4 × 90 of them."""
    return {
        "day": snapshot.day.isoformat(),
        "numerator": snapshot.numerator,
        "denominator": snapshot.denominator,
        "value": None if snapshot.value is None else str(snapshot.value),
        "status": snapshot.status,
    }


def figures_json(figures: SalesFigures) -> dict[str, Any]:
    return {
        "from": figures.first.isoformat(),
        "to": figures.last.isoformat(),
        "revenue": tenge(figures.revenue_tiyn),
        "profit": tenge(figures.profit_tiyn),
        "lines_missing_cost": figures.lines_missing_cost,
        "revenue_missing_cost": tenge(figures.revenue_missing_cost_tiyn),
    }


def change_json(moved: Change) -> dict[str, Any]:
    return {
        "amount": tenge(moved.amount_tiyn),
        "ratio": None if moved.ratio is None else str(moved.ratio),
    }


def comparison_json(comparison: SalesComparison) -> dict[str, Any]:
    return {
        "days": comparison.days,
        "current": figures_json(comparison.current),
        "previous": figures_json(comparison.previous),
        "revenue_change": change_json(comparison.revenue),
        "profit_change": change_json(comparison.profit),
    }


def overview_json(overview: Overview) -> dict[str, Any]:
    return {
        "shop": {"id": overview.shop.id, "name": overview.shop.name},
        "as_of": overview.as_of.isoformat(),
        "revision": overview.revision,
        "indicators": {
            str(indicator): {
                **quality_views.indicator_json(item.current),
                "trend": [trend_point_json(point) for point in item.trend],
            }
            for indicator, item in overview.indicators.items()
        },
        "at_risk": quality_views.warnings_json(list(overview.at_risk)),
        "at_risk_at": overview.at_risk_at.isoformat(),
        "sales": {
            "last_7_days": comparison_json(overview.last_7_days),
            "last_30_days": comparison_json(overview.last_30_days),
        },
        "days_to_zhuma": overview.days_to_zhuma,
        "zhuma": quality_views.zhuma_json(overview.zhuma),
    }
