"""Make this node's federation keys if it has none, and show their key ids."""

from django.core.management.base import BaseCommand

from federation import keys
from federation.actors import key_id, rsa_key_id


class Command(BaseCommand):
    help = "Create the node's Ed25519 and RSA keys (if missing) and print their key ids."

    def handle(self, *args, **options) -> None:
        key = keys.ensure_key()
        self.stdout.write(key_id(key))
        self.stdout.write(rsa_key_id(key))
