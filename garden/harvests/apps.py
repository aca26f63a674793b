from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestsConfig(AppConfig):
    name = "garden.harvests"
    label = "harvests"
    verbose_name = _("Harvests")

    def ready(self) -> None:
        from garden.members.exports import register_export

        from . import signals  # noqa: F401
        from .services import export_for_user

        register_export("harvests", export_for_user)
