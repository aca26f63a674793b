from django.apps import AppConfig
from django.conf import settings


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Federation"

    def ready(self) -> None:
        if getattr(settings, "FEDERATION_DEBUG_HANDLER", False):
            from . import debug  # noqa: F401  (registers a handler tests can observe)
