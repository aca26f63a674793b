"""Every URL × every role → the declared status (tests/security/expectations.py).

Generated from the URL conf and the API schema: a URL added without an expectation fails
``test_every_url_has_a_declared_expectation``, so nobody can forget to decide who may use it.
"""

from __future__ import annotations

import fnmatch
import re

import pytest
from django.test import Client
from django.urls import reverse

from . import expectations as ex
from .scene import Scene
from .urlwalk import api_operations, page_urls

PAGE_URLS = {url.name: url for url in page_urls()}
OPERATIONS = {op.key: op for op in api_operations()}


def page_entry(name: str) -> ex.Entry | None:
    if name in ex.PAGES:
        return ex.PAGES[name]
    for pattern, entry in ex.PAGES.items():
        if "*" in pattern and fnmatch.fnmatchcase(name, pattern):
            return entry
    return None


def test_every_url_has_a_declared_expectation():
    missing = [name for name in PAGE_URLS if page_entry(name) is None]
    missing += [key for key in OPERATIONS if key not in ex.API]
    assert not missing, (
        "Declare who may use these URLs in tests/security/expectations.py: " + ", ".join(missing)
    )


def test_every_declared_expectation_names_a_real_url():
    stale = [name for name in ex.PAGES if "*" not in name and name not in PAGE_URLS]
    stale += [key for key in ex.API if key not in OPERATIONS]
    assert not stale, "These expectations name URLs that no longer exist: " + ", ".join(stale)


def _page_cells():
    for name in sorted(PAGE_URLS):
        entry = page_entry(name)
        if entry is None:
            continue  # reported by test_every_url_has_a_declared_expectation
        for method, expect in (("GET", entry.get), ("POST", entry.post)):
            if expect is not None:
                for role in entry.roles:
                    yield pytest.param(name, method, role, id=f"{name}-{method}-{role}")


def _api_cells():
    for key in sorted(OPERATIONS):
        if key in ex.API:
            for role in ex.API[key].roles:
                yield pytest.param(key, role, id=f"{key}-{role}")


@pytest.fixture
def scene(garden, settings) -> Scene:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Scene(garden)


def page_kwargs(name: str, scene: Scene) -> dict:
    url = PAGE_URLS[name]
    entry = page_entry(name)
    if entry.kwargs is not None:
        return entry.kwargs(scene)
    # Glob entries (the admin): any well-formed value, since staff-only comes first.
    samples = {"app_label": "members", "content_type_id": "1", "object_id": "1"}
    return {
        kwarg: samples.get(kwarg, "1" if "int" in type(conv).__name__.lower() else "x")
        for kwarg, conv in url.converters.items()
    }


def page_path(name: str, scene: Scene) -> str:
    if name.startswith("/"):  # an unnamed pattern: fill its route with sample values
        path = re.sub(r"<[^>]+>", "1", name.replace("(?P<url>.*)$", "no-such-page/"))
        return path.replace("^", "")
    return reverse(name, kwargs=page_kwargs(name, scene) or None)


def assert_outcome(response, expected: ex.Outcome, what: str) -> None:
    location = response.get("Location", "")
    login = reverse("login")
    actual: ex.Outcome = response.status_code
    if response.status_code in (301, 302, 303):
        if location.startswith(login):
            actual = ex.LOGIN
        elif location.startswith("/admin/login/"):
            actual = ex.ADMIN_LOGIN
        else:
            actual = ex.REDIRECT
    assert actual == expected, f"{what}: expected {expected}, got {actual} ({location})"


@pytest.mark.parametrize(("name", "method", "role"), list(_page_cells()))
def test_page(name: str, method: str, role: str, scene: Scene):
    entry = page_entry(name)
    expected = (entry.get if method == "GET" else entry.post)[role]
    client = Client()
    user = scene.users[role]
    if user is not None:
        client.force_login(user)
    path = page_path(name, scene)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, entry.data(scene) if entry.data else {})
    assert_outcome(response, expected, f"{method} {path} as {role}")


@pytest.mark.parametrize(("key", "role"), list(_api_cells()))
def test_api_operation(key: str, role: str, scene: Scene):
    op = OPERATIONS[key]
    entry = ex.API[key]
    expect = entry.get if op.method == "GET" else entry.post
    assert expect is not None, f"{key}: declare the expectation as get= or post="
    kwargs = entry.kwargs(scene) if entry.kwargs else {}
    path = op.url(kwargs)
    headers = {}
    token = scene.token_for(role)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    client = Client()
    body = entry.data(scene) if entry.data else {}
    if op.method == "GET":
        response = client.get(path, headers=headers)
    elif entry.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = {name: SimpleUploadedFile(f"{name}.csv", content) for name, content in body.items()}
        response = client.post(path, files, headers=headers)
    else:
        call = getattr(client, op.method.lower())
        response = call(path, body, content_type="application/json", headers=headers)
    assert response.status_code == expect[role], (
        f"{key} as {role}: expected {expect[role]}, got {response.status_code} "
        f"{response.content[:300]!r}"
    )
    if response.status_code >= 400:
        assert "detail" in response.json(), f"{key} as {role}: errors are {{'detail': …}}"
