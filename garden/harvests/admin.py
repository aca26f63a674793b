from django.contrib import admin

from .models import Crop, HarvestLog


@admin.register(Crop)
class CropAdmin(admin.ModelAdmin):
    list_display = ("name", "garden", "created_at")
    search_fields = ("name",)


@admin.register(HarvestLog)
class HarvestLogAdmin(admin.ModelAdmin):
    list_display = ("date", "crop", "quantity", "unit", "harvested_by", "donated_to")
    list_filter = ("unit",)
    list_select_related = ("crop", "harvested_by")
    raw_id_fields = ("crop", "harvested_by")
    date_hierarchy = "date"
