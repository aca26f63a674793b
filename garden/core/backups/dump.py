"""Write a backup of this node while it runs (see archive.py for the format).

The database is read from one consistent snapshot: on SQLite a copy made with SQLite's
online backup API, on PostgreSQL a REPEATABLE READ, READ ONLY transaction. Rows stream from
the database into the zip in chunks, so memory does not grow with the garden. The archive is
written under a temporary name with mode 0600 and renamed when complete: a crash leaves the
last good archive and no partial file under an archive's name.
"""

import contextlib
import json
import os
import sqlite3
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .archive import CHUNK, FORMAT, FORMAT_VERSION, MANIFEST, HashingWriter, encode

SNAPSHOT_ALIAS = "backup_snapshot"
ROW_CHUNK = 2000


def software_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    return tomllib.loads(pyproject.read_text())["project"]["version"]


def migration_state(connection):
    """The migrations applied to ``connection`` and the historical models they make."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = sorted(key for key in loader.applied_migrations if key in loader.graph.nodes)
    return applied, loader.project_state(applied, at_end=True).apps


def tables_of(apps) -> list:
    """The models whose rows a node keeps, one per table, in a stable order."""
    seen, models = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        models.append(model)
    return sorted(models, key=lambda m: m._meta.db_table)


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table now, as a manifest counts them."""
    _applied, apps = migration_state(connections[alias])
    return {m._meta.db_table: m._base_manager.using(alias).count() for m in tables_of(apps)}


def write_backup(target: Path) -> dict:
    """Write a complete archive to ``target`` (atomically); returns its manifest."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                manifest = _write_contents(archive, partial)
                archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return manifest


def _write_contents(archive: zipfile.ZipFile, partial: Path) -> dict:
    members: dict[str, dict] = {}
    with _database_snapshot(partial) as alias:
        applied, apps = migration_state(connections[alias])
        tables = {}
        for model in tables_of(apps):
            name, info = _write_table(archive, model, alias)
            members[name] = info.pop("member")
            tables[model._meta.db_table] = info
        vendor = connections[alias].vendor
    members.update(_write_files(archive))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "software_version": software_version(),
        "database": vendor,
        "site_url": settings.ALLMENDE_URL,
        "migrations": [list(key) for key in applied],
        "tables": tables,
        "members": members,
    }


@contextlib.contextmanager
def _database_snapshot(partial: Path) -> Iterator[str]:
    """Yields a connection alias whose reads all see one moment of the database."""
    default = connections["default"]
    if default.vendor == "sqlite":
        copy = partial.with_name(partial.name + ".sqlite3")
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            name = str(default.settings_dict["NAME"])
            source = sqlite3.connect(name, uri=name.startswith("file:"))  # a test's memory db
            destination = sqlite3.connect(copy)
            with source, destination:
                source.backup(destination)
            source.close()
            destination.close()
            wrapper = default.__class__(
                {**default.settings_dict, "NAME": str(copy)}, SNAPSHOT_ALIAS
            )
            connections[SNAPSHOT_ALIAS] = wrapper
            try:
                yield SNAPSHOT_ALIAS
            finally:
                wrapper.close()
                del connections[SNAPSHOT_ALIAS]
        finally:
            copy.unlink(missing_ok=True)
    else:
        with transaction.atomic(using="default"), default.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield "default"


def _write_table(archive: zipfile.ZipFile, model, alias: str) -> tuple[str, dict]:
    fields = model._meta.concrete_fields
    columns = [field.column for field in fields]
    rows = 0
    name = f"database/{model._meta.db_table}.jsonl"
    query = (
        model._base_manager.using(alias)
        .order_by("pk")
        .values_list(*[field.attname for field in fields])
    )
    with archive.open(name, "w", force_zip64=True) as member:
        writer = HashingWriter(member)
        buffer = []
        for row in query.iterator(chunk_size=ROW_CHUNK):
            buffer.append(json.dumps([encode(value) for value in row], ensure_ascii=False))
            rows += 1
            if len(buffer) >= ROW_CHUNK:
                writer.write(("\n".join(buffer) + "\n").encode())
                buffer = []
        if buffer:
            writer.write(("\n".join(buffer) + "\n").encode())
    return name, {"rows": rows, "columns": columns, "member": writer.summary()}


def node_files() -> Iterator[tuple[str, Path]]:
    """The files that are part of the node: federation keys and uploads."""
    for prefix, root in (("keys", settings.FEDERATION_KEY_DIR), ("media", settings.MEDIA_ROOT)):
        root = Path(root)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield f"{prefix}/{path.relative_to(root).as_posix()}", path


def _write_files(archive: zipfile.ZipFile) -> dict[str, dict]:
    members = {}
    with archive.open("files/secret_key", "w") as member:
        writer = HashingWriter(member)
        writer.write(settings.SECRET_KEY.encode())
    members["files/secret_key"] = writer.summary()
    for relative, path in node_files():
        name = f"files/{relative}"
        info = zipfile.ZipInfo.from_file(path, name)
        # Photos are compressed already; the keys are tiny.
        info.compress_type = zipfile.ZIP_STORED
        try:
            source = path.open("rb")
        except FileNotFoundError:  # deleted while we were writing
            continue
        with source, archive.open(info, "w", force_zip64=True) as member:
            writer = HashingWriter(member)
            while chunk := source.read(CHUNK):
                writer.write(chunk)
        members[name] = writer.summary()
    return members
