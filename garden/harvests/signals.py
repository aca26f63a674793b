from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from garden.members.models import Garden

from .defaults import seed_crops
from .models import Crop, HarvestLog


@receiver(post_save, sender=Garden, dispatch_uid="harvests_seed_crops")
def give_new_garden_crops(sender, instance: Garden, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        seed_crops(Crop, instance.pk)


@receiver(post_save, sender=HarvestLog, dispatch_uid="harvests_totals_changed_save")
@receiver(post_delete, sender=HarvestLog, dispatch_uid="harvests_totals_changed_delete")
def harvest_totals_changed(sender, instance: HarvestLog, **kwargs) -> None:
    from .totals import logs_changed

    logs_changed(instance.garden_id)
