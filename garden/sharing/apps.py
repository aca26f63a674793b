from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "garden.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from garden.members.exports import register_export

        from . import exports, inbox

        register_export("sharing", exports.export_user)
        try:
            inbox.register()
        except ImportError:  # federation core not merged yet (temporary)
            pass
