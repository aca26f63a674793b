"""Apply a person's action at most once per idempotency key.

A phone that queued an action offline sends it when the connection returns, and may send it
again (a retry whose answer was lost). Each queued action carries a key; the first request
with it is applied, any later one is recognised and not applied again. The database settles
it: the key is inserted in the same transaction as the action, under a unique constraint,
so of two requests racing with one key only one can commit.
"""

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import RuleError
from .models import AppliedRequest

T = TypeVar("T")
KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
KEEP = dt.timedelta(days=30)  # a queued action older than this is not sent any more
FIELD = "idempotency_key"


class AlreadyApplied:
    """What `once` returns for a key that was applied before."""


ALREADY_APPLIED = AlreadyApplied()


def once(user, key: str, action: Callable[[], T]) -> T | AlreadyApplied:
    """Run `action` unless `user` already sent `key`; without a key, just run it."""
    if not key:
        return action()
    if not KEY.match(key):
        raise RuleError(_("The request's key is not valid."), status=400)
    with transaction.atomic():
        try:
            with transaction.atomic():
                AppliedRequest.objects.create(user=user, key=key)
        except IntegrityError:
            return ALREADY_APPLIED
        # If the action refuses, the key is rolled back with it: a later retry may succeed.
        return action()


def forget_old_keys(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - KEEP
    deleted, _rows = AppliedRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
