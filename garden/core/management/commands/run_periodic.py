import logging
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections

from federation.inbox_worker import apply_all_due
from garden.core.periodic import enqueue_due, registered_jobs

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "The scheduler: applies what the federation inbox stored (polling every --inbox-poll "
        "seconds) and enqueues the periodic jobs (reminders, expiries) when they are due; "
        "loops until stopped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")
        parser.add_argument(
            "--inbox-poll", type=float, default=0.1, help="seconds between looks at the inbox"
        )

    def handle(self, *args, once: bool, interval: float, inbox_poll: float, **options) -> None:
        if options["verbosity"] > 1:
            for job in registered_jobs():
                self.stdout.write(f"{job.name}: every {job.every}")
        next_check = 0.0
        while True:
            try:
                # The inbox answered 202 already; a sender waits for nothing, but the
                # garden should see the activity within a second, so this runs first.
                apply_all_due()
                if time.monotonic() >= next_check:
                    for name in enqueue_due():
                        self.stdout.write(f"enqueued {name}")
                    next_check = time.monotonic() + interval
            except (OperationalError, InterfaceError):
                # The database is away for a moment; nothing was half-applied (each batch
                # is one transaction). Reconnect on the next round.
                log.warning("scheduler: database unavailable", exc_info=True)
                close_old_connections()
                time.sleep(1)
            if once:
                return
            time.sleep(inbox_poll)
