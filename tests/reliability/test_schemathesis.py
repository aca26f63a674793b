"""Schemathesis against /api/v1/openapi.json, through the WSGI app in process.

Every operation is called with bodies and parameters generated from the schema (valid and
invalid), as a coordinator with a token. Checks: no server error, and every documented
response matches its schema (status, content type, body).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from tests.security.scene import Scene

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


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
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, coordinator_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"})
