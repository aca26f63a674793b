import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from garden.shifts.models import Shift, Skill, SkillGrant


@pytest.fixture
def make_shift(garden):
    """make_shift(hours_from_now=…, length=1, **fields) → an open shift."""

    def make(hours_from_now: float = 72, length: float = 1, **fields) -> Shift:
        start = timezone.now() + dt.timedelta(hours=hours_from_now)
        fields.setdefault("min_volunteers", 1)
        fields.setdefault("max_volunteers", 2)
        fields.setdefault("hours", Decimal("1.5"))
        return Shift.objects.create(
            garden=garden,
            title="Watering",
            start=start,
            end=start + dt.timedelta(hours=length),
            **fields,
        )

    return make


@pytest.fixture
def shift(make_shift) -> Shift:
    return make_shift()


@pytest.fixture
def key_holder(garden) -> Skill:
    return Skill.objects.create(garden=garden, name="Key holder")


def grant(skill: Skill, user) -> None:
    SkillGrant.objects.create(skill=skill, user=user)
