from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "garden.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from datetime import timedelta

        from federation import discovery, registry, signals
        from federation.models import Peer
        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export

        from . import exports, federate, inbox, tasks

        register_export("sharing", exports.export_user)
        # Offers also queue their own expiry; this catches up after downtime.
        register_periodic(tasks.expire_offers, every=timedelta(minutes=10))
        register_periodic(tasks.send_overdue_reminders, every=timedelta(hours=6))
        inbox.register()
        registry.set_default_suggestion_km(federate.radius_km)
        # Gardens near you: read the peers' lists of their peers now and then.
        register_periodic(discovery.refresh_suggestions, every=timedelta(hours=12))
        signals.peering_accepted.connect(federate.welcome_peer, sender=Peer)
