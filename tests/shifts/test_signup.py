import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from garden.core.errors import RuleError
from garden.members.models import Notification
from garden.shifts import services
from garden.shifts.models import HoursEntry, Shift, Signup
from tests.conftest import make_user

from .conftest import grant


def refused(call, status: int) -> str:
    with pytest.raises(RuleError) as error:
        call()
    assert error.value.status == status
    return error.value.message


def test_member_signs_up(shift, member):
    services.sign_up(shift.pk, member)
    assert list(shift.signups.values_list("user", flat=True)) == [member.pk]


def test_full_shift_refuses_with_409(make_shift, member, other_member, coordinator):
    shift = make_shift(max_volunteers=2)
    services.sign_up(shift.pk, member)
    services.sign_up(shift.pk, other_member)
    assert "full" in refused(lambda: services.sign_up(shift.pk, coordinator), 409)
    assert shift.signups.count() == 2


def test_signing_up_twice_is_refused(shift, member):
    services.sign_up(shift.pk, member)
    refused(lambda: services.sign_up(shift.pk, member), 409)
    assert shift.signups.count() == 1


def test_non_member_and_pending_member_cannot_sign_up(garden, shift, outsider):
    pending = make_user("pia", garden, "member", status="pending")
    refused(lambda: services.sign_up(shift.pk, outsider), 403)
    refused(lambda: services.sign_up(shift.pk, pending), 403)
    assert not shift.signups.exists()


def test_unknown_shift_is_404(member, garden):
    refused(lambda: services.sign_up(999999, member), 404)


def test_overlapping_shifts_are_refused(make_shift, member):
    first = make_shift(hours_from_now=72, length=2)
    overlapping = make_shift(hours_from_now=73, length=2)
    after = make_shift(hours_from_now=74, length=1)  # starts when the first ends
    services.sign_up(first.pk, member)
    assert "already on a shift" in refused(lambda: services.sign_up(overlapping.pk, member), 409)
    services.sign_up(after.pk, member)
    assert Signup.objects.filter(user=member).count() == 2


def test_a_cancelled_shift_does_not_block_another(make_shift, member, coordinator):
    first = make_shift(hours_from_now=72)
    services.sign_up(first.pk, member)
    services.cancel_shift(first.pk, by=coordinator)
    second = make_shift(hours_from_now=72)
    services.sign_up(second.pk, member)


def test_started_or_cancelled_shift_refuses_sign_up(make_shift, member, coordinator):
    started = make_shift(hours_from_now=-0.5)
    cancelled = make_shift(hours_from_now=10)
    services.cancel_shift(cancelled.pk, by=coordinator)
    refused(lambda: services.sign_up(started.pk, member), 409)
    refused(lambda: services.sign_up(cancelled.pk, member), 409)
    assert not Signup.objects.exists()


def test_last_place_is_kept_for_a_skilled_volunteer(
    make_shift, key_holder, member, other_member, coordinator
):
    shift = make_shift(max_volunteers=2, required_skill=key_holder)
    services.sign_up(shift.pk, member)
    message = refused(lambda: services.sign_up(shift.pk, other_member), 409)
    assert "Key holder" in message
    grant(key_holder, coordinator)
    services.sign_up(shift.pk, coordinator)
    assert shift.signups.count() == 2


def test_once_a_skilled_volunteer_is_on_anyone_may_take_the_last_place(
    make_shift, key_holder, member, other_member
):
    shift = make_shift(max_volunteers=2, required_skill=key_holder)
    grant(key_holder, member)
    services.sign_up(shift.pk, member)
    services.sign_up(shift.pk, other_member)
    assert shift.signups.count() == 2


def test_withdraw_before_cutoff(make_shift, member, garden):
    shift = make_shift(hours_from_now=13)
    services.sign_up(shift.pk, member)
    services.withdraw(shift.pk, member)
    assert not shift.signups.exists()


def test_withdraw_after_cutoff_is_refused(make_shift, member, garden):
    settings = services.settings_for()
    settings.withdraw_cutoff_hours = 24
    settings.save()
    shift = make_shift(hours_from_now=20)
    services.sign_up(shift.pk, member)
    assert "24" in refused(lambda: services.withdraw(shift.pk, member), 409)
    assert shift.signups.count() == 1


def test_withdraw_without_signup_is_refused(shift, member):
    refused(lambda: services.withdraw(shift.pk, member), 409)


def test_check_off_credits_hours_once_with_note(make_shift, member):
    shift = make_shift(hours_from_now=30)
    services.sign_up(shift.pk, member)
    Shift.objects.filter(pk=shift.pk).update(start=timezone.now() - dt.timedelta(hours=1))
    services.check_off(shift.pk, member, "tank empty")
    signup = shift.signups.get()
    assert signup.done_at is not None and signup.note == "tank empty"
    assert HoursEntry.objects.get(user=member).hours == Decimal("1.5")
    refused(lambda: services.check_off(shift.pk, member), 409)
    assert HoursEntry.objects.filter(user=member).count() == 1


def test_check_off_before_start_or_by_stranger_is_refused(shift, member, other_member):
    services.sign_up(shift.pk, member)
    refused(lambda: services.check_off(shift.pk, member), 409)
    refused(lambda: services.check_off(shift.pk, other_member), 403)
    assert not HoursEntry.objects.exists()


def test_cancelling_tells_the_volunteers(shift, member, other_member, coordinator):
    services.sign_up(shift.pk, member)
    services.cancel_shift(shift.pk, by=coordinator, reason="Rain all day.")
    shift.refresh_from_db()
    assert shift.is_cancelled
    note = Notification.objects.get(user=member, kind="shift_cancelled")
    assert "Rain all day." in note.message
    assert not Notification.objects.filter(user=other_member).exists()
    refused(lambda: services.cancel_shift(shift.pk, by=coordinator), 409)


def test_only_coordinators_cancel(shift, member):
    refused(lambda: services.cancel_shift(shift.pk, by=member), 403)
    shift.refresh_from_db()
    assert not shift.is_cancelled


def test_one_off_shift_must_end_after_start(garden, coordinator, member):
    start = timezone.now() + dt.timedelta(days=1)
    refused(lambda: services.create_one_off(garden, by=coordinator, start=start, end=start), 400)
    refused(
        lambda: services.create_one_off(
            garden, by=member, start=start, end=start + dt.timedelta(hours=1)
        ),
        403,
    )
    assert not Shift.objects.exists()


def test_missed_shifts_are_past_shifts_nobody_marked_done(make_shift, member, garden):
    missed = make_shift(hours_from_now=-5)
    Signup.objects.create(shift=missed, user=member)
    done = make_shift(hours_from_now=-10)
    Signup.objects.create(shift=done, user=member, done_at=timezone.now())
    make_shift(hours_from_now=5)
    assert list(services.missed_shifts(garden)) == [missed]
