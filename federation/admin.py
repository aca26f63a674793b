from django.contrib import admin

from .models import Delivery, FederationSettings, InboxActivity, OutboxActivity, Peer, RemoteActor


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "actor_url", "state", "last_success_at", "failing_since"]
    list_filter = ["state"]
    search_fields = ["name", "actor_url", "handle"]


@admin.register(OutboxActivity)
class OutboxActivityAdmin(admin.ModelAdmin):
    list_display = ["activity_type", "activity_id", "public", "created_at"]
    list_filter = ["activity_type", "public"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["activity", "inbox_url", "state", "attempts", "next_attempt_at"]
    list_filter = ["state"]


@admin.register(InboxActivity)
class InboxActivityAdmin(admin.ModelAdmin):
    list_display = ["activity_type", "activity_id", "actor_url", "handled", "received_at"]


admin.site.register(RemoteActor)
admin.site.register(FederationSettings)
