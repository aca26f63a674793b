from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "garden.core"
    label = "core"

    def ready(self) -> None:
        from datetime import timedelta

        from . import federation, tasks
        from .periodic import register_periodic

        federation.connect()
        register_periodic(tasks.heartbeat, every=timedelta(minutes=1))
        register_periodic(tasks.prune, every=timedelta(hours=6))
        register_periodic(tasks.daily_backup, every=timedelta(days=1))
