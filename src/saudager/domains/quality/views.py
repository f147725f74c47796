"""The quality guard's results as plain JSON-ready data: one shape for the CLI and the API."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from saudager.domains.quality.eligibility import JumaEligibility
from saudager.domains.quality.outlook import IndicatorOutlook
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.sanctions import SanctionState
from saudager.domains.quality.service import Explanation, QualityReport
from saudager.domains.quality.types import Indicator, IndicatorValue
from saudager.domains.quality.warnings import DeadlineWarning


def plain(value: Any) -> Any:
    """Dataclasses, dates, Decimals, Fractions and enums as JSON values (exact numbers as text)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | Fraction):
        return (
            str(value)
            if isinstance(value, Decimal)
            else str(Decimal(value.numerator) / value.denominator)
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def indicator_json(value: IndicatorValue) -> dict[str, Any]:
    data: dict[str, Any] = plain(value)
    data.pop("indicator", None)
    return data


def sanctions_json(state: SanctionState) -> dict[str, Any]:
    data: dict[str, Any] = plain(state)
    data.update(
        blocked=state.blocked,
        violations_so_far=state.violations_so_far,
        sentence_ru=state.sentence_ru,
        sentence_en=state.sentence_en,
    )
    return data


def zhuma_json(zhuma: JumaEligibility) -> dict[str, Any]:
    data: dict[str, Any] = plain(zhuma)
    data["sentence_ru"], data["sentence_en"] = zhuma.sentence_ru, zhuma.sentence_en
    data["timing"].update(
        sentence_ru=zhuma.timing.sentence_ru, sentence_en=zhuma.timing.sentence_en
    )
    return data


def report_json(report: QualityReport) -> dict[str, Any]:
    return {
        "shop": report.shop.name,
        "as_of": report.as_of.isoformat(),
        "indicators": {str(k): indicator_json(v) for k, v in report.indicators.items()},
        "sanctions": sanctions_json(report.sanctions),
        "zhuma": zhuma_json(report.zhuma),
    }


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "indicator": str(explanation.value.indicator),
        **indicator_json(explanation.value),
        "facts": [plain(fact) for fact in explanation.facts],
    }


def outlook_json(outlooks: dict[Indicator, IndicatorOutlook]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for indicator, item in outlooks.items():
        data: dict[str, Any] = plain(item)
        if item.recovery is not None:
            data["recovery"].update(
                sentence_ru=item.recovery.sentence_ru, sentence_en=item.recovery.sentence_en
            )
        result[str(indicator)] = data
    return result


def warnings_json(warnings: list[DeadlineWarning]) -> list[dict[str, Any]]:
    return [
        {**plain(w), "late": w.late, "sentence_ru": w.sentence_ru, "sentence_en": w.sentence_en}
        for w in warnings
    ]


def history_json(snapshots: list[Snapshot]) -> list[dict[str, Any]]:
    return [plain(s) for s in snapshots]
