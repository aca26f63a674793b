from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlotsConfig(AppConfig):
    name = "garden.plots"
    label = "plots"
    verbose_name = _("Plots")

    def ready(self) -> None:
        from garden.members.exports import register_export

        from .services import export

        register_export("plots", export)
