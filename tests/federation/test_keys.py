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
