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

        # weak=False: the receiver is a local function, nothing else holds on to it.
        for model in (Peer, RemoteActor):
            post_save.connect(
                changed, sender=model, weak=False, dispatch_uid=f"inbox-forget-{model.__name__}"
            )
        if getattr(settings, "FEDERATION_DEBUG_HANDLER", False):
            from . import debug  # noqa: F401  (registers a handler tests can observe)
