from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "garden.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from datetime import timedelta

        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export

        from .services import export
        from .tasks import send_thread_emails

        register_export("conversations", export)
        # Every minute: a first message waits at most a minute; later ones 15 (services).
        register_periodic(send_thread_emails, every=timedelta(minutes=1))
