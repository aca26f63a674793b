"""The inbox accepts an activity proven by its Data Integrity proof, by a draft-cavage HTTP
signature of its actor (as Mastodon sends them), or by both; everything else is 401."""

import json

import pytest
from django.test import Client

from federation import httpsig, keys, registry
from federation.models import InboxActivity, Peer

from .remote import RemoteGarden, old


@pytest.fixture
def applied():
    seen = []

    @registry.handles("Create", "Note")
    def record(activity, sender):
        seen.append(activity["id"])

    yield seen
    registry.unregister("Create", "Note")


def post(body: bytes, headers: dict | None = None):
    return Client().generic(
        "POST", "/inbox", body, content_type="application/activity+json", headers=headers or {}
    )


def note_activity(remote: RemoteGarden) -> dict:
    return remote.activity("Create", {"type": "Note", "content": "Kürbis"})


def test_http_signature_alone_is_enough(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    response = post(body, remote.http_signed(body))
    assert response.status_code == 202, response.content
    assert len(applied) == 1


def test_proof_and_http_signature_together(peered, remote, applied):
    body = json.dumps(remote.sign(note_activity(remote))).encode()
    assert post(body, remote.http_signed(body)).status_code == 202
    assert len(applied) == 1


def test_hs2019_is_read_as_rsa_sha256(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = remote.http_signed(body)
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hs2019")
    assert post(body, headers).status_code == 202


def refused(response, applied) -> bool:
    return response.status_code == 401 and applied == [] and not InboxActivity.objects.exists()


def test_signature_by_another_key_is_401(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    assert refused(post(body, remote.http_signed(body, key=keys.new_rsa_key())), applied)


def test_digest_that_does_not_match_the_body_is_401(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = remote.http_signed(body)
    tampered = body.replace(b"rbis", b"rbse")
    assert tampered != body
    assert refused(post(tampered, headers), applied)


def test_digest_not_covered_by_the_signature_is_401(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = remote.http_signed(body)
    headers["Signature"] = headers["Signature"].replace(" digest", "")
    assert refused(post(body, headers), applied)


@pytest.mark.parametrize("minutes", [61, -6])
def test_date_outside_the_window_is_401(peered, remote, applied, minutes):
    body = json.dumps(note_activity(remote)).encode()
    assert refused(post(body, remote.http_signed(body, now=old(minutes))), applied)


def test_key_of_another_origin_is_401(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = remote.http_signed(body, key_id="https://evil.example/actor#main-key")
    assert refused(post(body, headers), applied)


def test_key_of_another_actor_on_the_same_server_is_401(peered, remote, network, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = remote.http_signed(body, key_id=f"{remote.origin}/users/mallory#main-key")
    assert refused(post(body, headers), applied)


def test_activity_of_another_actor_signed_by_this_one_is_401(peered, remote, network, applied):
    """A server may not speak for an actor on another server, not even a peer's."""
    other = RemoteGarden(host="other.example")
    network.gardens[other.host] = other
    body = json.dumps(note_activity(other)).encode()
    assert refused(post(body, remote.http_signed(body)), applied)


def test_valid_proof_with_a_bad_http_signature_is_401(peered, remote, applied):
    body = json.dumps(remote.sign(note_activity(remote))).encode()
    assert refused(post(body, remote.http_signed(body, key=keys.new_rsa_key())), applied)


def test_neither_proof_nor_signature_is_401(peered, remote, applied):
    assert refused(post(json.dumps(note_activity(remote)).encode()), applied)


def test_malformed_signature_header_is_401(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    headers = {**remote.http_signed(body), "Signature": 'keyId="x"'}
    assert refused(post(body, headers), applied)


def test_blocked_sender_stays_blocked_with_an_http_signature(peered, remote, applied):
    Peer.objects.filter(pk=peered.pk).update(state="blocked")
    body = json.dumps(note_activity(remote)).encode()
    assert post(body, remote.http_signed(body)).status_code == 403
    assert applied == [] and not InboxActivity.objects.exists()


def test_a_rotated_rsa_key_is_fetched_once(peered, remote, applied):
    body = json.dumps(note_activity(remote)).encode()
    assert post(body, remote.http_signed(body)).status_code == 202
    fetches = remote.fetches
    remote.rsa_key = keys.new_rsa_key()
    remote.rsa_key_id = f"{remote.actor_url}#key-2"
    body = json.dumps(note_activity(remote)).encode()
    assert post(body, remote.http_signed(body)).status_code == 202
    assert remote.fetches == fetches + 1 and len(applied) == 2


def test_a_follow_signed_only_over_http_makes_a_pending_request(db, garden, remote, network):
    """How a Mastodon server's Follow arrives (what it becomes is the followers' business)."""
    follow = remote.activity("Follow", "http://127.0.0.1:8000/actor")
    body = json.dumps(follow).encode()
    assert post(body, remote.http_signed(body)).status_code == 202
    assert InboxActivity.objects.filter(activity_type="Follow").exists()


def test_unsigned_gets_of_our_documents_keep_working(db, garden):
    """Our own nodes and browsers fetch the actor without signing."""
    response = Client().get("/actor", HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 200 and "publicKey" in response.json()


def test_signature_params_are_parsed_with_spaces_and_numbers():
    parsed = httpsig.parse_signature(
        'keyId="k", algorithm="hs2019", created=1402170695, headers="(created) date", '
        'signature="c2ln"'
    )
    assert parsed["created"] == "1402170695" and parsed["headers"] == "(created) date"


def test_a_stored_request_verifies_later_with_any_header_case(peered, remote, applied):
    """What the inbox keeps of a request is plain data: header names in any case."""
    from federation.authentication import SignedRequest, authenticate

    activity = note_activity(remote)
    body = json.dumps(activity).encode()
    headers = {name.lower(): value for name, value in remote.http_signed(body).items()}
    stored = json.loads(json.dumps(SignedRequest("POST", "/inbox", headers).__dict__))
    sender = authenticate(activity, remote.actor_url, body, SignedRequest(**stored))
    assert sender.by == ("http-signature",)
