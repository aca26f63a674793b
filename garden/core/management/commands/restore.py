from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from garden.core.backups.archive import ArchiveError
from garden.core.backups.load import restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive onto an empty data dir and database (stop the node first). "
        "Works across databases: a SQLite backup restores into PostgreSQL and back."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the archive written by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace the node that is there now"
        )

    def handle(self, *args, file: str, force: bool, **options) -> None:
        try:
            manifest = restore(Path(file), force=force, say=self.stdout.write)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows in {len(manifest['tables'])} tables "
                f"from the backup of {manifest['created_at']}."
            )
        )
