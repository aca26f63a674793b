from django.core.management.base import BaseCommand

from garden.sharing import services


class Command(BaseCommand):
    help = "Close offers past their end (ours are withdrawn from neighbour gardens too)."

    def handle(self, *args, **options) -> None:
        count = services.expire_offers()
        self.stdout.write(f"{count} offer(s) expired.")
