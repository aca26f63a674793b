from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "garden.shifts"
    label = "shifts"
    verbose_name = _("Shifts")

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import post_delete, post_save

        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export

        from . import tasks
        from .exports import export_shifts
        from .feeds import forget_garden_feed
        from .models import Shift, Signup

        register_export("shifts", export_shifts)
        for model in (Shift, Signup):
            post_save.connect(forget_garden_feed, sender=model, dispatch_uid=f"feed-{model}")
            post_delete.connect(forget_garden_feed, sender=model, dispatch_uid=f"feed-del-{model}")
        register_periodic(tasks.send_reminders, every=timedelta(minutes=30))
        register_periodic(tasks.materialise_shifts, every=timedelta(hours=6))
