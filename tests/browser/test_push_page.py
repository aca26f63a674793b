"""The push opt-in page (templates/reminders/settings.html, static/js/push.js) in a real
browser against a real node: turning push on for this device stores the device's keys and
endpoint with the kinds chosen, the node's worker then reaches that endpoint with a message
only the device can decrypt, changed choices are stored, turning it off removes the device
on the server; the same in German; and a blocked permission is said plainly, storing nothing.

The one thing that cannot run here is the browser's push service: headless Chromium has
none it can reach. So an init script replaces only ``PushManager.prototype.subscribe`` and
``getSubscription``: they hand out a subscription whose endpoint is a push service this
test runs on loopback and whose keys this test made (tests/webpush.py). Everything else is
the real page, service worker registration, permission, requests, database and worker.
"""

import json

import pytest
from playwright.sync_api import expect

from tests.nodes import Node, wait_for
from tests.webpush import Device, PushService

from .conftest import DEMO_PASSWORD, log_in, new_page

pytestmark = pytest.mark.browser

PEOPLE = f"""
from django.contrib.auth.models import User
from garden.members.models import Garden, Membership
garden = Garden.objects.get_current()
for name, role, language in [
    ("cora", "coordinator", ""), ("mara", "member", ""), ("jonas", "member", "de"),
    ("nele", "member", ""),
]:
    user = User.objects.create_user(name, name + "@example.org", {DEMO_PASSWORD!r})
    Membership.objects.create(user=user, garden=garden, role=role, status="active")
    user.profile.language = language
    user.profile.save()
"""

STORED = """
import json
from garden.reminders.models import PushSubscription
print(json.dumps(list(PushSubscription.objects.filter(user__username={username!r}).values(
    "endpoint", "p256dh", "auth", "reminder_hours", *PushSubscription.KINDS))))
"""

ANNOUNCE = """
from django.contrib.auth.models import User
from garden.members.services import post_announcement
post_announcement(author=User.objects.get(username="cora"), title={title!r}, body={body!r})
"""

# Stands in for the browser's push service (see the module's docstring). Like Chromium's,
# subscribe() refuses without the notifications permission; the subscription outlives the
# page (localStorage), and the application server key it was asked for is kept for the test.
FAKE_PUSH_MANAGER = """
(() => {
  const device = %s;
  const STORE = "test-push-subscription";
  function subscription() {
    return {
      endpoint: device.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON() {
        return { endpoint: device.endpoint, expirationTime: null,
                 keys: { p256dh: device.p256dh, auth: device.auth } };
      },
      unsubscribe() { localStorage.removeItem(STORE); return Promise.resolve(true); },
    };
  }
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(localStorage.getItem(STORE) === null ? null : subscription());
  };
  PushManager.prototype.subscribe = function (options) {
    if (Notification.permission !== "granted") {
      return Promise.reject(new DOMException("Registration failed - permission denied",
                                             "NotAllowedError"));
    }
    const key = String.fromCharCode.apply(null, new Uint8Array(options.applicationServerKey));
    localStorage.setItem(STORE, btoa(key).replace(/\\+/g, "-").replace(/\\//g, "_")
                                          .replace(/=+$/, ""));
    return Promise.resolve(subscription());
  };
})();
"""


@pytest.fixture(scope="module")
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    # Plain-http loopback endpoints are allowed on this node only: the stand-in push service.
    node = Node(tmp_path_factory.mktemp("push"), "Testgarten", PUSH_ALLOW_INSECURE="1")
    try:
        node.setup()
        node.shell(PEOPLE)
        node.start()
        yield node
    finally:
        node.destroy()


def stored(node, username: str) -> list[dict]:
    return json.loads(node.shell(STORED.format(username=username)))


def device_page(browser, node, device: Device, endpoint: str, username: str, grant=True):
    page = new_page(browser, node.url, width=360, height=800)
    if grant:
        page.context.grant_permissions(["notifications"], origin=node.url)
    fake = {"endpoint": endpoint, "p256dh": device.p256dh, "auth": device.auth}
    page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(fake))
    log_in(page, username)
    page.goto("/reminders/")
    return page


def test_turning_push_on_choosing_kinds_receiving_and_turning_off(browser, node, push_service):
    device = Device()
    endpoint = push_service.url("/device/mara-phone")
    page = device_page(browser, node, device, endpoint, "mara")
    state = page.locator("#push-state")
    expect(state).to_have_text("Push notifications are off for this device.")
    expect(page.get_by_text("You have push notifications on 0 devices.")).to_be_visible()
    off = page.get_by_role("button", name="Turn off for this device")
    expect(off).to_be_hidden()

    form = page.locator("#push-form")
    form.get_by_label("Announcements").check()
    form.get_by_label("Loan requests and answers").uncheck()
    form.get_by_label("Hours before the shift").fill("24")
    form.get_by_role("button", name="Turn on / save for this device").click()
    expect(state).to_have_text("Push notifications are on for this device.")
    expect(off).to_be_visible()

    (subscription,) = stored(node, "mara")
    assert subscription["endpoint"] == endpoint
    assert (subscription["p256dh"], subscription["auth"]) == (device.p256dh, device.auth)
    assert subscription["announcements"] and not subscription["loans"]
    assert subscription["shift_reminder"] and subscription["reminder_hours"] == 24
    # push.js subscribed with the node's VAPID key (as the push service would require).
    public_key = node.shell("from garden.reminders import vapid; print(vapid.public_key())")
    assert page.evaluate("localStorage.getItem('test-push-subscription')") == public_key.strip()

    # The node's worker pushes an announcement to this device; only the device can read it.
    node.shell(ANNOUNCE.format(title="Compost delivery", body="Friday morning, gate open."))
    (request,) = wait_for(lambda: push_service.received, timeout=60)
    assert request["path"] == "/device/mara-phone"
    assert b"Compost" not in request["body"]
    message = device.decrypt(request["body"])
    assert message["title"] == "Compost delivery"
    assert message["body"] == "Friday morning, gate open." and message["url"] == "/"
    assert f"k={public_key.strip()}" in request["headers"]["authorization"]

    # Opened again, the page shows this device's choices as stored; changing them stores them.
    page.reload()
    expect(state).to_have_text("Push notifications are on for this device.")
    expect(page.get_by_text("You have push notifications on 1 device.")).to_be_visible()
    expect(form.get_by_label("Announcements")).to_be_checked()
    expect(form.get_by_label("Loan requests and answers")).not_to_be_checked()
    expect(form.get_by_label("Hours before the shift")).to_have_value("24")
    form.get_by_label("Announcements").uncheck()
    form.get_by_label("Loan requests and answers").check()
    form.get_by_role("button", name="Turn on / save for this device").click()
    expect(state).to_have_text("Push notifications are on for this device.")
    (subscription,) = wait_for(
        lambda: [s for s in stored(node, "mara") if not s["announcements"]], timeout=10
    )
    assert subscription["loans"] and subscription["p256dh"] == device.p256dh

    # Turned off: gone on the server, and the page says so.
    off.click()
    expect(state).to_have_text("Push notifications are off for this device.")
    expect(off).to_be_hidden()
    assert stored(node, "mara") == []
    page.reload()
    expect(state).to_have_text("Push notifications are off for this device.")
    page.context.close()


def test_the_page_in_german(browser, node, push_service):
    device = Device()
    page = device_page(browser, node, device, push_service.url("/device/jonas"), "jonas")
    state = page.locator("#push-state")
    heading = page.get_by_role("heading", name="Push-Benachrichtigungen auf diesem Gerät")
    expect(heading).to_be_visible()
    expect(state).to_have_text("Push-Benachrichtigungen sind für dieses Gerät aus.")
    form = page.locator("#push-form")
    expect(form.locator("legend")).to_have_text("Sag mir auf diesem Gerät Bescheid über")
    form.get_by_role("button", name="Für dieses Gerät einschalten / speichern").click()
    expect(state).to_have_text("Push-Benachrichtigungen sind für dieses Gerät an.")
    (subscription,) = stored(node, "jonas")
    assert subscription["p256dh"] == device.p256dh
    page.get_by_role("button", name="Für dieses Gerät ausschalten").click()
    expect(state).to_have_text("Push-Benachrichtigungen sind für dieses Gerät aus.")
    assert stored(node, "jonas") == []
    page.context.close()


def test_blocked_notifications_are_said_plainly_and_nothing_is_stored(browser, node, push_service):
    page = device_page(
        browser, node, Device(), push_service.url("/device/nele"), "nele", grant=False
    )
    # The person blocked notifications for this site (as in the browser's site settings).
    cdp = page.context.new_cdp_session(page)
    context_id = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    cdp.send(
        "Browser.setPermission",
        {
            "permission": {"name": "notifications"}, "setting": "denied",
            "origin": node.url, "browserContextId": context_id,
        },
    )  # fmt: skip
    assert page.evaluate("Notification.permission") == "denied"
    page.reload()
    state = page.locator("#push-state")
    blocked = "Notifications are blocked for this site in your browser settings."
    expect(state).to_have_text(blocked)  # said at once, not only after a try
    page.locator("#push-form").get_by_role("button", name="Turn on / save for this device").click()
    expect(state).to_have_text(blocked)
    expect(page.get_by_role("button", name="Turn off for this device")).to_be_hidden()
    assert stored(node, "nele") == []
    page.context.close()
