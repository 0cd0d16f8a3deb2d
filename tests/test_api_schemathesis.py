"""The API against its own OpenAPI document: generated requests to every operation, on the
demo portfolio, find no server error and no answer that breaks the documented schema.

Bounded for CI: a few dozen generated cases per operation. Unsigned writes are refused
(401), which is what they should get; the checks here are the two the API promises for
every input: no 5xx, and every documented answer matches its schema.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calls go to the WSGI app directly, not through Django's test client, so nothing
    stops Django from closing the database connection after each request, as it does in
    production, which would end the test's transaction (on PostgreSQL). Do what the test
    client does: leave the connection alone while the test runs."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Reading the document touches no table: it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_api(case, demo):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
