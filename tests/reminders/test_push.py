"""Web Push end to end: a push service on loopback receives the worker's message, encrypted
for a device whose keys this test made, and the test decrypts it (RFC 8291, with http_ece)
to the expected payload. A 404 or 410 from the push service drops the device."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from garden.members.services import post_announcement
from garden.reminders import services, vapid
from garden.reminders.models import PushSubscription
from garden.reminders.tasks import push_shift_reminders
from garden.sharing import services as sharing
from garden.shifts.models import Shift
from tests.conftest import client_for
from tests.webpush import Device, PushService, b64url


@pytest.fixture
def push_service(settings):
    settings.PUSH_ALLOW_INSECURE = True
    service = PushService()
    yield service
    service.close()


def offer_values() -> dict:
    now = timezone.now()
    return {
        "crop": "Zucchini", "quantity": Decimal("5"), "unit": "kg",
        "pickup_from": now + dt.timedelta(hours=1), "pickup_until": now + dt.timedelta(days=1),
        "pickup_place": "Shed", "expires_at": now + dt.timedelta(days=2), "audience": "garden",
    }  # fmt: skip


def test_a_claim_on_my_offer_reaches_my_device_encrypted(
    push_service, member, other_member, django_capture_on_commit_callbacks
):
    device = Device()
    device.subscribe(member, push_service.url("/device/mara"), offer_claimed=True)
    offer = sharing.create_offer(member, **offer_values())
    with django_capture_on_commit_callbacks(execute=True):
        sharing.claim_offer(other_member, offer, Decimal("2"))
    (request,) = push_service.received
    assert request["path"] == "/device/mara"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert b"Zucchini" not in request["body"]  # encrypted on the way
    message = device.decrypt(request["body"])
    assert message["title"] == "Testgarten"
    assert "Zucchini" in message["body"] and message["url"] == f"/share/offers/{offer.pk}/"
    # Signed with the node's VAPID key, which was generated into the data directory.
    authorization = request["headers"]["authorization"]
    assert authorization.startswith("vapid t=") and f"k={vapid.public_key()}" in authorization
    assert vapid.key_path().exists()


def test_a_device_that_did_not_opt_in_gets_nothing(
    push_service, member, other_member, django_capture_on_commit_callbacks
):
    Device().subscribe(member, push_service.url("/device/quiet"), offer_claimed=False)
    offer = sharing.create_offer(member, **offer_values())
    with django_capture_on_commit_callbacks(execute=True):
        sharing.claim_offer(other_member, offer, Decimal("1"))
    assert push_service.received == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_reports_gone_is_dropped(
    push_service, member, coordinator, django_capture_on_commit_callbacks, status
):
    push_service.status["/device/gone"] = status
    Device().subscribe(member, push_service.url("/device/gone"), announcements=True)
    kept = Device().subscribe(member, push_service.url("/device/here"), announcements=True)
    with django_capture_on_commit_callbacks(execute=True):
        post_announcement(author=coordinator, title="Harvest festival", body="Saturday at 3")
    assert sorted(r["path"] for r in push_service.received) == ["/device/gone", "/device/here"]
    assert list(PushSubscription.objects.all()) == [kept]


def test_an_announcement_is_pushed_to_devices_that_want_it(
    push_service, member, coordinator, django_capture_on_commit_callbacks
):
    device = Device()
    device.subscribe(member, push_service.url("/device/news"), announcements=True)
    with django_capture_on_commit_callbacks(execute=True):
        post_announcement(author=coordinator, title="Harvest festival", body="Saturday at 3")
    (request,) = push_service.received
    assert device.decrypt(request["body"])["title"] == "Harvest festival"


def test_shift_reminder_comes_the_chosen_hours_before_and_once(push_service, garden, member):
    start = timezone.now() + dt.timedelta(hours=5)
    shift = Shift.objects.create(
        garden=garden, title="Evening watering", start=start, end=start + dt.timedelta(hours=1)
    )
    shift.signups.create(user=member)
    early = Device()
    early.subscribe(
        member, push_service.url("/device/early"), shift_reminder=True, reminder_hours=6
    )
    Device().subscribe(
        member, push_service.url("/device/late"), shift_reminder=True, reminder_hours=3
    )
    assert push_shift_reminders.call() == 1
    assert push_shift_reminders.call() == 0  # once per device and shift
    (request,) = push_service.received
    message = early.decrypt(request["body"])
    assert (
        message["body"].startswith("Evening watering") and message["url"] == f"/shifts/{shift.pk}/"
    )


def test_subscribing_through_the_page(push_service, member):
    device = Device()
    client = client_for(member)
    page = client.get("/reminders/", headers={"Accept-Language": "en"})
    assert f'data-public-key="{vapid.public_key()}"' in page.content.decode()
    response = client.post(
        "/reminders/push/subscribe/",
        {
            "endpoint": push_service.url("/device/page"), "p256dh": device.p256dh,
            "auth": device.auth, "loans": "on", "reminder_hours": "24",
        },
    )  # fmt: skip
    assert response.status_code == 200
    subscription = PushSubscription.objects.get(user=member)
    assert subscription.loans and not subscription.announcements
    assert subscription.reminder_hours == 24
    choices = client.get("/reminders/push/device/", {"endpoint": subscription.endpoint}).json()
    assert choices["subscribed"] and choices["loans"]
    client.post("/reminders/push/unsubscribe/", {"endpoint": subscription.endpoint})
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"p256dh": "not-a-key"}, "The device's key is not valid."),
        ({"auth": b64url(b"short")}, "The device's key is not valid."),
        ({"endpoint": "ftp://push.example/x"}, "This is not a push service address"),
        ({"reminder_hours": "0"}, "Hours before the shift: "),
        ({"endpoint": ""}, "Endpoint: This field is required."),
    ],
)
def test_bad_subscriptions_are_refused_with_a_message(push_service, member, change, message):
    device = Device()
    data = {
        "endpoint": push_service.url("/device/x"), "p256dh": device.p256dh,
        "auth": device.auth, "reminder_hours": "12", **change,
    }  # fmt: skip
    response = client_for(member).post("/reminders/push/subscribe/", data)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not PushSubscription.objects.exists()


def test_plain_http_push_services_are_refused_in_production(settings, member):
    settings.PUSH_ALLOW_INSECURE = False
    device = Device()
    with pytest.raises(services.RuleError):
        device.subscribe(member, "http://127.0.0.1:9/device")


def test_my_devices_are_in_my_data_download(push_service, member):
    Device().subscribe(member, push_service.url("/device/mine"), loans=True)
    data = client_for(member).get("/accounts/data/").json()
    (device,) = data["reminders"]["push_devices"]
    assert device["endpoint"].endswith("/device/mine") and device["loans"]
    assert data["reminders"]["email"] == {"tomorrow": True, "offers_digest": False}
