import time

from django.core.management.base import BaseCommand

from garden.core.periodic import enqueue_due, registered_jobs


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (reminders, expiries) when they are due; loops until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        if options["verbosity"] > 1:
            for job in registered_jobs():
                self.stdout.write(f"{job.name}: every {job.every}")
        while True:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
