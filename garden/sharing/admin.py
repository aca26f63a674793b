from django.contrib import admin

from .models import Claim, Loan, Offer, SharingSettings, Tool


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = (
        "crop",
        "quantity",
        "quantity_left",
        "unit",
        "status",
        "origin_name",
        "expires_at",
    )
    list_filter = ("status", "audience")
    search_fields = ("crop", "origin_name")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("offer", "quantity", "status", "remote_garden_name", "created_at")
    list_filter = ("status",)


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ("name", "condition", "origin_name", "lend_to_members", "lend_to_neighbours")
    list_filter = ("active", "condition")


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ("tool", "start_date", "end_date", "status", "remote_garden_name")
    list_filter = ("status",)


admin.site.register(SharingSettings)
