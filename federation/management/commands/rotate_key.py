"""Replace the node's key; the old one keeps verifying for a grace period."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from federation import keys
from federation.actors import key_id, local_actor_document, rsa_key_id
from federation.outbox import publish


class Command(BaseCommand):
    help = (
        "Make new Ed25519 and RSA keys, announce them to every peer with a signed Update of "
        "the actor, and keep the old ones valid for --grace-hours."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--grace-hours", type=float, default=7 * 24)

    def handle(self, *args, grace_hours: float, **options) -> None:
        old, new = keys.rotate(timedelta(hours=grace_hours))
        with transaction.atomic():
            row = publish({"type": "Update", "object": local_actor_document()})
        self.stdout.write(f"New keys: {key_id(new)} {rsa_key_id(new)}")
        self.stdout.write(f"Old key {old.multibase} verifies until {old.expires.isoformat()}")
        self.stdout.write(f"Update {row.activity_id} queued for {row.deliveries.count()} peer(s).")
