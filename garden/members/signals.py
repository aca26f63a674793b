from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Garden, Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def ensure_profile(sender, instance, created, **kwargs) -> None:
    if created:
        Profile.objects.get_or_create(user=instance)


@receiver(post_save, sender=Garden)
@receiver(post_delete, sender=Garden)
def forget_cached_garden(sender, **kwargs) -> None:
    from .services import forget_cached_garden

    forget_cached_garden()
