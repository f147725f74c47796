"""Report results that are not frames already, as frames (for tables, JSON and exports)."""

from __future__ import annotations

import polars as pl

from saudager.domains.analytics.economics import SkuEconomics


def economics_frame(rows: list[SkuEconomics]) -> pl.DataFrame:
    """Unit economics per SKU as a table; a SKU with a missing input says which."""
    records = []
    for row in rows:
        unit = row.economics
        zhuma = unit.juma if unit is not None else None
        records.append(
            {
                "sku": row.sku,
                "price_tiyn": unit.price_tiyn if unit else None,
                "purchase_tiyn": unit.purchase_tiyn if unit else None,
                "commission_tiyn": unit.commission_tiyn if unit else None,
                "delivery_tiyn": unit.delivery_tiyn if unit else None,
                "other_tiyn": unit.other_tiyn if unit else None,
                "tax_tiyn": unit.tax_tiyn if unit else None,
                "profit_tiyn": unit.profit_tiyn if unit else None,
                "margin": unit.margin if unit else None,
                "markup": unit.markup if unit else None,
                "break_even_price_tiyn": unit.break_even_price_tiyn if unit else None,
                "target_price_tiyn": unit.target_price_tiyn if unit else None,
                "zhuma_profit_tiyn": zhuma.profit_tiyn if zhuma else None,
                "zhuma_break_even_price_tiyn": zhuma.break_even_price_tiyn if zhuma else None,
                "missing": ", ".join(row.missing),
            }
        )
    return pl.DataFrame(records, infer_schema_length=None)
