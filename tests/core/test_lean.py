"""A POST to the inbox under ASGI skips Django's handler (garden/core/lean.py): it must answer
as the full stack does (the test client), with the same headers, limits and refusals, and
must not read more of a body than the inbox takes."""

import asyncio
import json

import pytest
from django.test import Client

from federation.inbox import MAX_BODY_BYTES
from garden.asgi import application
from garden.core import lean, ratelimit
from tests.asgi import asgi_request

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVITY_JSON = {"content-type": "application/activity+json"}


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch):
    """One rate-limit window for the whole test, however slow the machine."""
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)


def direct(method: str, body: bytes = b"", headers=None, **options):
    return asyncio.run(
        asgi_request(application, method, "/inbox", body, headers or ACTIVITY_JSON, **options)
    )


def full_stack(body: bytes):
    return Client().post("/inbox", body, content_type="application/activity+json")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"type": "Create", "actor": "https://nowhere.example/actor"}).encode(),
        b'{"type": "Follow", "actor": "\\ud800"}',
    ],
    ids=["not-json", "not-an-object", "unsigned", "lone-surrogate"],
)
def test_refusals_are_those_of_the_full_stack(garden, body):
    answer, expected = direct("POST", body), full_stack(body)

    assert answer.status == expected.status_code
    assert 400 <= answer.status < 500
    assert json.loads(answer.body) == expected.json()


def test_the_answer_carries_the_security_headers_and_its_length(garden):
    answer = direct("POST", b"not json")
    expected = full_stack(b"not json")

    for header in ("x-content-type-options", "referrer-policy", "content-type"):
        assert answer.headers[header] == expected.headers[header]
    assert int(answer.headers["content-length"]) == len(answer.body)


def test_a_declared_size_past_the_limit_is_refused_unread(garden):
    answer = direct(
        "POST",
        headers={**ACTIVITY_JSON, "content-length": str(MAX_BODY_BYTES + 1)},
        chunks=[b"x" * 65536] * 5,
    )

    assert answer.status == 413
    assert answer.received == []


def test_a_body_past_the_limit_is_read_no_further_than_the_limit(garden):
    chunk = b"x" * 65536
    answer = direct("POST", chunks=[chunk] * 10)  # no length declared, 640 kB sent

    assert answer.status == 413
    assert len(answer.received) * len(chunk) <= MAX_BODY_BYTES + len(chunk)


def test_other_methods_go_to_django(garden):
    answer = direct("GET")

    assert answer.status == Client().get("/inbox").status_code == 405


def test_a_host_not_served_here_is_refused(garden):
    answer = direct("POST", b"{}", {**ACTIVITY_JSON, "host": "elsewhere.example"})

    assert answer.status == 400
    assert "host" in json.loads(answer.body)["detail"]


def test_plain_http_is_redirected_when_the_node_asks_for_https(garden, settings):
    settings.SECURE_SSL_REDIRECT = True
    app = lean.DirectPost("/inbox", MAX_BODY_BYTES)  # it reads the setting when it is made

    answer = asyncio.run(asgi_request(app, "POST", "/inbox", b"{}", ACTIVITY_JSON))

    assert answer.status == 301
    assert answer.headers["location"] == "https://testserver/inbox"


def test_the_rate_limit_counts_and_answers_429(garden, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "inbox-ip": "2/m"}

    statuses = [direct("POST", b"{}").status for _ in range(2)]
    limited = direct("POST", b"{}")

    assert 429 not in statuses
    assert limited.status == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Too many" in json.loads(limited.body)["detail"]
    # the counts are the ones the full stack keeps
    assert full_stack(b"{}").status_code == 429


def test_a_limit_switched_off_is_not_counted(garden, settings, monkeypatch):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "inbox-ip": "0", "inbox-host": "0"}
    counted = []
    monkeypatch.setattr(ratelimit, "hit", lambda *args: counted.append(args))

    assert direct("POST", b"{}").status == 400
    assert counted == []


def test_an_unexpected_error_is_a_500_for_that_request_only(garden, monkeypatch, caplog):
    def broken(request, view_name):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ratelimit, "counted", broken)

    answer = direct("POST", b"{}")

    assert answer.status == 500
    assert json.loads(answer.body) == {"detail": "Internal server error."}
    assert "a bug" in caplog.text
    monkeypatch.undo()
    assert direct("POST", b"not json").status == 400
