"""Where backups go, what they are called, and how many are kept.

The daily backup (garden/core/tasks.py) writes ``allmende-<UTC time>.zip`` into
``BACKUP_DIR`` (default ``<data dir>/backups``) and keeps the newest ``BACKUP_KEEP``.
"""

import logging
import os
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .dump import write_backup

log = logging.getLogger(__name__)
NAME = re.compile(r"^allmende-\d{8}T\d{6}Z\.zip$")
PARTIAL = re.compile(
    r"^\.allmende-\d{8}T\d{6}Z\.zip\.(\d+)\.partial(\.sqlite3(-journal|-wal|-shm)?)?$"
)


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def archives() -> list[Path]:
    """The archives in the backup directory, newest first."""
    directory = backup_dir()
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if NAME.match(p.name)), reverse=True)


def new_archive_path() -> Path:
    return backup_dir() / f"allmende-{timezone.now():%Y%m%dT%H%M%SZ}.zip"


def back_up_and_prune() -> tuple[Path, int]:
    """Write a new archive, then drop all but the newest BACKUP_KEEP; returns (archive, removed)."""
    directory = backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    _remove_abandoned_partials(directory)
    path = new_archive_path()
    write_backup(path)
    removed = 0
    for old in archives()[max(int(settings.BACKUP_KEEP), 1) :]:
        old.unlink(missing_ok=True)
        removed += 1
    log.warning("backup written to %s; %d old backups removed", path, removed)
    return path, removed


def _remove_abandoned_partials(directory: Path) -> None:
    """Temporary files of a backup whose process died (kill -9, power loss)."""
    for path in directory.iterdir():
        match = PARTIAL.match(path.name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            path.unlink(missing_ok=True)
