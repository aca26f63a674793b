"""Who may use which URL: the declared expectations the authorisation matrix checks.

Every named URL of the URL conf and every operation of the API schema must have an entry
here (``tests/security/test_authorization_matrix.py`` fails otherwise). An entry says, for
each role, what a GET (and, for forms and actions, a POST) answers:

- an int: that status;
- ``LOGIN``: a redirect to the login page;
- ``ADMIN_LOGIN``: a redirect to the admin's login page;
- ``REDIRECT``: a redirect elsewhere (a form that worked, a page that sends you on).

``kwargs(scene)`` builds the URL's arguments from the factories in ``scene.py``; ``data(scene)``
is the POST body (form data for pages, JSON for the API) — a valid one, so a refusal in the
table is the permission's and not the validation's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .scene import ROLES

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
REDIRECT = "redirect"

Outcome = int | str
Expect = dict[str, Outcome]


def everyone(outcome: Outcome = 200) -> Expect:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: Outcome = 200, anonymous: Outcome = LOGIN) -> Expect:
    return {**dict.fromkeys(ROLES, outcome), "anonymous": anonymous}


def members(outcome: Outcome = 200, anonymous: Outcome = LOGIN) -> Expect:
    return {
        "anonymous": anonymous,
        "foreign": 403,
        "outsider": 403,
        "member": outcome,
        "coordinator": outcome,
    }


def coordinators(outcome: Outcome = 200, anonymous: Outcome = LOGIN) -> Expect:
    return {**members(outcome, anonymous), "member": 403}


def api_signed_in(outcome: Outcome = 200) -> Expect:
    return signed_in(outcome, anonymous=401)


def api_members(outcome: Outcome = 200) -> Expect:
    return members(outcome, anonymous=401)


def api_coordinators(outcome: Outcome = 200) -> Expect:
    return coordinators(outcome, anonymous=401)


@dataclass(frozen=True)
class Entry:
    get: Expect | None = None  # None: GET is not checked (the URL is not a page)
    post: Expect | None = None  # None: not a form or action
    kwargs: Callable[[Any], dict] | None = None
    data: Callable[[Any], dict] | None = None
    roles: tuple[str, ...] = ROLES  # who is tried; all five unless the rule is uniform
    multipart: bool = False  # an upload: ``data`` maps field names to file contents
    csrf_exempt: bool = False  # only for server-to-server endpoints (the federation inbox)


# Django's admin asks "is staff?" before anything else, the same on its ~80 URLs; trying
# the least and the most trusted of our roles there keeps the suite quick.
ADMIN_ROLES = ("anonymous", "coordinator")


def _peer_id(scene) -> dict:
    return {"peer_id": scene.get("peer").pk}


def _id(param: str, kind: str) -> Callable[[Any], dict]:
    return lambda scene: {param: scene.get(kind).pk}


def _pk(kind: str) -> Callable[[Any], dict]:
    return lambda scene: {"pk": scene.get(kind).pk}


def _local(hours: int) -> str:
    """A time ``hours`` from now, as a datetime-local form field sends it."""
    from django.utils import timezone

    return (timezone.localtime() + timezone.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _thread(scene) -> dict:
    return {"kind": "plot", "object_id": scene.get("plot").pk}


def _proposal_form() -> dict:
    return {"title": "Compost", "text": "Two bins.", "method": "consent", "deadline": _local(48)}


def _proposal_json() -> dict:
    from django.utils import timezone

    deadline = timezone.now() + timezone.timedelta(days=2)
    return {
        "title": "Compost",
        "text": "Two bins.",
        "method": "consent",
        "deadline": deadline.isoformat(),
    }


def _offer_form(scene) -> dict:
    return {
        "crop": "Mangold",
        "quantity": "3",
        "unit": "kg",
        "pickup_from": _local(2),
        "pickup_until": _local(26),
        "pickup_place": "Shed",
        "expires_at": _local(50),
        "audience": "garden",
    }


def _offer_json(scene) -> dict:
    from django.utils import timezone

    now = timezone.now()
    return {
        "crop": "Mangold",
        "quantity": "3",
        "pickup_from": (now + timezone.timedelta(hours=2)).isoformat(),
        "pickup_until": (now + timezone.timedelta(hours=26)).isoformat(),
        "expires_at": (now + timezone.timedelta(hours=50)).isoformat(),
    }


def _loan_dates(scene) -> dict:
    from django.utils import timezone

    start = timezone.localdate() + timezone.timedelta(days=10)
    return {"start_date": str(start), "end_date": str(start + timezone.timedelta(days=1))}


def _reminders_form(scene) -> dict:
    return {"tomorrow": "on"}


def _push_device(scene) -> dict:
    """A device's subscription as static/js/push.js sends it (keys of the right length)."""
    import base64

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {
        "endpoint": "https://push.example/device/1",
        "p256dh": b64(b"\x04" + bytes(64)),
        "auth": b64(bytes(16)),
        "reminder_hours": "12",
    }


_TOOL_FORM = {"name": "Spade", "description": "", "condition": "good", "lend_to_members": "on"}


# Named page URLs (and the few unnamed ones, by route). Globs: "admin:*".
PAGES: dict[str, Entry] = {
    "healthz": Entry(get=everyone(200)),
    "home": Entry(get=everyone(200)),
    "manifest": Entry(get=everyone(200)),
    "service_worker": Entry(get=everyone(200)),
    "offline": Entry(get=everyone(200)),
    "reminders:settings": Entry(get=members(200), post=members(REDIRECT), data=_reminders_form),
    "reminders:push_subscribe": Entry(get=everyone(405), post=members(200), data=_push_device),
    "reminders:push_unsubscribe": Entry(get=everyone(405), post=members(200), data=_push_device),
    "reminders:push_device": Entry(get=members(200)),
    "signup": Entry(
        get={**everyone(REDIRECT), "anonymous": 200},
        post={**everyone(REDIRECT), "anonymous": 400},  # empty form: shown again with errors
    ),
    "login": Entry(get=everyone(200), post=everyone(200)),
    "logout": Entry(get=everyone(405), post=everyone(REDIRECT)),
    # Strangers are sent to sign up first, members home; an empty form is a 400.
    "join": Entry(
        get={**signed_in(200, anonymous=REDIRECT), "member": REDIRECT, "coordinator": REDIRECT},
        post={**signed_in(400, anonymous=REDIRECT), "member": REDIRECT, "coordinator": REDIRECT},
    ),
    "profile": Entry(get=signed_in(200), post=signed_in(REDIRECT)),
    "notifications": Entry(get=signed_in(200), post=signed_in(REDIRECT)),
    "notifications_unread": Entry(get=signed_in(200)),
    # Someone else's notification (the scene's owner's) is not there for anyone else.
    "notification_open": Entry(get=signed_in(404), kwargs=_pk("notification")),
    "members": Entry(get=coordinators(200)),
    "node_status": Entry(get=coordinators(200)),
    # No backup is kept in the scene: coordinators get a 404, everyone else no further.
    "backup_download": Entry(
        get=coordinators(404), kwargs=lambda scene: {"name": "allmende-20260101T000000Z.zip"}
    ),
    "member_action": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        kwargs=_pk("pending_membership"),
        data=lambda scene: {"action": "approve"},
    ),
    "set_language": Entry(get=everyone(REDIRECT), post=everyone(REDIRECT)),
    "media": Entry(get=everyone(404), kwargs=lambda scene: {"path": "nothing-here.png"}),
    "api:openapi-json": Entry(get=everyone(200)),
    "api:openapi-view": Entry(get=everyone(200)),
    "api:api-root": Entry(get=everyone(404)),
    "api-v2:openapi-json": Entry(get=everyone(200)),
    "api-v2:openapi-view": Entry(get=everyone(200)),
    "api-v2:api-root": Entry(get=everyone(404)),
    # The apps' placeholders until they land; replaced by their real pages.
    # Sharing: offers, claims, the tool library and loans. Refused actions on pages go
    # back to the object with a message (a REDIRECT), as elsewhere; the API says 403.
    # Decisions and conversations: members; settings and hiding: coordinators. Editing
    # someone else's message sends you back to its page.
    "decisions:index": Entry(get=members(200)),
    "decisions:records": Entry(get=members(200)),
    "decisions:proposal_new": Entry(
        get=members(200), post=members(REDIRECT), data=lambda s: _proposal_form()
    ),
    "decisions:proposal": Entry(
        get=members(200),
        post=members(REDIRECT),
        kwargs=_pk("proposal"),
        data=lambda s: {"choice": s.get("proposal").options.first().pk},
    ),
    "decisions:settings": Entry(
        get=coordinators(200),
        post=coordinators(REDIRECT),
        data=lambda s: {"who_may_propose": "members"},
    ),
    "conversations:thread": Entry(
        get=members(200), post=members(REDIRECT), kwargs=_thread, data=lambda s: {"body": "Hi"}
    ),
    "conversations:follow": Entry(
        get=members(405), post=members(REDIRECT), kwargs=_thread, data=lambda s: {"follow": "1"}
    ),
    "conversations:message_edit": Entry(
        get=members(REDIRECT),
        post=members(REDIRECT),
        kwargs=_pk("message"),
        data=lambda s: {"body": "Changed"},
    ),
    "conversations:message_hide": Entry(
        get=coordinators(200),
        post=coordinators(REDIRECT),
        kwargs=_pk("message"),
        data=lambda s: {"reason": "Unkind"},
    ),
    "sharing:index": Entry(get=members(200)),
    "sharing:mine": Entry(get=members(200)),
    "sharing:offer_new": Entry(get=members(200), post=members(REDIRECT), data=_offer_form),
    "sharing:offer": Entry(
        get=members(200),
        post=members(REDIRECT),  # a claim
        kwargs=_pk("offer"),
        data=lambda scene: {"quantity": "1"},
    ),
    # Not the offerer: sent back to the offer; coordinators may edit.
    "sharing:offer_edit": Entry(
        get={**members(200), "member": REDIRECT},
        post=members(REDIRECT),
        kwargs=_pk("offer"),
        data=_offer_form,
    ),
    "sharing:offer_withdraw": Entry(get=members(405), post=members(REDIRECT), kwargs=_pk("offer")),
    "sharing:claim_picked_up": Entry(get=members(405), post=members(REDIRECT), kwargs=_pk("claim")),
    # Only the claimant (none of the callers) withdraws; others are sent back with a message.
    "sharing:claim_withdraw": Entry(get=members(405), post=members(REDIRECT), kwargs=_pk("claim")),
    "sharing:tools": Entry(get=members(200)),
    "sharing:tool_new": Entry(
        get=coordinators(200), post=coordinators(REDIRECT), data=lambda scene: _TOOL_FORM
    ),
    "sharing:tool": Entry(
        get=members(200), post=members(REDIRECT), kwargs=_pk("tool"), data=_loan_dates
    ),
    "sharing:tool_edit": Entry(
        get=coordinators(200),
        post=coordinators(REDIRECT),
        kwargs=_pk("tool"),
        data=lambda scene: _TOOL_FORM,
    ),
    "sharing:tool_retire": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("tool")
    ),
    "sharing:loans": Entry(get=members(200)),
    "sharing:loan_action": Entry(
        get=members(405),
        post=members(REDIRECT),
        kwargs=_pk("loan"),
        data=lambda scene: {"action": "approve"},
    ),
    "sharing:map": Entry(get=members(200)),
    "sharing:settings": Entry(
        get=coordinators(200),
        post=coordinators(REDIRECT),
        data=lambda scene: {"share_radius_km": "5", "hop_limit": "1"},
    ),
    # Accounts: sign-in links and password reset work without a session.
    "login_link_request": Entry(get=everyone(200), post=everyone(200)),
    "login_link_sent": Entry(get=everyone(200)),
    "login_link": Entry(
        get=everyone(400), kwargs=lambda scene: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "password_reset": Entry(get=everyone(200), post=everyone(200)),
    "password_reset_done": Entry(get=everyone(200)),
    "password_reset_confirm": Entry(
        get=everyone(200), kwargs=lambda scene: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "password_reset_complete": Entry(get=everyone(200)),
    "password_change": Entry(get=signed_in(200), post=signed_in(200)),
    "token_create": Entry(get=signed_in(405), post=signed_in(200)),
    # Someone else's token is "not found", whoever asks.
    "token_revoke": Entry(get=signed_in(405), post=signed_in(404), kwargs=_pk("token")),
    "data_download": Entry(get=signed_in(200)),
    "delete_account": Entry(get=signed_in(200), post=signed_in(400)),  # not confirmed
    # The coordinators' garden pages.
    "garden_settings": Entry(get=coordinators(200), post=coordinators(400)),
    "invites": Entry(get=coordinators(200), post=coordinators(400)),
    "invite_revoke": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("invite")
    ),
    "announcements": Entry(get=coordinators(200), post=coordinators(400)),
    "announcement_delete": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("announcement")
    ),
    # Plots.
    "plots:index": Entry(get=members(200)),
    "plots:detail": Entry(get=members(200), kwargs=_pk("plot")),
    "plots:act": Entry(get=members(405), post=members(400), kwargs=_pk("plot"), data=lambda s: {}),
    "plots:edit": Entry(get=coordinators(200), post=coordinators(200), kwargs=_pk("plot")),
    "plots:new": Entry(get=coordinators(200), post=coordinators(200)),
    "plots:waitlist": Entry(get=members(200), post=members(REDIRECT)),
    "plots:log": Entry(get=members(200)),
    "plots:fees": Entry(get=coordinators(200), post=coordinators(400)),
    "plots:policy": Entry(get=coordinators(200), post=coordinators(200)),
    # Harvests: a log is its harvester's; others may not change it.
    "harvests:index": Entry(get=members(200)),
    "harvests:mine": Entry(get=members(200)),
    "harvests:add": Entry(get=members(200), post=members(200)),
    "harvests:edit": Entry(get=coordinators(200), post=coordinators(200), kwargs=_pk("harvest")),
    "harvests:delete": Entry(
        get=coordinators(200), post=coordinators(REDIRECT), kwargs=_pk("harvest")
    ),
    "harvests:crops": Entry(get=members(200), post=members(200)),
    "harvests:export_mine": Entry(get=members(200)),
    "harvests:export_garden": Entry(get=coordinators(200)),
    "harvests:import": Entry(get=members(200), post=members(400)),
    # Shifts and tasks. Actions are POST-only (405 to a GET before any login check).
    "shifts:index": Entry(get=members(200)),
    "shifts:shift": Entry(get=members(200), kwargs=_pk("shift")),
    "shifts:signup": Entry(get=everyone(405), post=members(REDIRECT), kwargs=_pk("shift")),
    "shifts:withdraw": Entry(get=everyone(405), post=members(REDIRECT), kwargs=_pk("shift")),
    "shifts:done": Entry(get=everyone(405), post=members(REDIRECT), kwargs=_pk("shift")),
    "shifts:cancel": Entry(get=everyone(405), post=coordinators(REDIRECT), kwargs=_pk("shift")),
    "shifts:shift_new": Entry(get=coordinators(200), post=coordinators(200)),
    "shifts:missed": Entry(get=coordinators(200)),
    "shifts:roster": Entry(get=members(200)),
    "shifts:schedules": Entry(get=coordinators(200)),
    "shifts:schedule_new": Entry(get=coordinators(200), post=coordinators(200)),
    "shifts:schedule_edit": Entry(
        get=coordinators(200), post=coordinators(200), kwargs=_pk("schedule")
    ),
    "shifts:settings": Entry(get=coordinators(200), post=coordinators(200)),
    "shifts:skills": Entry(get=coordinators(200), post=coordinators(200)),
    "shifts:skill_grant": Entry(
        get=everyone(405), post=coordinators(REDIRECT), kwargs=_pk("skill")
    ),
    "shifts:hours": Entry(get=members(200)),
    "shifts:calendar": Entry(get=members(200)),
    # Calendar feeds are fetched by calendar apps without a session: the garden's is
    # public, a member's is guarded by its secret token.
    "shifts:garden_feed": Entry(get=everyone(200)),
    "shifts:member_feed": Entry(
        get=everyone(200), kwargs=lambda scene: {"token": scene.get("feed").token}
    ),
    "shifts:tasks": Entry(get=members(200)),
    "shifts:task_new": Entry(get=coordinators(200), post=coordinators(200)),
    "shifts:task": Entry(get=members(200), kwargs=_pk("task")),
    "shifts:task_edit": Entry(get=coordinators(200), post=coordinators(200), kwargs=_pk("task")),
    "shifts:task_action": Entry(
        get=everyone(405),
        post=members(REDIRECT),
        kwargs=_pk("task"),
        data=lambda scene: {"action": "take"},
    ),
    # Federation: public documents for other gardens, the inbox, the coordinators' pages.
    "federation:actor": Entry(get=everyone(REDIRECT)),  # a browser is sent home
    "federation:webfinger": Entry(get=everyone(404)),  # no resource asked for
    "federation:nodeinfo-links": Entry(get=everyone(200)),
    "federation:nodeinfo": Entry(get=everyone(200)),
    "federation:outbox": Entry(get=everyone(200)),
    "federation:followers": Entry(get=everyone(200)),
    "federation:activity": Entry(
        get=everyone(200), kwargs=lambda scene: {"uuid": scene.get("public_activity")}
    ),
    "federation:inbox": Entry(get=everyone(405), post=everyone(400), csrf_exempt=True),
    "federation:peers": Entry(get=coordinators(200), post=coordinators(200)),
    "federation:policy": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        data=lambda scene: {"policy-auto_accept_km": "5"},
    ),
    "federation:peer-action": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        kwargs=lambda scene: {"pk": scene.get("peer").pk, "action": "block"},
    ),
    "federation:neighbours": Entry(get=everyone(200)),
    "federation:suggestion-action": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        kwargs=lambda scene: {"pk": scene.get("suggestion").pk, "action": "dismiss"},
    ),
    "federation:refresh-suggestions": Entry(get=coordinators(405), post=coordinators(REDIRECT)),
    "federation:introduce": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        data=lambda scene: {"peer": scene.get("peer").pk, "to_peer": scene.get("peer").pk},
    ),
    "federation:retry": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("failed_delivery")
    ),
    "federation:followers-page": Entry(get=coordinators(200)),
    "federation:follower-policy": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        data=lambda scene: {"accept_followers": "on"},
    ),
    "federation:follower-action": Entry(
        get=coordinators(405),
        post=coordinators(REDIRECT),
        kwargs=lambda scene: {"pk": scene.get("follower").pk, "action": "accept"},
    ),
    "federation:unblock-server": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("blocked_server")
    ),
    # A public post's page: for everyone, as the fediverse links to it.
    "posts:post": Entry(
        get=everyone(200),
        kwargs=lambda scene: {"pk": scene.get("public_announcement").public_post.pk},
    ),
    "posts:hide_reply": Entry(
        get=coordinators(405), post=coordinators(REDIRECT), kwargs=_pk("reply")
    ),
    # Django's admin: staff only; none of our roles is staff.
    "admin:*": Entry(get=everyone(ADMIN_LOGIN), roles=ADMIN_ROLES),
    "admin:login": Entry(get=everyone(200)),
    "admin:logout": Entry(get=everyone(REDIRECT), post=everyone(REDIRECT)),
    "admin:jsi18n": Entry(get=everyone(ADMIN_LOGIN)),
    "admin:view_on_site": Entry(get=everyone(ADMIN_LOGIN)),
    "/admin/*": Entry(get=everyone(ADMIN_LOGIN), roles=ADMIN_ROLES),
}

# API operations, keyed "METHOD /api/v1/path".
API: dict[str, Entry] = {
    "GET /api/v1/garden": Entry(get=everyone(200)),
    "GET /api/v1/me": Entry(get=api_signed_in(200)),
    "POST /api/v1/garden/join": Entry(
        post={**api_signed_in(409), "foreign": 200},
        data=lambda scene: {"accept_rules": True},
    ),
    "GET /api/v1/shifts": Entry(get=api_members(200)),
    "GET /api/v1/shifts/{shift_id}": Entry(get=api_members(200), kwargs=_id("shift_id", "shift")),
    "POST /api/v1/shifts/{shift_id}/signup": Entry(
        post=api_members(201), kwargs=_id("shift_id", "shift")
    ),
    "DELETE /api/v1/shifts/{shift_id}/signup": Entry(
        post=api_members(409),
        kwargs=_id("shift_id", "shift"),  # not signed up
    ),
    "POST /api/v1/shifts/{shift_id}/done": Entry(
        post=api_members(403),
        kwargs=_id("shift_id", "shift"),  # only its volunteers
    ),
    "GET /api/v1/tasks": Entry(get=api_members(200)),
    "POST /api/v1/tasks": Entry(
        post=api_coordinators(201), data=lambda scene: {"title": "Mulch the paths"}
    ),
    "POST /api/v1/tasks/{task_id}/volunteer": Entry(
        post=api_members(200), kwargs=_id("task_id", "task")
    ),
    "DELETE /api/v1/tasks/{task_id}/volunteer": Entry(
        post=api_members(409),
        kwargs=_id("task_id", "task"),  # not volunteering
    ),
    "POST /api/v1/tasks/{task_id}/done": Entry(
        post={**api_members(403), "coordinator": 200},  # its volunteers or a coordinator
        kwargs=_id("task_id", "task"),
    ),
    "GET /api/v1/memberships": Entry(get=api_coordinators(200)),
    "POST /api/v1/memberships/{pk}/decision": Entry(
        post=api_coordinators(200),
        kwargs=lambda scene: {"pk": scene.get("pending_membership").pk},
        data=lambda scene: {"approve": True},
    ),
    "POST /api/v1/memberships/{pk}/role": Entry(
        post=api_coordinators(200),
        kwargs=_pk("membership"),
        data=lambda scene: {"role": "coordinator"},
    ),
    "DELETE /api/v1/memberships/{pk}": Entry(post=api_coordinators(204), kwargs=_pk("membership")),
    "PATCH /api/v1/garden": Entry(post=api_coordinators(200), data=lambda s: {"name": "Neu"}),
    "PATCH /api/v1/me": Entry(post=api_signed_in(200), data=lambda s: {"display_name": "Neu"}),
    "GET /api/v1/me/export": Entry(get=api_signed_in(200)),
    "POST /api/v1/me/delete": Entry(
        post=api_signed_in(409), data=lambda s: {"confirmation": "wrong"}
    ),
    "GET /api/v1/me/tokens": Entry(get=api_signed_in(200)),
    "POST /api/v1/me/tokens": Entry(post=api_signed_in(201), data=lambda s: {"label": "x"}),
    "DELETE /api/v1/me/tokens/{pk}": Entry(post=api_signed_in(404), kwargs=_pk("token")),
    "GET /api/v1/invites": Entry(get=api_coordinators(200)),
    "POST /api/v1/invites": Entry(post=api_coordinators(201), data=lambda s: {}),
    "DELETE /api/v1/invites/{pk}": Entry(post=api_coordinators(204), kwargs=_pk("invite")),
    "GET /api/v1/announcements": Entry(get=api_members(200)),
    "POST /api/v1/announcements": Entry(
        post=api_coordinators(201), data=lambda s: {"title": "Wasser", "body": "Heute."}
    ),
    "DELETE /api/v1/announcements/{pk}": Entry(
        post=api_coordinators(204), kwargs=_pk("announcement")
    ),
    "GET /api/v1/proposals": Entry(get=api_members(200)),
    "POST /api/v1/proposals": Entry(post=api_members(201), data=lambda s: _proposal_json()),
    "GET /api/v1/proposals/{proposal_id}": Entry(
        get=api_members(200), kwargs=_id("proposal_id", "proposal")
    ),
    "GET /api/v1/proposals/{proposal_id}/vote": Entry(
        get=api_members(404),
        kwargs=_id("proposal_id", "proposal"),  # not voted
    ),
    "PUT /api/v1/proposals/{proposal_id}/vote": Entry(
        post=api_members(200),
        kwargs=_id("proposal_id", "proposal"),
        data=lambda s: {"option_id": s.get("proposal").options.first().pk},
    ),
    "GET /api/v1/threads/{kind}/{object_id}/messages": Entry(get=api_members(200), kwargs=_thread),
    "POST /api/v1/threads/{kind}/{object_id}/messages": Entry(
        post=api_members(201), kwargs=_thread, data=lambda s: {"body": "Hello"}
    ),
    "GET /api/v1/plots": Entry(get=api_members(200)),
    "GET /api/v1/plots/{plot_id}": Entry(get=api_members(200), kwargs=_id("plot_id", "plot")),
    "POST /api/v1/plots/{plot_id}/claim": Entry(
        post=api_members(200), kwargs=_id("plot_id", "plot")
    ),
    "POST /api/v1/plots/{plot_id}/release": Entry(
        post=api_members(409), kwargs=_id("plot_id", "plot")
    ),
    "GET /api/v1/waitlist": Entry(get=api_members(200)),
    "POST /api/v1/waitlist": Entry(post=api_members(201)),
    "DELETE /api/v1/waitlist": Entry(post=api_members(404)),  # not on it
    "GET /api/v1/peers": Entry(get=api_coordinators(200)),
    "POST /api/v1/peers": Entry(
        post=api_coordinators(409), data=lambda scene: {"address": "not an address"}
    ),
    **{
        f"POST /api/v1/peers/{{peer_id}}/{action}": Entry(
            post=api_coordinators(outcome), kwargs=_peer_id
        )
        for action, outcome in {
            "accept": 200,
            "reject": 200,
            "block": 200,
            "unblock": 409,
            "end": 409,  # not peered yet
        }.items()
    },
    "GET /api/v1/suggestions": Entry(get=api_coordinators(200)),
    "POST /api/v1/suggestions/{suggestion_id}/peer": Entry(
        post=api_coordinators(400), kwargs=_id("suggestion_id", "suggestion")
    ),
    "POST /api/v1/suggestions/{suggestion_id}/dismiss": Entry(
        post=api_coordinators(200), kwargs=_id("suggestion_id", "suggestion")
    ),
    "POST /api/v1/peers/introduce": Entry(
        post=api_coordinators(400),  # the same garden twice
        data=lambda s: {"peer_id": s.get("peer").pk, "to_peer_id": s.get("peer").pk},
    ),
    "GET /api/v1/map": Entry(get=api_members(200)),
    "GET /api/v1/followers": Entry(get=api_coordinators(200)),
    "DELETE /api/v1/followers/{follower_id}": Entry(
        post=api_coordinators(204), kwargs=_id("follower_id", "follower")
    ),
    "GET /api/v1/offers/{offer_id}/replies": Entry(
        get=api_members(200), kwargs=_id("offer_id", "offer")
    ),
    "GET /api/v1/announcements/{pk}/replies": Entry(
        get=api_members(200), kwargs=_pk("public_announcement")
    ),
    "POST /api/v1/replies/{reply_id}/hide": Entry(
        post={**api_members(403), "coordinator": 200},
        kwargs=_id("reply_id", "reply"),
        data=lambda scene: {"hidden": True},
    ),
    "GET /api/v1/harvests": Entry(get=api_members(200)),
    "POST /api/v1/harvests": Entry(
        post=api_members(201),
        data=lambda s: {"crop_id": s.get("harvest").crop_id, "quantity": "1.5", "unit": "kg"},
    ),
    "GET /api/v1/harvests/crops": Entry(get=api_members(200)),
    "POST /api/v1/harvests/crops": Entry(
        post=api_members(201), data=lambda s: {"name": "Pastinaken"}
    ),
    "GET /api/v1/harvests/summary": Entry(get=api_members(200)),
    "GET /api/v1/harvests/{harvest_id}": Entry(
        get=api_coordinators(200), kwargs=_id("harvest_id", "harvest")
    ),
    "PATCH /api/v1/harvests/{harvest_id}": Entry(
        post=api_coordinators(200),
        kwargs=_id("harvest_id", "harvest"),
        data=lambda s: {"note": "x"},
    ),
    "DELETE /api/v1/harvests/{harvest_id}": Entry(
        post=api_coordinators(204), kwargs=_id("harvest_id", "harvest")
    ),
    "POST /api/v1/harvests/import": Entry(
        post=api_members(409), multipart=True, data=lambda s: {"file": b"not,a,harvest\n"}
    ),
    # Sharing. Offers and claims are their offerer's (and the coordinators') to manage.
    "GET /api/v1/offers": Entry(get=api_members(200)),
    "POST /api/v1/offers": Entry(post=api_members(201), data=_offer_json),
    "GET /api/v1/offers/{offer_id}": Entry(get=api_members(200), kwargs=_id("offer_id", "offer")),
    "PATCH /api/v1/offers/{offer_id}": Entry(
        post={**api_members(403), "coordinator": 200},
        kwargs=_id("offer_id", "offer"),
        data=lambda scene: {"pickup_place": "Gate"},
    ),
    "DELETE /api/v1/offers/{offer_id}": Entry(
        post={**api_members(403), "coordinator": 200}, kwargs=_id("offer_id", "offer")
    ),
    "GET /api/v1/offers/{offer_id}/claims": Entry(
        get=api_members(200), kwargs=_id("offer_id", "offer")
    ),
    "POST /api/v1/offers/{offer_id}/claims": Entry(
        post=api_members(201),
        kwargs=_id("offer_id", "offer"),
        data=lambda scene: {"quantity": "1"},
    ),
    "GET /api/v1/claims": Entry(get=api_members(200)),
    "POST /api/v1/claims/{claim_id}/picked-up": Entry(
        post={**api_members(403), "coordinator": 200}, kwargs=_id("claim_id", "claim")
    ),
    "POST /api/v1/claims/{claim_id}/withdraw": Entry(
        post=api_members(403),
        kwargs=_id("claim_id", "claim"),  # only its claimant
    ),
    "GET /api/v1/nearby": Entry(get=api_members(200)),
    "GET /api/v1/tools": Entry(get=api_members(200)),
    "POST /api/v1/tools": Entry(post=api_coordinators(201), data=lambda s: {"name": "Spade"}),
    "GET /api/v1/tools/{tool_id}": Entry(get=api_members(200), kwargs=_id("tool_id", "tool")),
    "PUT /api/v1/tools/{tool_id}": Entry(
        post=api_coordinators(200), kwargs=_id("tool_id", "tool"), data=lambda s: {"name": "Hoe"}
    ),
    "POST /api/v1/tools/{tool_id}/loans": Entry(
        post=api_members(201), kwargs=_id("tool_id", "tool"), data=_loan_dates
    ),
    "GET /api/v1/loans": Entry(get=api_members(200)),
    "POST /api/v1/loans/{loan_id}/decision": Entry(
        post=api_coordinators(200),
        kwargs=_id("loan_id", "loan"),
        data=lambda s: {"approve": True},
    ),
    "POST /api/v1/loans/{loan_id}/lent": Entry(
        post=api_coordinators(200), kwargs=_id("loan_id", "approved_loan")
    ),
    "POST /api/v1/loans/{loan_id}/returned": Entry(
        post=api_coordinators(200),
        kwargs=_id("loan_id", "lent_loan"),
        data=lambda s: {"condition_note": "Fine."},
    ),
    "POST /api/v1/loans/{loan_id}/cancel": Entry(
        post=api_members(403),
        kwargs=_id("loan_id", "loan"),  # only its borrower
    ),
    "GET /api/v1/sharing/settings": Entry(get=api_members(200)),
    "PUT /api/v1/sharing/settings": Entry(
        post=api_coordinators(200), data=lambda s: {"share_radius_km": "5"}
    ),
}

# /api/v2/ holds the same operations as /api/v1/ (only its lists are paged): the same
# people may use each.
API.update({key.replace("/api/v1/", "/api/v2/", 1): entry for key, entry in list(API.items())})
