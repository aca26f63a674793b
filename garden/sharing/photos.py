"""Photo uploads: small, and only the image types every phone browser shows."""

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_PHOTO_BYTES = 3 * 1024 * 1024

# Checked on the file's first bytes: the name and the browser's content type can lie.
_SIGNATURES = {
    "jpg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}


def photo_kind(upload) -> str | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(12)
    upload.seek(position)
    for kind, matches in _SIGNATURES.items():
        if matches(head):
            return kind
    return None


def validate_photo(upload) -> None:
    if not upload:
        return
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (at most %(mb)s MB)."),
            params={"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
        )
    if getattr(upload, "_committed", False):
        return  # already stored and checked when it was uploaded
    if photo_kind(upload) is None:
        raise ValidationError(_("Please upload a JPEG, PNG or WebP photo."))


def rename_photo(upload) -> None:
    """Store under a random name: the uploaded name may carry personal details."""
    kind = photo_kind(upload)
    upload.name = f"{uuid.uuid4().hex}.{kind or 'bin'}"


def attach_photo(item, upload) -> None:
    """Check an uploaded photo and set it on an offer or tool under a random name."""
    if not upload:
        return
    from garden.core.errors import RuleError

    try:
        validate_photo(upload)
    except ValidationError as error:
        raise RuleError(" ".join(error.messages)) from error
    rename_photo(upload)
    item.photo = upload
