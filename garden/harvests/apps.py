from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestsConfig(AppConfig):
    name = "garden.harvests"
    label = "harvests"
    verbose_name = _("Harvests")
