from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "garden.reminders"
    label = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export

        from . import signals, tasks  # noqa: F401
        from .exports import export_reminders

        register_export("reminders", export_reminders)

        register_periodic(tasks.push_shift_reminders, every=timedelta(minutes=10))
        register_periodic(tasks.send_reminder_emails, every=timedelta(minutes=30))
        register_periodic(tasks.forget_old_request_keys, every=timedelta(days=1))
