"""The simulated shop's range: a few hundred SKUs with skewed popularity."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate

from saudager.adapters.kaspi.simulator.reference_data import CATEGORIES, CategorySpec

# Popularity of the SKU at rank r is 1 / r**PARETO_EXPONENT: with about 1.1 a fifth of the
# range brings roughly three quarters of the units, which gives ABC analysis something to find.
PARETO_EXPONENT = 1.1
PREMIUM_BRANDS = frozenset({"Apple", "Dyson", "Chanel", "Dior"})


@dataclass(frozen=True, slots=True)
class Product:
    """One SKU the seller offers, attached to a Kaspi product card."""

    index: int
    kaspi_code: str  # the card code (masterproduct ``code``), 9 digits
    offer_code: str  # the seller's SKU (entry ``offer.code``)
    name: str
    brand: str
    category: CategorySpec
    price: int  # whole tenge
    weight_g: int


@dataclass(frozen=True, slots=True)
class Catalog:
    products: tuple[Product, ...]
    cum_popularity: tuple[float, ...]  # for random.choices(cum_weights=...)

    def pick(self, rng: random.Random) -> Product:
        return rng.choices(self.products, cum_weights=self.cum_popularity)[0]


def generate_catalog(rng: random.Random, sku_count: int) -> Catalog:
    categories = _category_of_each_sku(rng, sku_count)
    card_codes = rng.sample(range(100_000_000, 160_000_000), sku_count)
    products = []
    for index, category in enumerate(categories):
        card_code = str(card_codes[index])
        brand = rng.choice(category.brands)
        products.append(
            Product(
                index=index,
                kaspi_code=card_code,
                offer_code=_offer_code(rng, index, card_code),
                name=_title(rng, category, brand),
                brand=brand,
                category=category,
                price=_price(rng, category, premium=brand in PREMIUM_BRANDS),
                weight_g=rng.randint(category.weight_min_g, category.weight_max_g),
            )
        )
    ranks = list(range(1, sku_count + 1))
    rng.shuffle(ranks)
    # Cheap goods sell more units: damp the weight of expensive SKUs a little.
    weights = [
        (1.0 / rank**PARETO_EXPONENT) * (10_000 / max(p.price, 1_000)) ** 0.25
        for rank, p in zip(ranks, products, strict=True)
    ]
    return Catalog(tuple(products), tuple(accumulate(weights)))


def _category_of_each_sku(rng: random.Random, sku_count: int) -> list[CategorySpec]:
    total_share = sum(c.share for c in CATEGORIES)
    categories: list[CategorySpec] = []
    for category in CATEGORIES:
        categories.extend([category] * max(1, round(sku_count * category.share / total_share)))
    while len(categories) < sku_count:
        categories.append(rng.choice(CATEGORIES))
    return categories[:sku_count]


def _offer_code(rng: random.Random, index: int, card_code: str) -> str:
    # Offers created in the cabinet get Kaspi's "{card}_{n}" code; imported ones keep the
    # seller's own SKU.
    if rng.random() < 0.6:
        return f"{card_code}_{rng.randint(100_000_000, 999_999_999)}"
    return f"SKU-{index + 1:05d}"


def _title(rng: random.Random, category: CategorySpec, brand: str) -> str:
    model = rng.choice(category.models).format(n=rng.randint(2, 19))
    variant = rng.choice(category.variants)
    return " ".join(part for part in (category.noun, brand, model, variant) if part)


def _price(rng: random.Random, category: CategorySpec, *, premium: bool) -> int:
    """Log-uniform in the category's range, ending in 90 like shop prices do (5 990 ₸)."""
    low, high = math.log(category.price_min), math.log(category.price_max)
    position = rng.random() ** (0.6 if premium else 1.4)  # premium brands sit high
    raw = math.exp(low + (high - low) * position)
    return max(category.price_min, round(raw / 100) * 100 - 10)
