"""The database unreachable for a moment: a clear 503 with Retry-After, and nothing lost."""

import contextlib
import threading

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from garden.members.models import Membership
from tests.conftest import ApiClient, client_for


@contextlib.contextmanager
def database_down():
    """Every query on this thread's connection fails as if the server had gone away."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


def _quiet(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def test_page_answers_503_with_retry_after(member):
    client = _quiet(client_for(member))
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert b"Back in a moment" in response.content
    assert b"Nothing was saved" in response.content


def test_api_answers_503_json(member):
    api = ApiClient(member)
    _quiet(api.client)
    with database_down():
        response = api.get("/me")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "try again" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_refused_write_is_stored_after_retry(outsider):
    api = ApiClient(outsider)
    _quiet(api.client)
    with database_down():
        refused = api.post("/garden/join", {"accept_rules": True})
    assert refused.status_code == 503
    assert not Membership.objects.filter(user=outsider).exists()
    retried = api.post("/garden/join", {"accept_rules": True})
    assert retried.status_code == 200
    assert Membership.objects.filter(user=outsider).count() == 1


def test_other_errors_stay_500(member, monkeypatch):
    from garden.members import views

    def broken(request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.services, "get_garden", broken)
    response = _quiet(client_for(member)).get("/")
    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_postgres_connection_killed_then_next_request_recovers(garden, member):
    """A real outage: the server terminates our connection mid-session."""
    if connection.vendor != "postgresql":
        pytest.skip("terminating a server connection needs PostgreSQL")
    import psycopg
    from django.conf import settings

    client = _quiet(client_for(member))
    assert client.get("/").status_code == 200
    settings_db = settings.DATABASES["default"]
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    # Kill from another thread's own connection, as an admin or a restart would.
    errors = []

    def kill() -> None:
        try:
            with psycopg.connect(
                host=settings_db["HOST"],
                port=settings_db["PORT"] or 5432,
                user=settings_db["USER"],
                dbname=connection.settings_dict["NAME"],
                autocommit=True,
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=kill)
    thread.start()
    thread.join(30)
    assert not errors
    down = client.get("/")
    assert down.status_code == 503
    assert down["Retry-After"]
    # What Django's handler does when a request finishes (the test client skips it):
    # the broken connection is dropped, so the next request reconnects and works.
    close_old_connections()
    assert client.get("/").status_code == 200
