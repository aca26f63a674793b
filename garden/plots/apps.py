from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlotsConfig(AppConfig):
    name = "garden.plots"
    label = "plots"
    verbose_name = _("Plots")

    def ready(self) -> None:
        from datetime import timedelta

        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export

        from .services import export
        from .tasks import plots_tick

        register_export("plots", export)
        register_periodic(plots_tick, every=timedelta(minutes=15))

        from django.db.models.signals import pre_delete

        from garden.members.models import Membership

        pre_delete.connect(_return_plots, sender=Membership, dispatch_uid="plots_return_plots")


def _return_plots(sender, instance, **kwargs) -> None:
    from .services import membership_ended

    membership_ended(instance.user)
