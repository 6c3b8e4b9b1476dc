"""Schemathesis sends the API generated requests from its own OpenAPI document: every answer
must match the document, and none may be a server error."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from catalog.models import QueueCategory, ServiceItem
from catalog.tests.factories import make_center, make_department, make_item

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 40


def test_the_api_answers_every_generated_request_as_documented(live_server: Any) -> None:
    center = make_center(slug="qinghe")
    make_item(make_department(center), name="营业执照核发", status=ServiceItem.Status.PUBLISHED)
    QueueCategory.objects.create(center=center, letter="A", name="综合受理")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            # A request the schema allows may still be refused by the domain: a date outside
            # the working-day calendar is a 422 with a message, and that is right.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        answers_as_documented()
        checked.append(operation.label)
    documented = sum(len(methods) for methods in schema.raw_schema["paths"].values())
    assert len(checked) == documented > 15, checked
