import icalendar

from garden.shifts.models import CalendarFeed, Signup
from tests.conftest import client_for


def test_member_feed_lists_only_my_shifts(make_shift, member, other_member):
    mine = make_shift(hours_from_now=30)
    theirs = make_shift(hours_from_now=50)
    Signup.objects.create(shift=mine, user=member)
    Signup.objects.create(shift=theirs, user=other_member)
    client_for(member).post("/shifts/calendar/", {"action": "regenerate"})
    token = CalendarFeed.objects.get(user=member).token
    response = client_for(None).get(f"/shifts/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]).startswith(f"shift-{mine.pk}@")
    assert "dtstamp" in event
    assert event.decoded("dtstart") == mine.start.replace(microsecond=0)
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0


def test_regenerating_revokes_the_old_address(member):
    client = client_for(member)
    client.post("/shifts/calendar/", {"action": "regenerate"})
    old = CalendarFeed.objects.get(user=member).token
    client.post("/shifts/calendar/", {"action": "regenerate"})
    new = CalendarFeed.objects.get(user=member).token
    assert old != new
    assert client_for(None).get(f"/shifts/feed/{old}.ics").status_code == 404
    assert client_for(None).get(f"/shifts/feed/{new}.ics").status_code == 200
    assert new in client.get("/shifts/calendar/").content.decode()
    client.post("/shifts/calendar/", {"action": "revoke"})
    assert client_for(None).get(f"/shifts/feed/{new}.ics").status_code == 404


def test_feed_of_a_former_member_stops(member):
    feed = CalendarFeed.objects.create(user=member)
    member.membership.delete()
    assert client_for(None).get(f"/shifts/feed/{feed.token}.ics").status_code == 404


def test_garden_feed_is_public_without_names(make_shift, member):
    shift = make_shift(hours_from_now=30)
    Signup.objects.create(shift=shift, user=member)
    response = client_for(None).get("/shifts/feed/garden.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Mara" not in body and "mara" not in body
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "1/2" in str(event["summary"])


def test_garden_feed_is_built_once_and_again_after_a_change(
    make_shift, member, django_assert_num_queries
):
    shift = make_shift(hours_from_now=30)
    client = client_for(None)

    def summaries() -> list[str]:
        calendar = icalendar.Calendar.from_ical(client.get("/shifts/feed/garden.ics").content)
        return [str(event["summary"]) for event in calendar.walk("VEVENT")]

    assert [s for s in summaries() if "0/2" in s]
    with django_assert_num_queries(1):  # the garden's row; the feed comes from the cache
        client.get("/shifts/feed/garden.ics")
    Signup.objects.create(shift=shift, user=member)  # a sign-up shows at once
    assert [s for s in summaries() if "1/2" in s]
    shift.delete()
    assert summaries() == []
