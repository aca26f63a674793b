"""The installable app's server side: the manifest, the service worker, the offline page,
and queued actions applied once per idempotency key."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from garden.core.idempotency import forget_old_keys
from garden.core.models import AppliedRequest
from garden.shifts.models import HoursEntry, Shift
from tests.conftest import client_for


@pytest.fixture
def due_shift(garden, member) -> Shift:
    now = timezone.now()
    shift = Shift.objects.create(
        garden=garden, title="Watering", start=now - dt.timedelta(minutes=30),
        end=now + dt.timedelta(minutes=30), min_volunteers=1, max_volunteers=2,
        hours=Decimal("1.5"),
    )  # fmt: skip
    shift.signups.create(user=member)
    return shift


def test_manifest_names_the_garden_and_lists_the_icons(client, garden):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Testgarten · Allmende"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#2f6b2f"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_from_the_root_with_its_shell(client, garden):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/static/js/pwa.js"' in body and '"/offline/"' in body
    assert 'const VERSION = "VERSION"' not in body  # replaced by a hash of the worker


def test_offline_page(client, garden):
    assert (
        "You are offline"
        in client.get("/offline/", headers={"Accept-Language": "en"}).content.decode()
    )


def test_every_page_links_the_manifest_and_has_the_as_of_line(member):
    html = client_for(member).get("/", headers={"Accept-Language": "en"}).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-served="network"' in html and "Offline: as of" in html


def test_a_queued_check_off_sent_twice_is_applied_once(due_shift, member):
    client = client_for(member)
    data = {"idempotency_key": "0b6a0b52-5f0e-4c55-9d7c-2f1f7e0b0c11", "next": "/"}
    first = client.post(f"/shifts/{due_shift.pk}/done/", data)
    second = client.post(f"/shifts/{due_shift.pk}/done/", data)
    assert first.status_code == second.status_code == 302
    assert HoursEntry.objects.filter(user=member).count() == 1
    # The second is not refused ("already done"): the page says it worked.
    page = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert "already marked this shift done" not in page


def test_a_queued_sign_up_sent_twice_is_applied_once(garden, member):
    start = timezone.now() + dt.timedelta(days=2)
    shift = Shift.objects.create(
        garden=garden, title="Later", start=start, end=start + dt.timedelta(hours=1),
        min_volunteers=1, max_volunteers=3,
    )  # fmt: skip
    client = client_for(member)
    for _ in range(2):
        client.post(f"/shifts/{shift.pk}/signup/", {"idempotency_key": "key-of-the-sign-up"})
    assert shift.signups.count() == 1
    assert AppliedRequest.objects.filter(user=member).count() == 1


def test_a_refused_action_does_not_use_up_its_key(garden, member):
    start = timezone.now() + dt.timedelta(days=2)
    shift = Shift.objects.create(
        garden=garden, title="Later", start=start, end=start + dt.timedelta(hours=1),
        min_volunteers=1, max_volunteers=3,
    )  # fmt: skip
    shift.signups.create(user=member)
    # Marked done before it started: refused, and the key is not recorded.
    client_for(member).post(f"/shifts/{shift.pk}/done/", {"idempotency_key": "early-check-off"})
    assert not AppliedRequest.objects.exists()


def test_a_malformed_key_is_refused_with_a_message(due_shift, member):
    client = client_for(member)
    client.post(f"/shifts/{due_shift.pk}/done/", {"idempotency_key": "<script>"})
    assert not HoursEntry.objects.exists()
    page = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert "The request&#x27;s key is not valid." in page


def test_the_same_key_of_two_people_is_two_actions(due_shift, member, other_member):
    due_shift.signups.create(user=other_member)
    for person in (member, other_member):
        client_for(person).post(f"/shifts/{due_shift.pk}/done/", {"idempotency_key": "same-key-1"})
    assert HoursEntry.objects.count() == 2


def test_old_keys_are_forgotten(member):
    AppliedRequest.objects.create(user=member, key="old-key-123")
    AppliedRequest.objects.filter(key="old-key-123").update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    AppliedRequest.objects.create(user=member, key="new-key-123")
    assert forget_old_keys() == 1
    assert list(AppliedRequest.objects.values_list("key", flat=True)) == ["new-key-123"]


def test_the_as_of_line_is_in_the_gardens_time(garden, member):
    garden.timezone = "Pacific/Auckland"
    garden.save()
    html = client_for(member).get("/", headers={"Accept-Language": "en"}).content.decode()
    local = timezone.localtime(timezone.now(), garden.tz)
    assert f"Offline: as of {local:%b}" in html and f"{local:%H}:" in html
