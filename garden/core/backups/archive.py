"""The backup archive: a zip file holding a node's database, files and a manifest.

    manifest.json            format, version, migrations applied, rows per table, checksums
    database/<table>.jsonl   one JSON array per row, the columns in the manifest's order
    files/secret_key         Django's secret key
    files/keys/...           the federation key pairs
    files/media/...          uploaded photos

The rows are written in a form no database owns (ISO dates, decimals as strings, JSON as
JSON), so a backup made on SQLite restores into PostgreSQL and back. A zip's directory sits
at its end, so the manifest (written last, when every checksum is known) is read first.
"""

import base64
import datetime
import decimal
import hashlib
import json
import uuid
import zipfile
from pathlib import Path
from typing import IO

from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

FORMAT = "allmende-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """An archive that cannot be restored; the message says why, for the operator."""


def encode(value):
    """A column value as JSON; ``decode`` (with the field) turns it back."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def decode(field, value):
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return value  # already the Python value
    return field.to_python(value)


class HashingWriter:
    """Writes to a zip member while counting bytes and taking its SHA-256."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.stream.write(data)

    def summary(self) -> dict:
        return {"sha256": self.sha256.hexdigest(), "size": self.size}


def open_archive(path: Path) -> tuple[zipfile.ZipFile, dict]:
    """Open an archive and read its manifest; refuses anything that is not ours."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(_("%(path)s does not exist.") % {"path": path}) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(
            _("%(path)s is not an Allmende backup (not a readable zip file: %(error)s).")
            % {"path": path, "error": exc}
        ) from None
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError):
        archive.close()
        raise ArchiveError(
            _("%(path)s is not an Allmende backup (no readable manifest).") % {"path": path}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        archive.close()
        raise ArchiveError(_("%(path)s is not an Allmende backup.") % {"path": path})
    if manifest.get("format_version") != FORMAT_VERSION:
        archive.close()
        raise ArchiveError(
            _("%(path)s has backup format %(version)s; this version reads format %(ours)s.")
            % {"path": path, "version": manifest.get("format_version"), "ours": FORMAT_VERSION}
        )
    return archive, manifest


def verify(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every member the manifest lists is there with its checksum, and nothing else is."""
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise ArchiveError(_("The backup's manifest lists no contents."))
    present = set(archive.namelist()) - {MANIFEST}
    if missing := sorted(set(listed) - present):
        raise ArchiveError(_("The backup is damaged: %(name)s is missing.") % {"name": missing[0]})
    if extra := sorted(present - set(listed)):
        raise ArchiveError(
            _("The backup is damaged: %(name)s is not in its manifest.") % {"name": extra[0]}
        )
    for name, expected in listed.items():
        digest = hashlib.sha256()
        try:
            with archive.open(name) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(
                _("The backup is damaged: %(name)s cannot be read (%(error)s).")
                % {"name": name, "error": exc}
            ) from None
        if digest.hexdigest() != expected.get("sha256"):
            raise ArchiveError(
                _("The backup is damaged: %(name)s does not match its checksum.") % {"name": name}
            )
