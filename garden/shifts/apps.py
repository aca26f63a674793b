from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "garden.shifts"
    label = "shifts"
    verbose_name = _("Shifts")

    def ready(self) -> None:
        from garden.members.exports import register_export

        from .exports import export_shifts

        register_export("shifts", export_shifts)
