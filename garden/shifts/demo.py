"""Demo data: two daily watering schedules for two weeks, a key-holder skill, tasks, hours."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import HoursEntry, Schedule, Shift, Signup, Skill, SkillGrant, Task


def _schedule(garden, title: str, start: dt.time, end: dt.time, **shape) -> Schedule:
    schedule, _created = Schedule.objects.get_or_create(
        garden=garden,
        title=title,
        start_time=start,
        defaults={
            "end_time": end,
            "weekdays": "0123456",
            "starts_on": timezone.localdate(timezone=garden.tz),
            **shape,
        },
    )
    return schedule


def seed(garden, users: dict) -> None:
    settings = services.settings_for()
    settings.weeks_ahead = 2
    settings.required_hours = Decimal("12")
    settings.save()

    key_holder, _created = Skill.objects.get_or_create(
        garden=garden, name="Key holder", defaults={"description": "Has a key to the shed."}
    )
    for name in ("coordinator", "member1", "member3"):
        SkillGrant.objects.get_or_create(skill=key_holder, user=users[name])

    morning = _schedule(
        garden,
        "Morning watering",
        dt.time(7),
        dt.time(8),
        description="Beds 1–12 and the greenhouse. The key is with the key holder.",
        min_volunteers=1,
        max_volunteers=2,
        required_skill=key_holder,
    )
    evening = _schedule(
        garden,
        "Evening watering",
        dt.time(19),
        dt.time(20),
        description="Beds 13–24 and the herb spiral. Fill the tank afterwards.",
        min_volunteers=2,
        max_volunteers=3,
    )
    services.materialise(garden)

    # A pattern, not chance, so a second run adds nothing: some full, some short.
    people = [users[f"member{n}"] for n in range(1, 6)]
    for index, shift in enumerate(Shift.objects.filter(schedule=morning)[:14]):
        if index % 3 == 0:
            team = [users["member1"], people[(index + 1) % 5]]  # full: 2/2 with a key holder
        elif index % 3 == 1:
            team = [users["member3"]]  # 1/2, covered
        else:
            team = []  # short
        for person in team:
            Signup.objects.get_or_create(shift=shift, user=person)
    for index, shift in enumerate(Shift.objects.filter(schedule=evening)[:14]):
        team = people[index % 5 : index % 5 + (1 if index % 2 else 2)]
        for person in team:
            Signup.objects.get_or_create(shift=shift, user=person)

    today = timezone.localdate(timezone=garden.tz)
    tasks = [
        ("Turn the compost", "Both bays; the fork is in the shed.", today + dt.timedelta(days=5)),
        ("Fix the fence by the gate", "Two posts are loose.", today - dt.timedelta(days=3)),
        ("Clear the paths of weeds", "", today + dt.timedelta(days=12)),
        ("Clean the rain barrels", "", today - dt.timedelta(days=10)),
    ]
    for title, description, due in tasks:
        Task.objects.get_or_create(
            garden=garden,
            title=title,
            defaults={
                "description": description,
                "due_date": due,
                "where": "Compost corner" if "compost" in title else "",
                "hours": Decimal("2"),
                "created_by": users["coordinator"],
            },
        )
    compost = Task.objects.get(garden=garden, title="Turn the compost")
    compost.volunteers.add(users["member2"])
    barrels = Task.objects.get(garden=garden, title="Clean the rain barrels")
    if barrels.status == Task.Status.OPEN:
        barrels.volunteers.add(users["member1"], users["member4"])
        services.complete_task(barrels.pk, users["member1"], "All three barrels scrubbed.")

    for name, hours in (("member1", "6"), ("member2", "3.5"), ("member5", "11")):
        HoursEntry.objects.get_or_create(
            user=users[name],
            reason="Spring clean-up day",
            defaults={
                "hours": Decimal(hours),
                "date": today,
                "source": HoursEntry.Source.MANUAL,
                "created_by": users["coordinator"],
            },
        )
