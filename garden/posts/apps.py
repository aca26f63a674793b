from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "garden.posts"
    label = "posts"
    verbose_name = _("Public posts")

    def ready(self) -> None:
        from . import inbox

        inbox.register()
