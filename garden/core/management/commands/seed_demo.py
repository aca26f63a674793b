"""Fill the node with a demo garden. Safe to run again: nothing is made twice."""

import importlib

from django.apps import apps
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from garden.members.models import Garden, Membership

DEMO_PASSWORD = "allmende-demo"
DEMO_RULES = (
    "1. Tend your plot at least every two weeks.\n"
    "2. No synthetic pesticides.\n"
    "3. Put tools back clean.\n"
    "4. Everybody helps with watering and common work."
)


def demo_user(username: str, display_name: str, role: str, garden: Garden) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.profile.display_name = display_name
        user.profile.save()
    Membership.objects.get_or_create(
        user=user,
        defaults={
            "garden": garden,
            "role": role,
            "status": Membership.Status.ACTIVE,
            "rules_accepted_at": garden.created_at,
        },
    )
    return user


class Command(BaseCommand):
    help = "Seed a demo garden: a coordinator, five members, and demo data of every app."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", default="", help="garden name (kept if already set)")
        parser.add_argument("--latitude", type=float, default=None)
        parser.add_argument("--longitude", type=float, default=None)

    @transaction.atomic
    def handle(self, *args, name: str, latitude, longitude, **options) -> None:
        garden = Garden.objects.get_current()
        if garden.name == "Allmende" or name:
            garden.name = name or "Gemeinschaftsgarten Lindenhof"
            garden.description = garden.description or (
                "A community garden with 24 plots, a tool shed and a compost corner."
            )
            garden.address = garden.address or "Lindenstraße 12, 10969 Berlin"
            garden.rules = garden.rules or DEMO_RULES
            garden.join_policy = Garden.JoinPolicy.OPEN
        if latitude is not None and longitude is not None:
            garden.latitude, garden.longitude = latitude, longitude
        elif garden.latitude is None:
            garden.latitude, garden.longitude = 52.4990, 13.4180
        garden.save()

        users = {
            "coordinator": demo_user("coordinator", "Kim (coordinator)", "coordinator", garden)
        }
        for number in range(1, 6):
            username = f"member{number}"
            users[username] = demo_user(username, f"Gardener {number}", "member", garden)

        # Each domain app may add its own demo data in <app>/demo.py: seed(garden, users).
        for config in apps.get_app_configs():
            if config.name.startswith("garden."):
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError:
                    continue
                module.seed(garden, users)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo garden '{garden.name}': log in as coordinator or member1 … member5, "
                f"password '{DEMO_PASSWORD}'."
            )
        )
