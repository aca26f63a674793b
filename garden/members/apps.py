from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "garden.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .accounts import members_export
        from .exports import register_export

        register_export("members", members_export)
