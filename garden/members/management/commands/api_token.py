from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from garden.members.models import ApiToken


class Command(BaseCommand):
    help = "Make a personal API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--label", default="command line")

    def handle(self, *args, username: str, label: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _token, secret = ApiToken.objects.create_token(user, label)
        self.stdout.write(secret)
