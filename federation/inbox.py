"""The shared inbox: verify, deduplicate, dispatch, and answer with the right status.

Order of checks (cheap first, nothing stored until the sender is authenticated and a handler
agreed): size (413) → JSON activity (400) → proof and/or HTTP signature, checked by
``authentication.authenticate`` (401) → blocked sender (403) → seen id (202, not applied
again) → handler in one transaction.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from . import followers, peers
from .actors import remember_actor
from .authentication import SignedRequest, authenticate
from .errors import ActivityRejected, FederationError
from .models import InboxActivity, Peer
from .registry import handler_for

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
PEERING_ANSWERS = {"Accept", "Reject", "Undo"}


@dataclass
class Outcome:
    status: int
    detail: str


def _actor_of(activity: dict) -> str | None:
    actor = activity.get("actor")
    if isinstance(actor, dict):
        actor = actor.get("id")
    return actor if isinstance(actor, str) else None


def check_shape(activity) -> str:
    """An activity is a JSON object with a type, an id and an actor URL; returns the actor."""
    if not isinstance(activity, dict):
        raise FederationError("The body is not a JSON object.", 400)
    actor = _actor_of(activity)
    if not isinstance(activity.get("type"), str) or not isinstance(activity.get("id"), str):
        raise FederationError("An activity needs a type and an id.", 400)
    if not actor or not actor.startswith(("https://", "http://")):
        raise FederationError("An activity needs an actor URL.", 400)
    if len(activity["id"]) > 500 or len(actor) > 500:
        raise FederationError("The activity's id or actor is too long.", 400)
    return actor


def _inner_type(activity: dict) -> str | None:
    obj = activity.get("object")
    return obj.get("type") if isinstance(obj, dict) else None


def _refers_to_follow(activity: dict, peer: Peer | None) -> bool:
    obj = activity.get("object")
    reference = obj.get("id") if isinstance(obj, dict) else obj
    return (
        peer is not None
        and bool(peer.follow_id)
        and (reference == peer.follow_id or _inner_type(activity) == "Follow")
    )


def apply(activity: dict, actor: str, document: dict, fresh: bool, peer: Peer | None) -> Outcome:
    """Record and apply a verified activity in one transaction: the record commits only
    with the handler's changes, so a stored id always means the activity was applied."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxActivity.objects.create(
                    activity_id=activity["id"],
                    activity_type=activity["type"][:40],
                    actor_url=actor,
                    handled=True,
                )
        except IntegrityError:
            return Outcome(202, "Already received.")
        if fresh:
            remember_actor(document)
        kind = activity["type"]
        if kind == "Follow" and followers.is_garden(document):
            peers.received_follow(activity, document)
        elif kind == "Follow":  # a person (or any other actor) follows; never a peer
            followers.received_follow(activity, document)
        elif kind in PEERING_ANSWERS and _refers_to_follow(activity, peer):
            peers.received_answer(activity, peer)
        elif kind == "Undo" and followers.received_undo(activity, actor):
            pass
        elif (
            kind == "Update"
            and isinstance(activity.get("object"), dict)
            and (activity["object"].get("id") == actor)
        ):
            if peer is not None:
                peers.update_from_document(peer, {**document, **_actor_fields(activity)}).save()
        else:
            peered = peer is not None and peer.state == Peer.State.ACCEPTED
            handler = handler_for(activity)
            for_anyone = handler_for(activity, from_anyone=True)
            if handler is not None and peered:
                handler(activity, peer)
            elif for_anyone is not None:
                for_anyone(activity, peer if peered else None)
            elif handler is not None:
                raise ActivityRejected("Only peered gardens may send this.", status=403)
            else:
                transaction.set_rollback(True)
                return Outcome(202, "Activity type not handled here; ignored.")
    return Outcome(202, "Accepted.")


def _actor_fields(activity: dict) -> dict:
    """An actor's Update of itself may change how it is shown, never its id or inbox origin."""
    obj = activity["object"]
    return {
        key: obj[key] for key in ("name", "summary", "location", "preferredUsername") if key in obj
    }


def receive(body: bytes, request: SignedRequest | None = None) -> Outcome:
    """Process one POSTed body (and the request's signature headers); never raises."""
    import json

    try:
        try:
            activity = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FederationError("The body is not JSON.", 400) from exc
        actor = check_shape(activity)
        sender = authenticate(activity, actor, body, request)
        peer = Peer.objects.filter(actor_url=actor).first()
        if (peer is not None and peer.state == Peer.State.BLOCKED) or followers.is_blocked(actor):
            raise FederationError("This garden does not accept your messages.", 403)
        return apply(activity, actor, sender.document, sender.fresh, peer)
    except FederationError as exc:
        return Outcome(exc.status, exc.message)
    except (OperationalError, InterfaceError):
        # The database is unreachable: the site answers 503 and the sender tries again
        # later. A 400 would tell it to give up, and the activity would be lost.
        raise
    except Exception:  # a bug or a bad handler must not become a 500 nor half-stored data
        log.exception("inbox could not process an activity")
        return Outcome(400, "The activity could not be processed.")
