"""Periodic pruning: rows a node no longer needs, counted in the log.

Sign-in links are not stored (they are signed tokens that stop working once used, see
garden/members/tokens.py), so expired sessions are what remains of signing in.
"""

import logging
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from federation.housekeeping import prune_deliveries, prune_inbox_ids

log = logging.getLogger(__name__)
KEEP_TASK_RESULTS = timedelta(days=7)


def prune(now=None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {
        "inbox_ids": prune_inbox_ids(now),
        "deliveries": prune_deliveries(now),
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "task_results": DBTaskResult.objects.filter(
            finished_at__lt=now - KEEP_TASK_RESULTS
        ).delete()[0],
    }
    log.warning("pruned %s", ", ".join(f"{count} {name}" for name, count in counts.items()))
    return counts
