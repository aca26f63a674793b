"""Security headers and the production configuration check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from garden.core.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/garden", "/healthz"])
def test_every_response_carries_the_security_headers(client, garden, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]:
        assert directive in csp
    assert csp == CONTENT_SECURITY_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_docs_load_nothing_from_a_cdn(client, db):
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in body
    assert "/static/ninja/" in body


def test_check_deploy_reports_nothing_in_production(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        ALLMENDE_URL="https://garden.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLMENDE_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
