from django.core.management.base import BaseCommand

from garden.sharing import services


class Command(BaseCommand):
    help = "Remind borrowers and coordinators of overdue tool loans (once a day per loan)."

    def handle(self, *args, **options) -> None:
        count = services.send_overdue_reminders()
        self.stdout.write(f"{count} overdue loan(s) reminded.")
