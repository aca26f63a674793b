"""Demo plots: 24 on a 6 × 4 grid, nearly all taken, one pending, one out of use,
two members waiting, fees partly paid. Running it again changes nothing."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from garden.members.models import Membership

from . import services
from .models import Fee, Plot, PlotEvent, PlotPolicy, Tenancy

ROWS, COLUMNS = "ABCD", 6
OUT_OF_USE, PENDING = "D6", "D5"


def _neighbour(number: int, garden) -> User:
    user, created = User.objects.get_or_create(
        username=f"gardener{number}", defaults={"email": f"gardener{number}@example.org"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.profile.display_name = f"Gardener {number}"
        user.profile.save()
    Membership.objects.get_or_create(
        user=user, defaults={"garden": garden, "status": Membership.Status.ACTIVE}
    )
    return user


def seed(garden, users: dict) -> None:
    if Plot.objects.exists():
        return
    policy = PlotPolicy.current()
    policy.fee = Decimal("25.00")
    policy.season_end = datetime.date(timezone.localdate().year, 12, 31)
    policy.approval_required = False
    policy.save()

    plots = []
    for row, letter in enumerate(ROWS):
        for column in range(COLUMNS):
            plots.append(
                Plot.objects.create(
                    label=f"{letter}{column + 1}",
                    area_m2=Decimal("20") if row < 2 else Decimal("15"),
                    x=1 + column * 6,
                    y=1 + row * 6 if row < 2 else 13 + (row - 2) * 5,
                    width=5,
                    height=5 if row < 2 else 4,
                    description="Sunny, near the water tap." if row == 0 else "",
                )
            )
    coordinator = users["coordinator"]
    services.set_out_of_use(
        Plot.objects.get(label=OUT_OF_USE).pk, True, by=coordinator, reason="Soil being restored"
    )
    holders = [users["coordinator"], users["member1"], users["member2"], users["member3"]]
    holders += [_neighbour(n, garden) for n in range(6, 6 + 24 - 2 - len(holders) + 1)]
    pending_holder = holders.pop()
    free = [p for p in plots if p.label not in (OUT_OF_USE, PENDING)]
    for plot, holder in zip(free, holders, strict=True):
        services.claim(holder, plot.pk)

    pending_plot = Plot.objects.get(label=PENDING)
    Tenancy.objects.create(plot=pending_plot, user=pending_holder, status=Tenancy.Status.PENDING)
    pending_plot.status = Plot.Status.PENDING
    pending_plot.save(update_fields=["status"])
    services.record(
        PlotEvent.Action.CLAIM, plot=pending_plot, subject=pending_holder, actor=pending_holder
    )
    policy.approval_required = True
    policy.save(update_fields=["approval_required"])

    services.join_waitlist(users["member4"])
    services.join_waitlist(users["member5"])

    for fee in Fee.objects.order_by("pk")[::2]:
        services.mark_fee_paid(fee.pk, Fee.Method.TRANSFER, by=coordinator)
