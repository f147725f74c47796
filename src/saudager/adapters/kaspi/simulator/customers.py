"""Buyers of the simulated shop: Kazakh and Russian names, Kazakh mobiles, some come back."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from saudager.adapters.kaspi.simulator.ids import opaque_id
from saudager.adapters.kaspi.simulator.reference_data import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    PHONE_PREFIXES,
    STREETS,
)

_CITY_CUM_WEIGHTS = tuple(accumulate(city.weight for city in CITIES))


@dataclass(frozen=True, slots=True)
class Customer:
    index: int
    kaspi_id: str  # the opaque JSON:API id of the ``customers`` resource
    first_name: str
    last_name: str
    phone: str  # 10 digits, no country code, as Kaspi sends it
    city: int  # index into CITIES
    street: str
    house: str
    apartment: str | None


class CustomerBook:
    """Hands out customers while orders are generated: new ones, or someone who bought before.

    Repeat buyers are drawn from earlier customers with a bias to recent ones, so a buyer's
    orders cluster in time the way real re-purchases do.
    """

    def __init__(self, rng: random.Random, merchant_id: str, repeat_share: float) -> None:
        self._rng = rng
        self._merchant_id = merchant_id
        self._repeat_share = repeat_share
        self._phones: set[str] = set()
        self.customers: list[Customer] = []

    def next_buyer(self) -> Customer:
        known = len(self.customers)
        if known > 20 and self._rng.random() < self._repeat_share:
            # Triangular towards the newest: recent buyers come back more often.
            position = int(self._rng.triangular(0, known, known))
            return self.customers[min(position, known - 1)]
        return self._new_customer()

    def _new_customer(self) -> Customer:
        rng = self._rng
        index = len(self.customers)
        first_name, female = rng.choice(FIRST_NAMES)
        last_name = rng.choice(LAST_NAMES)
        if female and last_name.endswith(("ов", "ев", "ин")):
            last_name += "а"
        city = rng.choices(range(len(CITIES)), cum_weights=_CITY_CUM_WEIGHTS)[0]
        customer = Customer(
            index=index,
            kaspi_id=opaque_id(f"{self._merchant_id}:customer:{index}"),
            first_name=first_name,
            last_name=last_name,
            phone=self._unique_phone(),
            city=city,
            street=rng.choice(STREETS),
            house=f"{rng.randint(1, 250)}{rng.choice(('', '', '', 'А', 'Б', '/1'))}",
            apartment=str(rng.randint(1, 180)) if rng.random() < 0.7 else None,
        )
        self.customers.append(customer)
        return customer

    def _unique_phone(self) -> str:
        while True:
            phone = f"{self._rng.choice(PHONE_PREFIXES)}{self._rng.randrange(10_000_000):07d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone
