from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "garden.core"
    label = "core"

    def ready(self) -> None:
        from . import federation

        federation.connect()
