"""Push follows what people are told in the app: a new notification or announcement queues
a task for the worker once the change has committed (never a push during the request)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from garden.members.models import Announcement, Notification

from .services import PUSH_KIND


@receiver(post_save, sender=Notification)
def notification_created(sender, instance: Notification, created: bool, **kwargs) -> None:
    if created and instance.kind in PUSH_KIND:
        from .tasks import push_notification

        pk = instance.pk
        transaction.on_commit(lambda: push_notification.enqueue(pk))


@receiver(post_save, sender=Announcement)
def announcement_posted(sender, instance: Announcement, created: bool, **kwargs) -> None:
    if created:
        from .tasks import push_announcement

        pk = instance.pk
        transaction.on_commit(lambda: push_announcement.enqueue(pk))
