"""Create or change the garden profile, by questions in a terminal or by flags."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from garden.core.errors import RuleError
from garden.members import services
from garden.members.models import Garden

QUESTIONS = {
    "name": "Name of the garden",
    "description": "Short description",
    "address": "Address",
    "latitude": "Latitude (-90 … 90, empty for none)",
    "longitude": "Longitude (-180 … 180, empty for none)",
    "timezone": "Time zone (e.g. Europe/Berlin)",
    "language": "Default language ({choices})",
    "rules": "Garden rules (one line; edit on the settings page for more)",
    "join_policy": "Who may join ({choices})",
}


def _coordinate(value: str | None, name: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError as error:
        raise CommandError(f"{name} must be a number, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Set up the garden profile: name, description, address, location, time zone, "
        "default language, rules and join policy. Asks in a terminal unless --no-input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name")
        parser.add_argument("--description")
        parser.add_argument("--address")
        parser.add_argument("--latitude")
        parser.add_argument("--longitude")
        parser.add_argument("--timezone")
        parser.add_argument("--language", choices=[code for code, _n in settings.LANGUAGES])
        parser.add_argument("--rules")
        parser.add_argument("--join-policy", choices=Garden.JoinPolicy.values)
        parser.add_argument("--coordinator", metavar="USERNAME", help="make this user coordinator")
        parser.add_argument(
            "--no-input", action="store_true", help="never ask; use flags and current values"
        )

    def handle(self, *args, **options) -> None:
        garden = services.get_garden()
        given = {field: options[field] for field in QUESTIONS}
        if not options["no_input"] and sys.stdin.isatty():
            given = self._ask(garden, given)
        changes = {
            ("default_language" if field == "language" else field): value
            for field, value in given.items()
            if value is not None
        }
        for field in ("latitude", "longitude"):
            if field in changes:
                changes[field] = _coordinate(changes[field], field)

        user = None
        if options["coordinator"]:
            user = get_user_model().objects.filter(username=options["coordinator"]).first()
            if user is None:
                raise CommandError(f"No user named {options['coordinator']!r}.")
        try:
            with transaction.atomic():
                garden = services.update_garden(changes)
                if user is not None:
                    services.appoint_coordinator(user)
        except RuleError as error:
            raise CommandError(f"Nothing was saved: {error.message}") from error

        self.stdout.write(self.style.SUCCESS(f"Garden '{garden.name}' is set up."))
        if user is not None:
            self.stdout.write(f"{user.get_username()} is a coordinator.")

    def _ask(self, garden: Garden, given: dict) -> dict:
        current = {
            **{field: getattr(garden, field, None) for field in QUESTIONS},
            "language": garden.default_language,
        }
        choices = {
            "language": "/".join(code for code, _n in settings.LANGUAGES),
            "join_policy": "/".join(Garden.JoinPolicy.values),
        }
        answers = {}
        for field, question in QUESTIONS.items():
            if given[field] is not None:
                answers[field] = given[field]
                continue
            default = "" if current[field] is None else str(current[field])
            prompt = question.format(choices=choices.get(field, ""))
            reply = input(f"{prompt} [{default}]: ").strip()
            answers[field] = reply if reply else current[field]
        return answers
