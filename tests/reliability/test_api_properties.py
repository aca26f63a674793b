"""Every write operation of the JSON API, fed random, schema-shaped and mutated bodies.

Properties: the answer is never a 5xx, an error is JSON ``{"detail": …}``, and a refused
request stores nothing (every table's row count is unchanged).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import expectations as ex
from tests.security.scene import Scene
from tests.security.urlwalk import ApiOperation, openapi_schema, write_operations

from .strategies import RAW_BODIES, encode, from_schema, json_values, mutated

# v1's writes are the same operations at another root (garden/api.py builds both alike).
WRITES = {op.key: op for op in write_operations(versions=(2,))}
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def row_counts() -> dict[str, int]:
    """Every table's row count, in one round trip (it runs twice per example)."""
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def body_strategy(op: ApiOperation) -> st.SearchStrategy:
    content = op.operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return json_values
    shaped = from_schema(schema, openapi_schema().get("components", {}).get("schemas", {}))
    return shaped | mutated(shaped) | json_values


@pytest.fixture
def scene(garden, settings) -> Scene:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Scene(garden)


class Caller:
    def __init__(self, scene: Scene, op: ApiOperation, role: str):
        entry = ex.API.get(op.key) or ex.Entry()
        self.op = op
        self.path = op.url(entry.kwargs(scene) if entry.kwargs else {})
        self.client = Client()
        self.client.raise_request_exception = False
        self.headers = {"Authorization": f"Bearer {scene.token_for(role)}"}

    def call(self, raw: bytes, content_type: str = "application/json", path: str | None = None):
        method = getattr(self.client, self.op.method.lower())
        return method(path or self.path, raw, content_type=content_type, headers=self.headers)


def assert_safe(response, before: dict[str, int], what: str) -> None:
    status = response.status_code
    assert status < 500, f"{what}: {status} {response.content[:500]!r}"
    if status >= 400:
        if status != 404:  # an unmatched path is Django's 404 page, not the API's
            assert "detail" in response.json(), f"{what}: error without detail"
        after = row_counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{what}: refused with {status} but stored {changed}"


@pytest.mark.parametrize("role", ["member", "coordinator"])
@pytest.mark.parametrize("key", sorted(WRITES))
def test_random_and_mutated_bodies_never_fail_the_server(key: str, role: str, scene: Scene):
    caller = Caller(scene, WRITES[key], role)

    @HYPOTHESIS
    @given(body=body_strategy(WRITES[key]))
    def check(body):
        before = row_counts()
        response = caller.call(encode(body))
        assert_safe(response, before, f"{key} as {role} with {body!r:.300}")

    check()


@pytest.mark.parametrize("key", sorted(WRITES))
def test_malformed_bodies_and_content_types_are_refused_cleanly(key: str, scene: Scene):
    caller = Caller(scene, WRITES[key], "coordinator")

    @HYPOTHESIS
    @given(
        raw=RAW_BODIES,
        content_type=st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
        ),
    )
    def check(raw, content_type):
        before = row_counts()
        response = caller.call(raw, content_type)
        assert_safe(response, before, f"{key} with {raw[:80]!r} as {content_type!r}")

    check()


@pytest.mark.parametrize("key", sorted(k for k, op in WRITES.items() if op.path_params))
def test_unknown_or_malformed_path_ids_are_refused_cleanly(key: str, scene: Scene):
    op = WRITES[key]
    caller = Caller(scene, op, "coordinator")

    @HYPOTHESIS
    @given(value=st.integers() | st.text(min_size=1, max_size=30) | NASTY_IDS)
    def check(value):
        path = op.url(dict.fromkeys(op.path_params, quote(str(value), safe="")))
        before = row_counts()
        response = caller.call(b"{}", path=path)
        assert_safe(response, before, f"{key} at {path!r}")

    check()


NASTY_IDS = st.sampled_from([0, -1, 2**63, 2**70, "1e3", "%00", "..", "1;DROP", " 1"])
