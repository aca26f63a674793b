"""Ask a garden to peer from the command line (scripts, demos)."""

from django.core.management.base import BaseCommand, CommandError

from federation.errors import FederationError
from federation.models import FederationSettings
from federation.peers import request_peering


class Command(BaseCommand):
    help = (
        "Send a peering request (Follow) to a garden given by its domain, site URL, actor URL "
        "or @name@host."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("address", nargs="?", default="")
        parser.add_argument(
            "--auto-accept-km",
            type=int,
            default=None,
            help="also set the policy: accept requests from gardens within this many km",
        )

    def handle(self, *args, address: str, auto_accept_km, **options) -> None:
        if auto_accept_km is not None:
            row = FederationSettings.current()
            row.auto_accept_km = auto_accept_km
            row.save(update_fields=["auto_accept_km"])
            self.stdout.write(f"Requests from within {auto_accept_km} km are accepted.")
        if not address:
            return
        try:
            peer = request_peering(address)
        except FederationError as exc:
            if exc.status == 409:  # already peered: nothing to do (demos run this again)
                self.stdout.write(exc.message)
                return
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{peer.display_name}: {peer.get_state_display()}")
