"""Schemathesis against /api/v1/openapi.json, through the WSGI app in process.

Every operation is called with bodies and parameters generated from the schema (valid and
invalid), as a coordinator with a token. Checks: no server error, and every documented
response matches its schema (status, content type, body). Schemathesis' API-design checks
(does the API refuse every schema-violating input, accept every valid one) are not part of
this gate: the property tests in test_api_properties.py own "bad input → 4xx, nothing stored".
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import checks

from garden.api import api
from tests.security.scene import Scene

# The schema the API serves at /api/v1/openapi.json (built without a request, since
# collection has no database), called through the WSGI app like any client would.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()
schema.location = "/api/v1/openapi.json"

# Called through the WSGI app, not the test client: keep the test's database connection.
pytestmark = pytest.mark.usefixtures("keep_db_connection")


@pytest.fixture
def coordinator_token(garden, settings) -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    scene = Scene(garden)
    for kind in ("announcement", "invite", "notification"):
        scene.get(kind)  # something for list operations to return
    return scene.token_for("coordinator")


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, coordinator_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {coordinator_token}"},
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
