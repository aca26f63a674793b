"""Make this node's federation key pair if it has none, and show its public key."""

from django.core.management.base import BaseCommand

from federation import keys
from federation.actors import key_id


class Command(BaseCommand):
    help = "Create the node's Ed25519 key (if missing) and print its public Multikey."

    def handle(self, *args, **options) -> None:
        key = keys.ensure_key()
        self.stdout.write(key_id(key))
