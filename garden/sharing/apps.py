from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "garden.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from federation import signals
        from federation.models import Peer
        from garden.members.exports import register_export

        from . import exports, federate, inbox

        register_export("sharing", exports.export_user)
        inbox.register()
        signals.peering_accepted.connect(federate.welcome_peer, sender=Peer)
