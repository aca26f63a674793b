import datetime as dt

import pytest
from django.utils import timezone

from garden.decisions import services
from garden.decisions.models import Proposal
from garden.members.models import Membership
from tests.conftest import make_user


def make_proposal(author, method="majority", options=None, quorum=None, **kwargs) -> Proposal:
    return services.create_proposal(
        author,
        title=kwargs.pop("title", "A new pump"),
        text=kwargs.pop("text", "The old one leaks."),
        method=method,
        deadline=timezone.now() + dt.timedelta(days=1),
        options=options,
        quorum_percent=quorum,
    )


def past_deadline(proposal: Proposal) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(
        deadline=timezone.now() - dt.timedelta(seconds=1)
    )
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def voters(garden):
    return [make_user(f"voter{n}", garden, Membership.Role.MEMBER) for n in range(5)]
