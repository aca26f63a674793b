"""The node's keys live in files only readable by the node, and rotate with a grace period."""

import stat
from datetime import UTC, datetime, timedelta

from federation import keys
from federation.actors import local_actor_document


def test_key_is_made_on_first_need_with_private_file_modes(settings):
    key = keys.ensure_key()
    directory = settings.FEDERATION_KEY_DIR
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "keys.json").stat().st_mode) == 0o600
    assert keys.ensure_key().multibase == key.multibase
    assert key.multibase.startswith("z6Mk")


def test_actor_lists_the_current_key_as_multikey(db, garden):
    key = keys.ensure_key()
    document = local_actor_document()
    assert document["assertionMethod"] == [
        {
            "id": f"{document['id']}#{key.multibase}",
            "type": "Multikey",
            "controller": document["id"],
            "publicKeyMultibase": key.multibase,
        }
    ]


def test_rotation_keeps_the_old_key_listed_until_it_expires(db, garden):
    old_key = keys.ensure_key()
    retired, new = keys.rotate(timedelta(hours=1))
    assert retired.multibase == old_key.multibase
    assert keys.current_key().multibase == new.multibase
    methods = local_actor_document()["assertionMethod"]
    assert [m["publicKeyMultibase"] for m in methods] == [old_key.multibase, new.multibase]
    assert "expires" in methods[0] and "expires" not in methods[1]


def test_expired_keys_are_no_longer_listed(db, garden):
    old_key = keys.ensure_key()
    keys.rotate(timedelta(seconds=-1))
    listed = [key.multibase for key in keys.valid_keys()]
    assert old_key.multibase not in listed and len(listed) == 1


def test_keys_never_enter_the_database(db, garden):
    from django.apps import apps
    from django.core import serializers

    key = keys.ensure_key()
    seed = bytes(key.signing_key).hex()
    models = apps.get_app_config("federation").get_models()
    dump = "".join(serializers.serialize("json", m.objects.all()) for m in models)
    assert seed not in dump


def test_a_key_is_valid_until_its_expiry():
    key = keys.NodeKey(keys.SigningKey.generate(), datetime.now(UTC), datetime.now(UTC))
    assert not key.is_valid()


def test_simultaneous_first_use_makes_one_key():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = set(pool.map(lambda _: keys.ensure_key().multibase, range(16)))
    assert len(made) == 1 and len(keys.valid_keys()) == 1


def test_each_key_has_an_rsa_half_published_as_public_key(db, garden, settings):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from federation.actors import rsa_public_keys

    key = keys.ensure_key()
    document = local_actor_document()
    public_key = document["publicKey"]
    assert public_key["id"] == f"{document['id']}#rsa-{key.rsa_fingerprint}"
    assert public_key["owner"] == document["id"]
    assert load_pem_public_key(public_key["publicKeyPem"].encode()).key_size == 2048
    assert list(rsa_public_keys(document)) == [public_key["id"]]
    stored = (settings.FEDERATION_KEY_DIR / "keys.json").read_text()
    assert "PRIVATE KEY" in stored and "PRIVATE KEY" not in str(document)


def test_rotation_rotates_the_rsa_key_with_the_same_grace(db, garden):
    old = keys.ensure_key()
    keys.rotate(timedelta(hours=1))
    new = keys.current_key()
    assert new.rsa_fingerprint != old.rsa_fingerprint
    listed = [entry["id"].rsplit("-", 1)[1] for entry in local_actor_document()["publicKey"]]
    assert listed == [new.rsa_fingerprint, old.rsa_fingerprint]  # the current one first
    keys.rotate(timedelta(seconds=-1))  # `new` expires at once, `old` keeps its hour
    listed = [entry["id"] for entry in local_actor_document()["publicKey"]]
    assert not any(new.rsa_fingerprint in key_id for key_id in listed) and len(listed) == 2


def test_a_key_file_from_before_rsa_gets_an_rsa_key_kept_with_its_ed25519_key(settings):
    import json

    key = keys.ensure_key()
    path = settings.FEDERATION_KEY_DIR / "keys.json"
    payload = json.loads(path.read_text())
    payload["keys"][0].pop("rsa")
    path.write_text(json.dumps(payload))
    again = keys.ensure_key()
    assert again.multibase == key.multibase and again.rsa_key is not None
    assert keys.ensure_key().rsa_fingerprint == again.rsa_fingerprint


def test_remote_rsa_keys_of_another_owner_or_origin_are_ignored():
    from federation.actors import rsa_public_keys

    pem = keys.public_pem(keys.new_rsa_key().public_key())
    actor = "https://a.example/actor"
    document = {
        "id": actor,
        "publicKey": [
            {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": pem},
            {"id": "https://b.example/actor#k", "owner": actor, "publicKeyPem": pem},
            {"id": f"{actor}#other", "owner": "https://a.example/other", "publicKeyPem": pem},
            {"id": f"{actor}#broken", "owner": actor, "publicKeyPem": "-----BEGIN nonsense"},
        ],
    }
    assert list(rsa_public_keys(document)) == [f"{actor}#main-key"]
