from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "garden.core"
    label = "core"
