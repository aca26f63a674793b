"""Restore a backup onto an empty node (see archive.py for the format).

Nothing changes until the whole archive has matched its checksums. The database is built
where a crash cannot leave half of it: on SQLite in a new file renamed over the database's
name at the end, on PostgreSQL in one transaction (its schema changes are transactional too).
The schema is first brought to the migrations the backup was made at, the rows are loaded
with the models of that moment, and then the current code's migrations run, so an old
backup restores into a newer version. The files (keys, photos, secret key) are unpacked
beside their places first and moved in once the database is complete.
"""

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from .archive import ArchiveError, decode, open_archive, verify
from .dump import tables_of

BATCH = 1000


def restore(path: Path, force: bool = False, say: Callable[[str], None] = print) -> dict:
    """Restore the archive at ``path``; returns its manifest. Raises ArchiveError."""
    archive, manifest = open_archive(Path(path))
    with archive:
        say(_("Checking the archive's checksums…"))
        verify(archive, manifest)
        targets = _migration_targets(manifest)
        data_dir = Path(settings.DATA_DIR)
        interrupted = _marker().exists()  # what a killed restore left is no node: replace it
        if not (force or interrupted) and (reason := why_not_empty()):
            raise ArchiveError(
                _("The target is not empty (%(reason)s); restore with --force to replace it.")
                % {"reason": reason}
            )
        for leftover in data_dir.glob(".restore-*"):  # from a restore that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        staging = data_dir / f".restore-{os.getpid()}"
        staging.mkdir(mode=0o700)
        try:
            _unpack_files(archive, manifest, staging)
            say(_("Loading the database…"))
            with _building_database(force or interrupted) as alias:
                _load_database(archive, manifest, targets, alias)
                # The files go in before the database is committed (renamed into place or
                # its transaction committed, as the block ends): a crash in between leaves
                # the marker, and the half-restored node counts as empty.
                _marker().write_text(str(os.getpid()))
                _move_files_in(staging)
            _marker().unlink()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if manifest.get("site_url") != settings.ALLMENDE_URL:
        say(
            _(
                "Note: the backup was made at %(then)s and this node runs at %(now)s; "
                "peers know the garden by its address, so serve it at %(then)s."
            )
            % {"then": manifest.get("site_url"), "now": settings.ALLMENDE_URL}
        )
    return manifest


def _marker() -> Path:
    return Path(settings.DATA_DIR) / ".restore.incomplete"


def why_not_empty() -> str:
    """Why the data dir or database already holds a node ('' when empty, or when all it
    holds is what an interrupted restore left)."""
    if _marker().exists():
        return ""
    keys = Path(settings.FEDERATION_KEY_DIR) / "keys.json"
    if keys.exists():
        return _("%(path)s exists") % {"path": keys}
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        return _("%(path)s holds files") % {"path": media}
    connection = connections["default"]
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return ""
    if tables := connection.introspection.table_names():
        return _("the database has %(count)d tables") % {"count": len(tables)}
    return ""


def _migration_targets(manifest: dict) -> list[tuple[str, str]]:
    """The latest applied migration of each app, refusing migrations this code lacks."""
    executor = MigrationExecutor(connections["default"])
    graph = executor.loader.graph
    applied = {tuple(key) for key in manifest.get("migrations", [])}
    for key in sorted(applied):
        if key not in graph.nodes:
            raise ArchiveError(
                _(
                    "The backup was made by a newer version of Allmende (it has migration "
                    "%(migration)s); install that version or a later one, then restore."
                )
                % {"migration": ".".join(key)}
            )
    return sorted(
        key
        for key in applied
        if not any(child in applied for child in graph.node_map[key].children)
    )


@contextlib.contextmanager
def _building_database(force: bool) -> Iterator[str]:
    connection = connections["default"]
    if connection.vendor == "sqlite":
        final = Path(connection.settings_dict["NAME"])
        building = final.with_name(f".{final.name}.restoring")
        for path in (building, *_sqlite_companions(building)):
            path.unlink(missing_ok=True)
        connection.close()
        connection.settings_dict["NAME"] = str(building)
        try:
            yield "default"
            connection.close()
        finally:
            connection.close()
            connection.settings_dict["NAME"] = str(final)
        os.chmod(building, 0o600)
        for stale in _sqlite_companions(final):  # the replaced database's journal
            stale.unlink(missing_ok=True)
        os.replace(building, final)
    else:
        with transaction.atomic(using="default"):
            if force:
                with connection.cursor() as cursor:
                    for table in connection.introspection.table_names(cursor):
                        cursor.execute(
                            f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE"
                        )
            yield "default"


def _sqlite_companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _load_database(archive, manifest: dict, targets, alias: str) -> None:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    # The executor, not the migrate command: post_migrate would add content types and
    # permissions that the backup's own rows bring.
    executor.migrate(targets)
    apps = executor.loader.project_state(targets, at_end=True).apps
    models = {model._meta.db_table: model for model in tables_of(apps)}
    tables = manifest.get("tables", {})
    if unknown := sorted(set(tables) - set(models)):
        raise ArchiveError(
            _("The backup has a table this version does not know: %(t)s") % {"t": unknown[0]}
        )
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            # Rows arrive table by table, not in the order their foreign keys need;
            # the keys are checked once all are in (a migration may have set them immediate).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, info in tables.items():
            _load_table(archive, models[table], info, alias)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                    cursor.execute(sql)
        _check_counts(models, tables, alias)
    call_command("migrate", interactive=False, verbosity=0, database=alias)


def _load_table(archive, model, info: dict, alias: str) -> None:
    """Insert the table's rows in batches of plain INSERTs (no model instances: a restore
    of 100,000 rows spent most of its time making them)."""
    connection = connections[alias]
    by_column = {field.column: field for field in model._meta.concrete_fields}
    try:
        fields = [by_column[column] for column in info["columns"]]
    except KeyError as exc:
        raise ArchiveError(
            _("The backup's table %(table)s has a column %(column)s its migrations do not make.")
            % {"table": model._meta.db_table, "column": exc.args[0]}
        ) from None
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def prepare(values: list) -> list:
        return [
            None if value is None else field.get_db_prep_save(decode(field, value), connection)
            for field, value in zip(fields, values, strict=True)
        ]

    with (
        archive.open(f"database/{model._meta.db_table}.jsonl") as member,
        connection.cursor() as cursor,
    ):
        batch = []
        for line in member:
            batch.append(prepare(json.loads(line)))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _check_counts(models: dict, tables: dict, alias: str) -> None:
    for table, info in tables.items():
        count = models[table]._base_manager.using(alias).count()
        if count != info["rows"]:
            raise ArchiveError(
                _("%(table)s has %(count)d rows after loading, the backup says %(expected)d.")
                % {"table": table, "count": count, "expected": info["rows"]}
            )


def _unpack_files(archive, manifest: dict, staging: Path) -> None:
    for name in manifest["members"]:
        if not name.startswith("files/"):
            continue
        relative = Path(name.removeprefix("files/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise ArchiveError(
                _("The backup has a file outside its place: %(name)s") % {"name": name}
            )
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with archive.open(name) as source, os.fdopen(fd, "wb") as destination:
            shutil.copyfileobj(source, destination, 1024 * 1024)
    if (staging / "media").is_dir():
        for path in (staging / "media").rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)


def _move_files_in(staging: Path) -> None:
    places = {
        "keys": Path(settings.FEDERATION_KEY_DIR),
        "media": Path(settings.MEDIA_ROOT),
    }
    for name, place in places.items():
        source = staging / name
        if not source.exists():
            continue
        if place.exists():
            old = staging / f"{name}.replaced"
            os.replace(place, old)
        place.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, place)
    if (staging / "secret_key").exists():
        os.replace(staging / "secret_key", Path(settings.DATA_DIR) / "secret_key")
