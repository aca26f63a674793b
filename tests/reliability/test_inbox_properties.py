"""The federation inbox under hostile input: random and mutated JSON, headers and sizes.

A peered remote garden (tests/federation/remote.py, its HTTP mocked) sends activities;
hypothesis breaks them. Properties: never a 5xx; a refused activity stores nothing (every
table's row count unchanged); a valid one is applied once however often it arrives.
"""

from __future__ import annotations

import json

import httpx
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("federation.inbox", reason="the federation core has not landed yet")

from federation import http  # noqa: E402
from federation.models import InboxActivity, Peer  # noqa: E402
from tests.federation.remote import Network, RemoteGarden  # noqa: E402

from .strategies import NASTY_STRINGS, RAW_BODIES, json_values, mutated  # noqa: E402
from .test_api_properties import row_counts  # noqa: E402

HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/json",
        "text/plain",
        "",
    ]
)


@pytest.fixture
def sender(db, garden, settings, monkeypatch, tmp_path) -> RemoteGarden:
    settings.FEDERATION_KEY_DIR = tmp_path / "keys"
    settings.FEDERATION_DEBUG_HANDLER = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "inbox-host": "0/m", "inbox-ip": "0/m"}
    remote = RemoteGarden()
    monkeypatch.setattr(http, "transport", httpx.MockTransport(Network(remote)))
    monkeypatch.setattr(http, "check_url", lambda url: None)
    Peer.objects.create(
        actor_url=remote.actor_url, name=remote.name, inbox_url=remote.inbox_url, state="accepted"
    )
    from federation import debug  # noqa: F401  (registers the Create/Note handler)

    return remote


def post(body: bytes, content_type: str = "application/activity+json", **headers):
    client = Client()
    client.raise_request_exception = False
    return client.post("/inbox", body, content_type=content_type, headers=headers)


def assert_refused_cleanly(response, before: dict, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code >= 400:
        after = row_counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{what}: refused with {response.status_code} but stored {changed}"


def test_random_bodies_and_headers_never_fail_the_server(sender):
    @HYPOTHESIS
    @given(
        body=json_values.map(lambda v: json.dumps(v).encode()) | RAW_BODIES,
        content_type=CONTENT_TYPES,
        signature=NASTY_STRINGS,
    )
    def check(body, content_type, signature):
        before = row_counts()
        response = post(body, content_type, Signature=signature)
        assert_refused_cleanly(response, before, f"{body[:80]!r} as {content_type!r}")

    check()


def test_mutated_signed_activities_are_refused_and_store_nothing(sender):
    counter = iter(range(10**6))

    def signed_note(_):
        return sender.signed("Create", {"type": "Note", "content": f"Kürbis {next(counter)}"})

    @HYPOTHESIS
    @given(activity=mutated(st.just(None).map(signed_note)))
    def check(activity):
        before = row_counts()
        response = post(json.dumps(activity).encode())
        assert_refused_cleanly(response, before, f"{activity!r:.300}")

    check()


def test_oversized_bodies_are_refused(sender):
    note = sender.signed("Create", {"type": "Note", "content": "x" * 300_000})
    before = row_counts()
    response = post(json.dumps(note).encode())
    assert response.status_code == 413
    assert_refused_cleanly(response, before, "300 kB")


def test_a_valid_activity_is_applied_once_however_often_it_arrives(sender):
    note = json.dumps(sender.signed("Create", {"type": "Note", "content": "Mangold"})).encode()
    statuses = [post(note).status_code for _ in range(3)]
    assert statuses == [202, 202, 202]
    assert InboxActivity.objects.count() == 1
