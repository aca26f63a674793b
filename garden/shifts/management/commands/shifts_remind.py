from django.core.management.base import BaseCommand

from garden.shifts import services, tasks


class Command(BaseCommand):
    help = (
        "Remind volunteers of tomorrow's shifts and call for help with short shifts in the "
        "next 48 hours. Each reminder and call goes out once; run it hourly from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="hand the job to the background worker"
        )

    def handle(self, *args, enqueue: bool, **options) -> None:
        if enqueue:
            tasks.send_reminders.enqueue()
            self.stdout.write("Queued for the worker.")
            return
        reminders = services.send_day_before_reminders()
        calls = services.send_help_calls()
        self.stdout.write(f"{reminders} reminder(s), {calls} call(s) for help.")
