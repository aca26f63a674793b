from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "garden.decisions"
    label = "decisions"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import pre_delete

        from garden.core.periodic import register_periodic
        from garden.members.exports import register_export
        from garden.members.models import Membership

        from .services import export
        from .tasks import close_due_proposals

        register_export("decisions", export)
        register_periodic(close_due_proposals, every=timedelta(minutes=1))
        # Leaving the garden or being removed deletes the membership (members.services.remove).
        pre_delete.connect(
            _withdraw_votes, sender=Membership, dispatch_uid="decisions_withdraw_votes"
        )


def _withdraw_votes(sender, instance, **kwargs) -> None:
    from .services import withdraw_open_votes

    withdraw_open_votes(instance.user)
