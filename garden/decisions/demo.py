"""Demo data: an open score vote with a conversation, and one decided consent proposal."""

import datetime as dt

from django.utils import timezone

from . import services
from .counting import Ballot
from .models import Proposal

OPEN_TITLE = "Which pump for the rain barrels?"
DECIDED_TITLE = "Compost: no cooked food"


def seed(garden, users) -> None:
    if Proposal.objects.filter(title__in=[OPEN_TITLE, DECIDED_TITLE]).exists():
        return
    from garden.conversations import services as conversations

    week = timezone.now() + dt.timedelta(days=7)
    pump = services.create_proposal(
        users["member1"],
        title=OPEN_TITLE,
        text="The hand pump is cheap, the electric one needs the solar panel.",
        method="score",
        deadline=week,
        options=["Hand pump", "Electric pump", "No pump"],
        quorum_percent=30,
    )
    hand, electric, none = pump.options.values_list("pk", flat=True)
    services.cast_vote(pump.pk, users["member2"], Ballot(scores={hand: 2, electric: 1, none: -2}))
    conversations.post(
        "proposal", pump.pk, users["member2"], "The hand pump worked well at the Lindenhof."
    )

    compost = services.create_proposal(
        users["coordinator"],
        title=DECIDED_TITLE,
        text="Only raw vegetable scraps go on the compost; cooked food draws rats.",
        method="consent",
        deadline=week,
    )
    for name in ("member1", "member3", "member4"):
        services.cast_vote(compost.pk, users[name], Ballot())
    Proposal.objects.filter(pk=compost.pk).update(deadline=timezone.now())
    services.close(compost.pk)
