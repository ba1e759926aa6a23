"""Generated requests from the service's own OpenAPI schema never make it fail (5xx),
whether they come without credentials or with the admin token (which opens the admin
routes and user data to them)."""

from typing import Any

import schemathesis
from conftest import ADMIN_TOKEN, RunningService
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

EXAMPLES_PER_OPERATION = 40
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_generated_requests_get_no_server_error(service: RunningService) -> None:
    schema = schemathesis.openapi.from_url(f"{service.url}/openapi.json")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 7, "every operation must be testable"

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(checks=[not_a_server_error])
            case.call_and_validate(headers=OPERATOR, checks=[not_a_server_error])

        no_server_error()
