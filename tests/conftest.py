"""Shared fixtures: a garden, people in every role, and API clients for them."""

import pytest
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from garden.members.models import ApiToken, Garden, Membership


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks run at once in tests, so their outcome can be asserted."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "federation"],
        }
    }
    # Likewise what the inbox stored is applied before its 202 (the inbox worker's own
    # tests switch this off and run the worker themselves).
    settings.FEDERATION_INBOX_APPLY_AT_ONCE = True
    # A test that runs every due periodic job does not back up its test database (a backup
    # of the shared in-memory SQLite database waits for the test's own transaction).
    settings.BACKUP_DAILY = False
    # Tests change peers with update() (no signal) between requests: no cached senders.
    settings.FEDERATION_SENDER_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Test users need no strong hashing; it costs seconds per test on a small machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts do not leak from one test into the next (tests use locmem)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def _rsa_keys():
    from federation.keys import new_rsa_key

    return [new_rsa_key() for _ in range(3)]


@pytest.fixture(autouse=True)
def _rsa_keys_made_once(_rsa_keys, monkeypatch):
    """A 2048-bit RSA key takes a quarter second to make: tests take real keys, in turn,
    from three made once per session (distinct enough for a rotation)."""
    import itertools

    from federation import keys

    turns = itertools.cycle(_rsa_keys)
    monkeypatch.setattr(keys, "new_rsa_key", lambda: next(turns))


@pytest.fixture(autouse=True)
def _activities_survive_jsonld():
    """Every activity any test makes the outbox store must survive JSON-LD expansion, signed
    as it is sent: so a new activity type or property is checked the day a test sends it."""
    from django.db.models.signals import post_save
    from nacl.signing import SigningKey

    from federation.crypto import sign
    from federation.models import OutboxActivity

    stored = []

    def record(sender, instance, created, **kwargs):
        # publish() always sets @context; rows a test writes by hand as scenery do not.
        if created and "@context" in instance.activity:
            stored.append(instance.activity)

    post_save.connect(record, sender=OutboxActivity, weak=False)
    try:
        yield
    finally:
        post_save.disconnect(record, sender=OutboxActivity)
    if stored:
        from .jsonld import expansion_problems

        key = SigningKey.generate()
        for activity in stored:
            signed = sign(activity, key, f"{activity['actor']}#key")
            problems = expansion_problems(signed)
            assert not problems, (
                f"{activity.get('type')} would lose data in JSON-LD processors: {problems}; "
                "define the term in the activity's @context (federation.contexts.vocabulary) "
                "and in tests/jsonld.py's INTENDED"
            )


@pytest.fixture
def keep_db_connection():
    """For tests that call the WSGI app directly (not through Django's test client): the
    request signals would close the database connection after each request, and with it
    the test's transaction on PostgreSQL. The test client avoids that the same way. Opt in
    by naming it (``@pytest.mark.usefixtures("keep_db_connection")``)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def garden(db) -> Garden:
    garden = Garden.objects.get_current()
    garden.name = "Testgarten"
    garden.rules = "Be kind."
    garden.join_policy = Garden.JoinPolicy.OPEN
    garden.latitude, garden.longitude = 52.5, 13.4
    garden.save()
    return garden


def make_user(
    username: str,
    garden: Garden | None = None,
    role: str | None = None,
    status: str = Membership.Status.ACTIVE,
) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw-Allmende-1")
    user.profile.display_name = username.capitalize()
    user.profile.save()
    if garden is not None and role is not None:
        Membership.objects.create(user=user, garden=garden, role=role, status=status)
    return user


@pytest.fixture
def member(garden) -> User:
    return make_user("mara", garden, Membership.Role.MEMBER)


@pytest.fixture
def other_member(garden) -> User:
    return make_user("otto", garden, Membership.Role.MEMBER)


@pytest.fixture
def coordinator(garden) -> User:
    return make_user("cora", garden, Membership.Role.COORDINATOR)


@pytest.fixture
def outsider(garden) -> User:
    """Has an account on this node but is not a member of the garden."""
    return make_user("nina")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class ApiClient:
    """Calls /api/v1 (or /api/v2) with a personal Bearer token, as a script or app would."""

    def __init__(self, user: User | None, version: int = 1):
        self.root = f"/api/v{version}"
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, secret = ApiToken.objects.create_token(user, "tests")
            self.headers["Authorization"] = f"Bearer {secret}"

    def _call(self, method: str, path: str, json=None, **kwargs):
        kwargs.setdefault("content_type", "application/json")
        call = getattr(self.client, method)
        data = json if json is not None else ({} if method != "get" else None)
        if method == "get":
            return call(f"{self.root}{path}", data or {}, headers=self.headers)
        return call(f"{self.root}{path}", data, headers=self.headers, **kwargs)

    def get(self, path: str, params=None):
        return self._call("get", path, params)

    def post(self, path: str, json=None):
        return self._call("post", path, json)

    def put(self, path: str, json=None):
        return self._call("put", path, json)

    def patch(self, path: str, json=None):
        return self._call("patch", path, json)

    def delete(self, path: str, json=None):
        return self._call("delete", path, json)


@pytest.fixture
def api():
    """api(user) gives an ApiClient authenticated as that user (None: anonymous)."""
    return ApiClient


@pytest.fixture
def api_v2():
    """api_v2(user): the same, calling /api/v2."""
    return lambda user: ApiClient(user, version=2)
