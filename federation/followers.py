"""Followers: people (and any actor that is not a garden) who follow our public posts.

A ``Follow`` from a garden asks to peer (peers.py); from anyone else it makes a follower,
never a peer. The garden answers with ``Accept`` (automatically, or when a coordinator
accepts) or ``Reject``; ``Undo{Follow}`` ends it. Public posts go to followers once per
server, through the shared inbox where the actor names one.
"""

from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import signals
from .actors import actor_id, origin, plain_text, verification_keys
from .errors import FederationError
from .models import BlockedServer, Delivery, FederationSettings, Follower
from .outbox import publish


class FollowerError(FederationError):
    """A step on a follower that is not possible now; the message says why."""


def is_garden(document: dict) -> bool:
    """Allmende gardens are Organizations that sign with an Ed25519 Multikey (FEP-521a);
    every other actor (a Person on Mastodon, a Group, a bot) can only follow."""
    return document.get("type") == "Organization" and bool(verification_keys(document))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_blocked(actor_url: str) -> bool:
    """Blocked as a follower, or its whole server blocked (checked before any key is fetched)."""
    host = host_of(actor_url)
    return (
        BlockedServer.objects.filter(host=host).exists()
        or Follower.objects.filter(actor_url=actor_url, state=Follower.State.BLOCKED).exists()
    )


def _delivery_inbox(document: dict) -> str:
    """The server's shared inbox if the actor names one on its own server, else its inbox."""
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if isinstance(shared, str) and len(shared) <= 500 and origin(shared) == origin(document["id"]):
        return shared
    return document["inbox"]


def _from_document(follower: Follower, document: dict) -> Follower:
    if len(document["inbox"]) > 500 or len(document["id"]) > 500:
        raise FollowerError("The actor's addresses are too long.", status=422)
    follower.name = plain_text(document.get("name"), 200)
    follower.server = host_of(document["id"])[:253]
    username = plain_text(document.get("preferredUsername"), 100)
    follower.handle = f"{username}@{follower.server}"[:300] if username else ""
    follower.inbox_url = document["inbox"]
    follower.delivery_inbox = _delivery_inbox(document)
    return follower


def _follow_object(follower: Follower) -> dict:
    return {
        "id": follower.follow_id,
        "type": "Follow",
        "actor": follower.actor_url,
        "object": actor_id(),
    }


def _answer(follower: Follower, kind: str) -> None:
    """Accept or Reject the follower's Follow, sent to its own inbox."""
    publish(
        {"type": kind, "object": _follow_object(follower), "to": [follower.actor_url]},
        to=[],
        public=False,
        inboxes=[follower.inbox_url],
    )


def follows_us(activity: dict) -> bool:
    """Whether a Follow names this garden's actor (a person may follow only us)."""
    target = activity.get("object")
    return (target.get("id") if isinstance(target, dict) else target) == actor_id()


def received_follow(activity: dict, document: dict) -> Follower:
    """Someone who is not a garden follows us (inside the inbox transaction)."""
    if not follows_us(activity):
        raise FollowerError("Only this garden's actor can be followed here.", status=422)
    follower = Follower.objects.select_for_update().filter(actor_url=document["id"]).first()
    follower = _from_document(follower or Follower(actor_url=document["id"]), document)
    follower.follow_id = activity["id"]
    if follower.state == Follower.State.ACCEPTED or FederationSettings.current().accept_followers:
        follower.state = Follower.State.ACCEPTED
        follower.save()
        _answer(follower, "Accept")
        return follower
    follower.state = Follower.State.PENDING
    follower.save()
    signals.follow_requested.send(Follower, follower=follower)
    return follower


def _following(actor: str) -> QuerySet[Follower]:
    return Follower.objects.filter(actor_url=actor).exclude(state=Follower.State.BLOCKED)


def names_a_follow(activity: dict, actor: str) -> bool:
    """Whether an ``Undo`` takes back a Follow: it embeds one, or names a follower's."""
    obj = activity.get("object")
    if isinstance(obj, dict):
        return obj.get("type") == "Follow"
    return isinstance(obj, str) and _following(actor).filter(follow_id=obj).exists()


def received_undo(activity: dict, actor: str) -> bool:
    """``Undo{Follow}``: the actor stops following; True if it was a follower."""
    if not names_a_follow(activity, actor):
        return False
    return _following(actor).delete()[0] > 0


def forget(actor: str) -> None:
    """The actor's account is gone: it follows no more (a block stays)."""
    Follower.objects.filter(actor_url=actor).exclude(state=Follower.State.BLOCKED).delete()


def _locked(follower: Follower) -> Follower:
    return Follower.objects.select_for_update().get(pk=follower.pk)


@transaction.atomic
def accept(follower: Follower) -> Follower:
    follower = _locked(follower)
    if follower.state != Follower.State.PENDING:
        raise FollowerError(_("There is no open request from this follower."), status=409)
    follower.state = Follower.State.ACCEPTED
    follower.save(update_fields=["state", "updated_at"])
    _answer(follower, "Accept")
    return follower


@transaction.atomic
def remove(follower: Follower) -> None:
    """Reject (or end) a follow: the follower's server drops us from its list."""
    follower = _locked(follower)
    if follower.state == Follower.State.BLOCKED:
        raise FollowerError(_("This follower is blocked; unblock it instead."), status=409)
    _answer(follower, "Reject")
    follower.delete()


def _stop_deliveries(inboxes: set[str]) -> None:
    """Queued public posts to inboxes no follower still reads are not sent."""
    still_read = set(
        accepted().filter(delivery_inbox__in=inboxes).values_list("delivery_inbox", flat=True)
    )
    Delivery.objects.filter(
        peer__isnull=True,
        inbox_url__in=inboxes - still_read,
        state__in=[Delivery.State.QUEUED, Delivery.State.SENDING],
    ).update(state=Delivery.State.FAILED, last_error="blocked")


@transaction.atomic
def block(follower: Follower, *, whole_server: bool = False) -> None:
    """Block the actor (it may neither follow nor reply again) or its whole server."""
    follower = _locked(follower)
    if whole_server:
        BlockedServer.objects.get_or_create(host=follower.server)
        on_server = list(Follower.objects.filter(server=follower.server))
        inboxes = {row.delivery_inbox for row in on_server}
        for row in on_server:
            if row.state == Follower.State.ACCEPTED:
                _answer(row, "Reject")
        Follower.objects.filter(server=follower.server).delete()
        _stop_deliveries(inboxes)
        return
    if follower.state == Follower.State.ACCEPTED:
        _answer(follower, "Reject")
    follower.state = Follower.State.BLOCKED
    follower.save(update_fields=["state", "updated_at"])
    _stop_deliveries({follower.delivery_inbox})


@transaction.atomic
def unblock(follower: Follower) -> None:
    follower = _locked(follower)
    if follower.state != Follower.State.BLOCKED:
        raise FollowerError(_("This follower is not blocked."), status=409)
    follower.delete()


def unblock_server(host: str) -> bool:
    return BlockedServer.objects.filter(host=host.lower()).delete()[0] > 0


def accepted() -> QuerySet[Follower]:
    return Follower.objects.filter(state=Follower.State.ACCEPTED)


def delivery_inboxes() -> list[str]:
    """One inbox per server (its shared inbox) or per follower without one."""
    return list(accepted().order_by().values_list("delivery_inbox", flat=True).distinct())


def publish_to_followers(activity: dict) -> None:
    """A public post: addressed to as:Public, cc our followers collection, delivered to
    every follower's server once (and listed in our outbox)."""
    publish(activity, to=[], public=True, inboxes=delivery_inboxes())
