"""CSRF on every form and action, and security headers on every page, from the URL conf."""

from __future__ import annotations

import pytest
from django.test import Client

from . import expectations as ex
from .scene import Scene
from .test_authorization_matrix import OPERATIONS, PAGE_URLS, page_entry, page_path
from .urlwalk import write_operations

FORM_URLS = sorted(
    name
    for name in PAGE_URLS
    if (entry := page_entry(name)) is not None and entry.post is not None and not entry.csrf_exempt
)
# The admin's ~80 pages share one response path; its index and login stand for them.
GET_URLS = sorted(
    name
    for name in PAGE_URLS
    if (entry := page_entry(name)) is not None
    and entry.get is not None
    and (not name.startswith(("admin:", "/admin/")) or name in ("admin:index", "admin:login"))
)


@pytest.fixture
def scene(garden, settings) -> Scene:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Scene(garden)


def _strict_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", FORM_URLS)
@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_post_without_csrf_token_is_refused(name: str, role: str, scene: Scene):
    entry = page_entry(name)
    client = _strict_client(scene.users[role])
    response = client.post(page_path(name, scene), entry.data(scene) if entry.data else {})
    assert response.status_code == 403, f"POST {name} as {role} without a CSRF token"


def test_forms_are_found():
    assert {"login", "signup", "profile", "join", "logout"} <= set(FORM_URLS)


@pytest.mark.parametrize("key", [op.key for op in write_operations()])
def test_api_write_with_session_but_without_csrf_token_is_refused(key: str, scene: Scene):
    """A session cookie alone must not let another site write through the API."""
    op = OPERATIONS[key]
    entry = ex.API.get(key)
    if entry is None:
        pytest.fail(f"{key} has no expectation in tests/security/expectations.py")
    if entry.csrf_exempt:
        pytest.skip(f"{key} is not called by browsers (signed server-to-server)")
    client = _strict_client(scene.users["coordinator"])
    path = op.url(entry.kwargs(scene) if entry.kwargs else {})
    body = entry.data(scene) if entry.data else {}
    if entry.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = {name: SimpleUploadedFile(f"{name}.csv", content) for name, content in body.items()}
        response = client.post(path, files)
    else:
        call = getattr(client, op.method.lower())
        response = call(path, body, content_type="application/json")
    assert response.status_code in (401, 403), f"{key} with a session and no CSRF token"


BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _check_headers(response, what: str, expect_csp: bool) -> None:
    for header, value in BASE_HEADERS.items():
        assert response.get(header) == value, f"{what}: {header}"
    if expect_csp:
        csp = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp or "default-src 'none'" in csp, f"{what}: CSP"
        assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0], what
        assert response.get("Permissions-Policy"), f"{what}: Permissions-Policy"


def _csp_landed(client: Client) -> bool:
    return bool(client.get("/").get("Content-Security-Policy"))


@pytest.mark.parametrize("name", GET_URLS)
def test_every_page_sends_security_headers(name: str, scene: Scene):
    csp = _csp_landed(Client())
    for role in ("anonymous", "coordinator"):
        client = Client()
        if scene.users[role] is not None:
            client.force_login(scene.users[role])
        response = client.get(page_path(name, scene))
        _check_headers(response, f"GET {name} as {role} ({response.status_code})", csp)


def test_api_sends_security_headers(scene: Scene):
    client = Client()
    for path in ("/api/v1/garden", "/api/v1/me", "/api/v1/openapi.json"):
        _check_headers(client.get(path), path, expect_csp=False)


def test_content_security_policy_is_sent(client, garden):
    if not _csp_landed(client):
        pytest.skip("Content-Security-Policy is added by the members issue; not landed yet")
    _check_headers(client.get("/"), "/", expect_csp=True)
