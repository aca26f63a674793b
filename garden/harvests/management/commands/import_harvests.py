"""Import past harvests of one member from a CSV file: all rows or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from garden.core.errors import RuleError
from garden.harvests import csvio


class Command(BaseCommand):
    help = "Import harvest logs from CSV for a member; nothing is stored unless every row is good."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="username the harvests belong to")
        parser.add_argument(
            "--add-unknown-crops", action="store_true", help="add crops not yet on the list"
        )

    def handle(self, *args, path: Path, user: str, add_unknown_crops: bool, **options) -> None:
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user called {user}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            result = csvio.import_csv(account, data, add_unknown_crops=add_unknown_crops)
        except csvio.ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"line {error.line}: {error.message}")
            raise CommandError(rejected.message) from None
        except RuleError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {result.imported} harvests."))
        if result.new_crops:
            self.stdout.write("New crops: " + ", ".join(result.new_crops))
