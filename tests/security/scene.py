"""A small garden with one person in every role, and factories for objects URLs point at.

Objects are made lazily (``scene.get("membership")``) and owned by ``owner``, a member who
is none of the people the matrix calls with: "member" therefore means "a member who does
not own this object", and the apps' own tests cover owners.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from garden.members.models import ApiToken, Garden, Membership
from tests.conftest import make_user

# anonymous: not logged in · foreign: an account that belongs to no garden here ·
# outsider: asked to join, not yet approved (a non-member) · member · coordinator.
ROLES = ("anonymous", "foreign", "outsider", "member", "coordinator")

FACTORIES: dict[str, Callable[[Scene], Any]] = {}


def factory(kind: str):
    def register(fn: Callable[[Scene], Any]):
        FACTORIES[kind] = fn
        return fn

    return register


class Scene:
    def __init__(self, garden: Garden):
        self.garden = garden
        self.users: dict[str, User | None] = {
            "anonymous": None,
            "foreign": make_user("fremd"),
            "outsider": make_user("paula", garden, Membership.Role.MEMBER, "pending"),
            "member": make_user("mara", garden, Membership.Role.MEMBER),
            "coordinator": make_user("cora", garden, Membership.Role.COORDINATOR),
        }
        self.owner = make_user("otto", garden, Membership.Role.MEMBER)
        self._objects: dict[str, Any] = {}

    def get(self, kind: str) -> Any:
        if kind not in self._objects:
            if kind not in FACTORIES:
                raise KeyError(f"no factory for {kind!r}: add one in tests/security/scene.py")
            self._objects[kind] = FACTORIES[kind](self)
        return self._objects[kind]

    def token_for(self, role: str) -> str | None:
        user = self.users[role]
        if user is None:
            return None
        _token, secret = ApiToken.objects.create_token(user, "matrix")
        return secret


@factory("membership")
def _membership(scene: Scene) -> Membership:
    return scene.owner.membership


@factory("pending_membership")
def _pending_membership(scene: Scene) -> Membership:
    return scene.users["outsider"].membership


@factory("invite")
def _invite(scene: Scene):
    from garden.members.models import Invite

    return Invite.objects.create(
        garden=scene.garden,
        created_by=scene.users["coordinator"],
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )


@factory("announcement")
def _announcement(scene: Scene):
    from garden.members.models import Announcement

    return Announcement.objects.create(
        garden=scene.garden, author=scene.users["coordinator"], title="Water", body="Today."
    )


@factory("notification")
def _notification(scene: Scene):
    from garden.members.models import Notification

    return Notification.objects.create(user=scene.owner, kind="test", message="Hello")


@factory("shift")
def _shift(scene: Scene):
    """An open watering shift tomorrow; the owner signed up, nobody else."""
    from garden.shifts.models import Shift, Signup

    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=1)
    shift = Shift.objects.create(
        garden=scene.garden,
        title="Watering",
        min_volunteers=1,
        max_volunteers=3,
        start=start,
        end=start + timezone.timedelta(hours=2),
    )
    Signup.objects.create(shift=shift, user=scene.owner)
    return shift


@factory("schedule")
def _schedule(scene: Scene):
    import datetime

    from garden.shifts.models import Schedule

    return Schedule.objects.create(
        garden=scene.garden,
        title="Watering",
        weekdays="0",
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        starts_on=timezone.localdate(),
    )


@factory("skill")
def _skill(scene: Scene):
    from garden.shifts.models import Skill

    return Skill.objects.create(garden=scene.garden, name="Pump")


@factory("task")
def _task(scene: Scene):
    from garden.shifts.models import Task

    task = Task.objects.create(
        garden=scene.garden, title="Turn the compost", created_by=scene.owner
    )
    task.volunteers.add(scene.owner)
    return task


@factory("feed")
def _feed(scene: Scene):
    from garden.shifts.models import CalendarFeed

    return CalendarFeed.objects.create(user=scene.owner)


@factory("token")
def _token(scene: Scene):
    token, _secret = ApiToken.objects.create_token(scene.owner, "owner's script")
    return token


@factory("plot")
def _plot(scene: Scene):
    from decimal import Decimal

    from garden.plots.models import Plot

    return Plot.objects.create(label="A1", area_m2=Decimal("20"))


@factory("peer")
def _peer(scene: Scene):
    """A garden that asked to peer with us and waits for our answer."""
    from federation.models import Peer

    return Peer.objects.create(
        actor_url="https://nachbar.example/actor",
        name="Nachbargarten",
        inbox_url="https://nachbar.example/inbox",
        state=Peer.State.PENDING,
        follow_id="https://nachbar.example/activities/follow-1",
    )


@factory("suggestion")
def _suggestion(scene: Scene):
    """A garden our peers list near us (on loopback: reaching it is refused, not tried)."""
    from federation.models import Suggestion

    return Suggestion.objects.create(
        actor_url="http://127.0.0.1:9/actor", name="Vorschlag", latitude=52.5, longitude=13.4
    )


@factory("failed_delivery")
def _failed_delivery(scene: Scene):
    from federation.models import Delivery, OutboxActivity

    peer = scene.get("peer")
    activity = OutboxActivity.objects.create(
        activity_id="http://127.0.0.1:8000/activities/00000000-0000-4000-8000-000000000001",
        activity_type="Note",
        activity={"type": "Create"},
    )
    return Delivery.objects.create(
        activity=activity,
        peer=peer,
        inbox_url=peer.inbox_url,
        state=Delivery.State.FAILED,
        next_attempt_at=timezone.now(),
    )


@factory("public_activity")
def _public_activity(scene: Scene):
    import uuid

    from django.conf import settings

    from federation.models import OutboxActivity

    key = uuid.uuid4()
    OutboxActivity.objects.create(
        activity_id=f"{settings.ALLMENDE_URL}/activities/{key}",
        activity_type="Create",
        activity={"type": "Create", "id": f"{settings.ALLMENDE_URL}/activities/{key}"},
        public=True,
    )
    return key


@factory("harvest")
def _harvest(scene: Scene):
    from decimal import Decimal

    from garden.harvests.models import Crop, HarvestLog

    crop = Crop.objects.create(garden=scene.garden, name="Zucchini", created_by=scene.owner)
    return HarvestLog.objects.create(
        garden=scene.garden,
        crop=crop,
        harvested_by=scene.owner,
        date=timezone.localdate(),
        quantity=Decimal("2"),
        unit="kg",
        grams=2000,
    )


def _soon(hours: int):
    return timezone.now().replace(microsecond=0) + timezone.timedelta(hours=hours)


@factory("offer")
def _offer(scene: Scene):
    """The owner's open offer of 5 kg, for the garden only."""
    from decimal import Decimal

    from garden.sharing import services

    return services.create_offer(
        scene.owner,
        crop="Zucchini",
        quantity=Decimal("5"),
        unit="kg",
        pickup_from=_soon(1),
        pickup_until=_soon(25),
        pickup_place="Crate by the shed",
        expires_at=_soon(49),
        audience="garden",
    )


@factory("claim")
def _claim(scene: Scene):
    """A confirmed claim on the owner's offer by another member (neither caller)."""
    from decimal import Decimal

    from garden.sharing import services

    claimant = make_user("kim", scene.garden, Membership.Role.MEMBER)
    return services.claim_offer(claimant, scene.get("offer"), Decimal("1"))


@factory("tool")
def _tool(scene: Scene):
    from garden.sharing.models import Tool

    return Tool.objects.create(name="Wheelbarrow", description="Green.")


def _loan(scene: Scene, status: str, days: int):
    from garden.sharing.models import Loan

    start = timezone.localdate() + timezone.timedelta(days=days)
    return Loan.objects.create(
        tool=scene.get("tool"),
        borrower=scene.owner,
        start_date=start,
        end_date=start + timezone.timedelta(days=2),
        status=status,
    )


@factory("loan")
def _requested_loan(scene: Scene):
    """The owner asked to borrow the tool; nobody decided yet."""
    from datetime import timedelta

    from garden.sharing import services

    start = services.garden_today() + timedelta(days=1)
    return services.request_loan(
        scene.owner, scene.get("tool"), start_date=start, end_date=start + timedelta(days=2)
    )


@factory("approved_loan")
def _approved_loan(scene: Scene):
    return _loan(scene, "approved", 5)


@factory("lent_loan")
def _lent_loan(scene: Scene):
    return _loan(scene, "lent", 0)


@factory("proposal")
def _proposal(scene: Scene):
    """The owner's yes/no proposal, open for a day."""
    from garden.decisions import services

    return services.create_proposal(
        scene.owner,
        title="A new pump",
        text="The old one leaks.",
        method="majority",
        deadline=_soon(24),
    )


@factory("message")
def _message(scene: Scene):
    """The owner's message in the plot's thread."""
    from garden.conversations import services

    return services.post("plot", scene.get("plot").pk, scene.owner, "Who has the key?")


@factory("follower")
def _follower(scene: Scene):
    """A person on a Mastodon server who asked to follow the garden, not yet accepted."""
    from federation.models import Follower

    return Follower.objects.create(
        actor_url="https://social.example/users/ada",
        name="Ada",
        handle="ada@social.example",
        server="social.example",
        inbox_url="https://social.example/users/ada/inbox",
        delivery_inbox="https://social.example/inbox",
        follow_id="https://social.example/follows/1",
        state=Follower.State.PENDING,
    )


@factory("blocked_server")
def _blocked_server(scene: Scene):
    from federation.models import BlockedServer

    return BlockedServer.objects.create(host="spam.example")


@factory("public_announcement")
def _public_announcement(scene: Scene):
    from garden.members import services

    coordinator = scene.users["coordinator"]
    return services.post_announcement(
        author=coordinator, title="Fest", body="Am Samstag.", public=True
    )


@factory("reply")
def _reply(scene: Scene):
    """A reply from the fediverse under the public announcement."""
    from garden.posts.models import Reply

    return Reply.objects.create(
        post=scene.get("public_announcement").public_post,
        remote_id="https://social.example/users/ada/statuses/1",
        actor_url="https://social.example/users/ada",
        author_name="Ada",
        author_handle="ada@social.example",
        content="Wir kommen!",
    )
