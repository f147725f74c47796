"""The JSON API against its own OpenAPI schema: generated requests never get a server error,
and every answer matches the schema.

Schemathesis reads ``/api/v1/openapi.json`` from the app (in process, no server) and sends a
bounded, repeatable set of requests to every operation: a fixed number of valid and of invalid
examples per operation, derandomized (the same requests on every run and every machine), with the bearer
token of a real user and the id of their real shop (filled from the example import files), so
the requests reach the services instead of stopping at the shop check. Tenant isolation is
checked by ``test_web_tenancy.py``; here the other parameters (dates, periods, kinds, …) vary.
Days far outside the calendar, which once overflowed the quality API, are also asked for
explicitly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from webshop import EXAMPLES, Site, make_user

from saudager.domains.accounts.types import Role
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import Services, build_services

#: Examples per operation: enough to reach odd dates, periods and enumerations; few enough
#: that the whole run stays within a couple of minutes on a small machine.
EXAMPLES_PER_OPERATION = 60
#: The operations of the API when this test was written; finding fewer means it lost some.
FEWEST_OPERATIONS = 8


@pytest.fixture
def owner_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(load_settings(None, home=tmp_path_factory.mktemp("api-schema")))
    yield services
    services.close()


@pytest.mark.slow
def test_api_answers_generated_requests_without_server_errors_and_as_documented(
    owner_services: Services,
) -> None:
    services = owner_services
    shop = services.add_shop("files", None, None, None)
    services.imports.import_files(shop, sorted(EXAMPLES.glob("*.csv")))
    headers = {"Authorization": f"Bearer {make_user(services, 'owner', shop, Role.OWNER)}"}
    api = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(services))
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= FEWEST_OPERATIONS, [op.label for op in operations]
    for operation, mode in itertools.product(operations, GenerationMode):
        fixed = {"shop_id": shop.id} if "{shop_id}" in operation.path else None

        @given(case=operation.as_strategy(mode, path_parameters=fixed))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None,
            deadline=None, suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def answers(case: Case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            answers()
        except Unsatisfiable:  # no parameter to make invalid (negative mode of GET /health)
            continue
        except Exception as exc:  # every operation is tried; all failures are shown together
            failures[f"{operation.label} ({mode.value})"] = f"{type(exc).__name__}: {exc}"
    assert failures == {}


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "path", ["quality", "quality/outlook", "quality/rating", "quality/history", "overview"]
)
def test_days_outside_the_calendar_are_refused_not_a_server_error(
    site: Site, path: str, day: str
) -> None:
    name = "last" if path == "quality/history" else "as_of"
    answer = site.api.get(f"/api/v1/shops/{site.shop.id}/{path}", params={name: day})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", name]
