from django.contrib import admin

from .models import Announcement, ApiToken, Garden, Invite, Membership, Notification, Profile


@admin.register(Garden)
class GardenAdmin(admin.ModelAdmin):
    list_display = ("name", "join_policy", "timezone")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "status", "joined_at")
    list_filter = ("role", "status")
    search_fields = ("user__username", "user__email")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "language")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "digest")


admin.site.register(Invite)
admin.site.register(Announcement)
admin.site.register(Notification)
