from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from garden.core.backups.dump import write_backup
from garden.core.backups.schedule import back_up_and_prune


class Command(BaseCommand):
    help = (
        "Write one archive with everything this node is: database, photos, federation keys, "
        "secret key and a manifest. Safe while the node runs."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--to",
            metavar="FILE",
            help="where to write it (default: a new file in BACKUP_DIR, keeping BACKUP_KEEP)",
        )

    def handle(self, *args, to: str | None, **options) -> None:
        try:
            if to:
                path = Path(to)
                manifest = write_backup(path)
            else:
                path, _removed = back_up_and_prune()
                manifest = None
        except OSError as exc:
            raise CommandError(f"Cannot write the backup: {exc}") from exc
        rows = sum(t["rows"] for t in manifest["tables"].values()) if manifest else None
        self.stdout.write(f"{path}" + (f" ({rows} rows)" if rows is not None else ""))
