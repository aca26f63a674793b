from django.core.management.base import BaseCommand

from garden.shifts import services, tasks


class Command(BaseCommand):
    help = "Create the shifts of every active schedule for the coming weeks (safe to repeat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the job to the background worker"
        )

    def handle(self, *args, enqueue: bool, **options) -> None:
        if enqueue:
            tasks.materialise_shifts.enqueue()
            self.stdout.write("Queued for the worker.")
            return
        created = services.materialise()
        self.stdout.write(f"{created} new shift(s).")
