from django.apps import AppConfig
from django.conf import settings


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Federation"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from .inbox import forget_sender
        from .models import Peer, RemoteActor

        def changed(sender, instance, **kwargs) -> None:
            forget_sender(instance.actor_url)  # this process sees a block at once

        post_save.connect(changed, sender=Peer, dispatch_uid="inbox-forget-peer")
        post_save.connect(changed, sender=RemoteActor, dispatch_uid="inbox-forget-actor")
        if getattr(settings, "FEDERATION_DEBUG_HANDLER", False):
            from . import debug  # noqa: F401  (registers a handler tests can observe)
