"""Our draft-cavage HTTP Signatures against the draft's own examples (appendix C)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from federation import httpsig
from federation.keys import new_rsa_key

VECTORS = json.loads(
    (Path(__file__).parent / "vectors/draft-cavage-12-appendix-c.json").read_text()
)
REQUEST = VECTORS["request"]
PRIVATE = load_pem_private_key(VECTORS["privateKeyPem"].encode(), password=None)
PUBLIC = load_pem_public_key(VECTORS["publicKeyPem"].encode())


@pytest.mark.parametrize("case", VECTORS["tests"], ids=lambda case: case["name"])
def test_the_drafts_signatures_verify(case):
    parameters = {"keyId": "Test", "algorithm": "rsa-sha256", "signature": case["signature"]}
    if case["headers"]:
        parameters["headers"] = case["headers"]
    header = ",".join(f'{name}="{value}"' for name, value in parameters.items())
    parsed = httpsig.parse_signature(header)
    httpsig.verify_signature("POST", REQUEST["target"], REQUEST["headers"], parsed, PUBLIC)


@pytest.mark.parametrize("case", VECTORS["tests"], ids=lambda case: case["name"])
def test_we_sign_exactly_as_the_draft(case):
    """RSASSA-PKCS1-v1_5 is deterministic: the same key and text give the same signature."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    names = (case["headers"] or "date").split()
    text = httpsig.signing_string("POST", REQUEST["target"], REQUEST["headers"], names)
    signature = PRIVATE.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert base64.b64encode(signature).decode() == case["signature"]


def test_the_drafts_digest_is_the_bodys():
    assert httpsig.body_digest(REQUEST["body"].encode()) == REQUEST["headers"]["Digest"]
    assert httpsig.digest_matches(REQUEST["headers"]["Digest"], REQUEST["body"].encode())
    assert not httpsig.digest_matches(REQUEST["headers"]["Digest"], b'{"hello": "moon"}')


def test_a_changed_header_or_method_does_not_verify():
    case = VECTORS["tests"][2]
    parsed = {"keyId": "Test", "headers": case["headers"], "signature": case["signature"]}
    changed = {**REQUEST["headers"], "Date": "Sun, 05 Jan 2014 21:31:41 GMT"}
    with pytest.raises(httpsig.SignatureError):
        httpsig.verify_signature("POST", REQUEST["target"], changed, parsed, PUBLIC)
    with pytest.raises(httpsig.SignatureError):
        httpsig.verify_signature("PUT", REQUEST["target"], REQUEST["headers"], parsed, PUBLIC)


def test_sign_request_covers_target_host_date_and_digest():
    key = new_rsa_key()
    body = b'{"type": "Follow"}'
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    url = "https://kiez.example/inbox?x=1"
    headers = httpsig.sign_request("POST", url, key, "https://me.example/actor#rsa", body, now)
    assert headers["Host"] == "kiez.example"
    assert headers["Date"] == "Mon, 30 Nov 2026 12:00:00 GMT"
    assert headers["Digest"] == httpsig.body_digest(body)
    parsed = httpsig.parse_signature(headers["Signature"])
    assert parsed["keyId"] == "https://me.example/actor#rsa"
    assert parsed["algorithm"] == "rsa-sha256"
    assert parsed["headers"] == "(request-target) host date digest"
    httpsig.verify_signature("POST", "/inbox?x=1", headers, parsed, key.public_key())
    get = httpsig.parse_signature(httpsig.sign_request("GET", url, key, "k")["Signature"])
    assert get["headers"] == "(request-target) host date"


@pytest.mark.parametrize(
    "header",
    ["", 'keyId="a"', 'signature="x"', 'keyId="a",,signature="x"', "keyId=a,signature=b"],
)
def test_malformed_signature_headers_are_refused(header):
    with pytest.raises(httpsig.SignatureError):
        httpsig.parse_signature(header)


def test_unknown_algorithm_is_refused():
    parsed = {"keyId": "Test", "algorithm": "hmac-sha256", "headers": "date", "signature": "eA=="}
    with pytest.raises(httpsig.SignatureError):
        httpsig.verify_signature("POST", "/", REQUEST["headers"], parsed, PUBLIC)
