"""Login and inbox rate limits: 429 with a clear message and Retry-After, counts shared."""

import json
import os
import uuid

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from garden.core import ratelimit


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch, settings):
    """One fixed window for the whole test, however slow the machine; fast hashing."""
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_000.0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _login(client: Client, username: str, password: str = "wrong", ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_is_refused_with_429_after_ten_attempts_per_address_and_name(member):
    client = Client()
    statuses = [_login(client, "mara").status_code for _ in range(10)]
    assert 429 not in statuses
    refused = _login(client, "mara")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert b"Too many attempts" in refused.content


def test_login_limit_also_stops_the_right_password(member):
    client = Client()
    for _ in range(10):
        _login(client, "mara")
    refused = _login(client, "mara", password="pw-Allmende-1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_limit_is_per_address_and_username(member, other_member):
    client = Client()
    for _ in range(11):
        _login(client, "mara")
    assert _login(client, "otto").status_code != 429
    assert _login(client, "mara", ip="10.0.0.2").status_code != 429


def test_login_limit_per_address_caps_guessing_many_names(garden):
    client = Client()
    statuses = [_login(client, f"user{n}").status_code for n in range(51)]
    assert statuses[:50].count(429) == 0
    assert statuses[50] == 429


def test_reading_the_login_page_is_not_counted(garden):
    client = Client()
    for _ in range(30):
        assert client.get(reverse("login"), REMOTE_ADDR="10.0.0.1").status_code == 200


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "login": "0/m"})
def test_a_limit_of_zero_switches_it_off(member):
    client = Client()
    assert all(_login(client, "mara").status_code != 429 for _ in range(15))


def test_limit_parsing():
    assert ratelimit.Limit.parse("10/m") == ratelimit.Limit(10, 60)
    assert ratelimit.Limit.parse("5/s") == ratelimit.Limit(5, 1)
    assert ratelimit.Limit.parse("100/h") == ratelimit.Limit(100, 3600)


def _two_processes_share(cache_settings: dict) -> None:
    """Two separate cache connections (as two processes have) see one count."""
    with override_settings(CACHES={"default": cache_settings}, RATE_LIMIT_CACHE="default"):
        key = uuid.uuid4().hex
        limit = ratelimit.Limit(3, 60)
        for _ in range(3):
            ratelimit.hit("test", key, limit)
        caches.close_all()
        # A fresh handler: what a second worker process would get.
        from django.core.cache import CacheHandler

        other = CacheHandler(settings={"default": cache_settings})
        ratelimit_cache = ratelimit._cache
        ratelimit._cache = lambda: other["default"]
        try:
            with pytest.raises(ratelimit.RateLimited):
                ratelimit.hit("test", key, limit)
        finally:
            ratelimit._cache = ratelimit_cache


@pytest.mark.django_db
def test_database_cache_shares_counts_between_processes(django_db_setup):
    from django.core.management import call_command

    call_command("createcachetable", "allmende_test_cache", verbosity=0)
    _two_processes_share(
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "allmende_test_cache",
        }
    )


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_redis_cache_shares_counts_between_processes():
    _two_processes_share(
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"allmende-test-{uuid.uuid4().hex[:8]}",
        }
    )


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_redis_counts_every_counter_of_a_request_in_the_cache_with_the_window_expiry():
    settings = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": f"allmende-test-{uuid.uuid4().hex[:8]}",
    }
    with override_settings(
        CACHES={"default": settings},
        RATE_LIMIT_CACHE="default",
        RATE_LIMITS={"a": "3/m", "b": "5/m"},
    ):
        for _ in range(3):
            ratelimit.hit_all([("a", "sender"), ("b", "sender")])
        cache = ratelimit._cache()
        keys = {
            scope: f"ratelimit:{scope}:{_digest('sender')}:{int(1_800_000_000 // 60)}"
            for scope in ("a", "b")
        }
        # what the cache API reads, with the window's expiry
        assert cache.get(keys["a"]) == 3 and cache.get(keys["b"]) == 3
        client = cache._cache.get_client(write=True)
        assert 0 < client.ttl(cache.make_and_validate_key(keys["a"])) <= 61
        with pytest.raises(ratelimit.RateLimited) as limited:
            ratelimit.hit_all([("a", "sender"), ("b", "sender")])
        assert limited.value.scope == "a"
        assert cache.get(keys["b"]) == 4  # counted in the same round trip
        cache.delete_many(list(keys.values()))  # not clear(): that empties the Redis db


def _digest(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _inbox_url() -> str | None:
    for name in ("federation:inbox", "federation:shared_inbox"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def test_inbox_is_limited_per_sending_garden(garden, settings):
    url = _inbox_url()
    if url is None:
        pytest.skip("the federation inbox has not landed yet")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "inbox-host": "5/m"}
    client = Client()
    body = json.dumps({"type": "Follow", "actor": "https://flood.example/actor"})
    statuses = [
        client.post(url, body, content_type="application/activity+json").status_code
        for _ in range(6)
    ]
    assert 429 not in statuses[:5]
    assert statuses[5] == 429
    other = json.dumps({"type": "Follow", "actor": "https://calm.example/actor"})
    calm = client.post(url, other, content_type="application/activity+json")
    assert calm.status_code != 429


def test_inbox_is_limited_per_address(garden, settings):
    url = _inbox_url()
    if url is None:
        pytest.skip("the federation inbox has not landed yet")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "inbox-ip": "5/m"}
    client = Client()
    statuses = [
        client.post(url, "{}", content_type="application/activity+json").status_code
        for _ in range(6)
    ]
    assert statuses[5] == 429
    assert statuses[5] != statuses[0]
