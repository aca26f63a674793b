"""eddsa-jcs-2022 against the specification's test vector and another implementation."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from federation import crypto

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


def test_spec_key_pair_round_trips_through_multikey():
    vector = load("w3c-vc-di-eddsa-jcs.json")
    key = crypto.signing_key_from_multibase(vector["keyPair"]["secretKeyMultibase"])
    assert crypto.public_key_multibase(key.verify_key) == vector["keyPair"]["publicKeyMultibase"]
    assert vector["keyPair"]["publicKeyMultibase"].startswith("z6Mk")


def test_signing_the_spec_document_gives_the_spec_proof_value():
    vector = load("w3c-vc-di-eddsa-jcs.json")
    key = crypto.signing_key_from_multibase(vector["keyPair"]["secretKeyMultibase"])
    config = vector["proofConfig"]
    signed = crypto.sign(
        vector["unsigned"], key, config["verificationMethod"], created=config["created"]
    )
    assert signed["proof"] == {**config, "proofValue": vector["proofValue"]}


def test_spec_signed_document_verifies():
    vector = load("w3c-vc-di-eddsa-jcs.json")
    signed = {
        **vector["unsigned"],
        "proof": {**vector["proofConfig"], "proofValue": vector["proofValue"]},
    }
    public = crypto.verify_key_from_multibase(vector["keyPair"]["publicKeyMultibase"])
    assert crypto.verify(signed, public)["proofValue"] == vector["proofValue"]


def test_proof_made_by_digital_bazaar_implementation_verifies():
    vector = load("digitalbazaar-eddsa-jcs-2022.json")
    public = crypto.verify_key_from_multibase(vector["publicKeyMultibase"])
    crypto.verify(vector["signed"], public)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc.__setitem__("name", "Forged Credential"),
        lambda doc: doc["credentialSubject"].__setitem__("alumniOf", "Elsewhere"),
        lambda doc: doc["proof"].__setitem__("created", "2023-02-24T23:36:39Z"),
        lambda doc: doc["proof"].__setitem__("@context", ["https://example.org"]),
        lambda doc: doc["proof"].__setitem__("proofValue", "z" + "1" * 86),
        lambda doc: doc["proof"].__setitem__("cryptosuite", "eddsa-rdfc-2022"),
        lambda doc: doc["proof"].__setitem__("proofPurpose", "authentication"),
        lambda doc: doc.pop("proof"),
    ],
)
def test_any_change_breaks_the_other_implementations_proof(tamper):
    vector = load("digitalbazaar-eddsa-jcs-2022.json")
    document = copy.deepcopy(vector["signed"])
    tamper(document)
    public = crypto.verify_key_from_multibase(vector["publicKeyMultibase"])
    with pytest.raises(crypto.InvalidProof):
        crypto.verify(document, public)


def test_a_different_key_does_not_verify():
    vector = load("digitalbazaar-eddsa-jcs-2022.json")
    with pytest.raises(crypto.InvalidProof):
        crypto.verify(vector["signed"], SigningKey.generate().verify_key)


def test_key_order_does_not_matter_thanks_to_jcs():
    key = SigningKey.generate()
    signed = crypto.sign({"b": 1, "a": {"y": 2, "x": "ü"}}, key, "https://x.example/actor#k")
    reordered = {"proof": signed["proof"], "a": {"x": "ü", "y": 2}, "b": 1}
    crypto.verify(reordered, key.verify_key)


@given(st.binary(max_size=64))
def test_base58_round_trips(data):
    assert crypto.b58decode(crypto.b58encode(data)) == data


def test_not_a_multikey_is_refused():
    with pytest.raises(ValueError):
        crypto.verify_key_from_multibase("uAAAA")
    with pytest.raises(ValueError):
        crypto.verify_key_from_multibase("z" + crypto.b58encode(b"\x12\x00" + bytes(32)))


# JSON as activities carry it, and what the fast encoding may write otherwise than JCS.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_a_proof_made_over_jcs_verifies_whatever_the_document_holds(document):
    key = SigningKey(bytes(range(32)))
    signed = crypto.sign({**document, "type": "Note"}, key, "https://a.example/actor#key")
    assert crypto.verify(json.loads(json.dumps(signed)), key.verify_key) == signed["proof"]


def test_the_fast_encoding_writes_jcs_for_a_plain_activity():
    activity = {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "id": "https://a.example/activities/1",
        "type": "Create",
        "object": {"content": 'Zucchini "to share"\n\u00e4\u2028😀\x01', "count": 2**40},
        "to": [],
        "sensitive": False,
        "summary": None,
    }
    assert crypto._sorted_json(activity) == crypto.rfc8785.dumps(activity)
