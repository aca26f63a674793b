"""The home page: for members, what is theirs and what is needed; for others, the front door."""

from django.shortcuts import render
from django.utils import timezone

from garden.members import services as members
from garden.members import views as front_door

from . import cards


def home(request):
    if not members.is_member(request.user):
        return front_door.home(request)
    garden = members.get_garden()
    now = timezone.now()
    # A live refresh of the open page is not a new visit: what was new stays new.
    real_visit = request.headers.get("X-Requested-With") != "allmende-live"
    since = cards.remember_visit(request.user, now, real_visit=real_visit)
    member_cards = cards.member_cards(garden, request.user, since=since, now=now)
    context = {
        "cards": member_cards,
        "keep_offline": cards.offline_pages(member_cards),
        "coordinator_cards": (
            cards.coordinator_cards(garden, now) if members.is_coordinator(request.user) else []
        ),
        "tz": garden.timezone,
    }
    return render(request, "home/home.html", context)
