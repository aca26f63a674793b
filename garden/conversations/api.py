"""Thread messages over /api/v1 (see docs/decisions.md)."""

import datetime as dt

from ninja import Field, Path, Router, Schema, Status

from garden.core.paging import VersionedLists
from garden.core.schemas import MAX_ID, Input, choices_of, of
from garden.members import services as members
from garden.members.permissions import api_member

from . import services
from .models import Message, Thread

router = Router(tags=["conversations"])
lists = VersionedLists(tags=["conversations"])

KindName = choices_of(Thread, "kind")
ObjectId = Path(..., ge=1, le=MAX_ID)


class Detail(Schema):
    detail: str


ERRORS = {403: Detail, 404: Detail, 409: Detail}


# Schema names carry the area: the API's schema has one namespace (docs/api.md).
class ThreadMessageIn(Input):
    body: of(Message, "body")


class ThreadMessageOut(Schema):
    id: int
    author: str | None = Field(description="display name; null for a deleted account")
    mine: bool
    body: str = Field(description="plain text; empty when hidden")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    hidden: bool
    hidden_reason: str


def message_out(message: Message, user) -> dict:
    return {
        "id": message.pk,
        "author": members.display_name(message.author) if message.author else None,
        "mine": message.author_id == user.pk,
        "body": "" if message.hidden else message.body,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "hidden": message.hidden,
        "hidden_reason": message.hidden_reason,
    }


class PagedMessages:
    def __init__(self, messages, user) -> None:
        self.messages, self.user = messages, user

    def __len__(self) -> int:
        return self.messages.count()

    def __getitem__(self, page: slice) -> list[dict]:
        return [message_out(m, self.user) for m in self.messages[page]]


@lists.get(
    "/threads/{kind}/{object_id}/messages",
    ThreadMessageOut,
    errors=ERRORS,
    summary="A thread's messages (members)",
    paged_in_v1=True,
)
def list_messages(request, kind: KindName, object_id: int = ObjectId):
    """The messages under a proposal, plot, shift, task, offer or tool, oldest first."""
    user = api_member(request)
    services.subject_of(kind, object_id)
    found = services.find_thread(kind, object_id)
    messages = found.messages.select_related("author__profile") if found else Message.objects.none()
    return PagedMessages(messages, user)


@router.post(
    "/threads/{kind}/{object_id}/messages",
    response={201: ThreadMessageOut, **ERRORS},
    summary="Write a message (members)",
)
def post_message(request, kind: KindName, payload: ThreadMessageIn, object_id: int = ObjectId):
    """Plain text; @username tells that member. Posting follows the thread."""
    user = api_member(request)
    message = services.post(kind, object_id, user, payload.body)
    return Status(201, message_out(message, user))
