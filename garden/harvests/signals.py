from django.db.models.signals import post_save
from django.dispatch import receiver

from garden.members.models import Garden

from .defaults import seed_crops
from .models import Crop


@receiver(post_save, sender=Garden, dispatch_uid="harvests_seed_crops")
def give_new_garden_crops(sender, instance: Garden, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        seed_crops(Crop, instance.pk)
