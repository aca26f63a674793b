"""iCalendar feeds: a member's own shifts (private address) and the garden's (public, no names)."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar, Event

from garden.core.caching import forget

from .models import Shift

FEED_PAST = dt.timedelta(days=30)
# The public feed is built at most this often (calendar apps poll it; ~500 events take
# ~130 ms to serialise), and again as soon as a shift or a sign-up changes.
GARDEN_FEED_SECONDS = 300
GARDEN_FEED_KEY = "shifts:garden-feed"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Allmende//Shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(shift: Shift, stamp: dt.datetime, filled: int | None = None) -> Event:
    event = Event()
    event.add("uid", f"shift-{shift.pk}@{settings.ALLMENDE_HOST}")
    event.add("dtstamp", stamp)
    # Times are written in UTC, which every calendar reads without a VTIMEZONE block.
    event.add("dtstart", shift.start.astimezone(dt.UTC))
    event.add("dtend", shift.end.astimezone(dt.UTC))
    summary = shift.title
    if shift.is_cancelled:
        summary = f"{summary} (cancelled)"
        event.add("status", "CANCELLED")
    elif filled is not None:
        summary = f"{summary} ({filled}/{shift.max_volunteers})"
    event.add("summary", summary)
    if shift.description:
        event.add("description", shift.description)
    if shift.garden.address:
        event.add("location", shift.garden.address)
    event.add("url", f"{settings.ALLMENDE_URL}/shifts/{shift.pk}/")
    return event


def _recent(shifts):
    return shifts.filter(start__gte=timezone.now() - FEED_PAST).select_related("garden")


def member_feed(user, garden_name: str) -> bytes:
    calendar = _calendar(f"{garden_name}: my shifts")
    stamp = timezone.now()
    for shift in _recent(Shift.objects.filter(signups__user=user)):
        calendar.add_component(_event(shift, stamp))
    return calendar.to_ical()


def garden_feed(garden) -> bytes:
    calendar = _calendar(f"{garden.name}: shifts")
    stamp = timezone.now()
    shifts = _recent(Shift.objects.filter(garden=garden)).annotate(filled=Count("signups"))
    for shift in shifts:
        calendar.add_component(_event(shift, stamp, filled=shift.filled))
    return calendar.to_ical()


def cached_garden_feed(garden) -> bytes:
    body = cache.get(GARDEN_FEED_KEY)
    if body is None:
        body = garden_feed(garden)
        cache.set(GARDEN_FEED_KEY, body, GARDEN_FEED_SECONDS)
    return body


def forget_garden_feed(**_signal) -> None:
    """Shifts or sign-ups changed: the next request builds the public feed afresh."""
    forget(GARDEN_FEED_KEY)
