from django.core.management.base import BaseCommand

from garden.plots import services


class Command(BaseCommand):
    help = (
        "Pass expired waitlist offers on, send season renewal reminders and return unrenewed "
        "plots after the season end. Run it from cron (hourly is plenty) or enqueue "
        "garden.plots.tasks.plots_tick."
    )

    def handle(self, *args, **options) -> None:
        result = services.tick()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
