from django.contrib import admin

from .models import Message, Thread


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("author", "body", "created_at", "edited_at", "hidden_at", "hidden_reason")
    readonly_fields = ("author", "created_at", "edited_at")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "created_at")
    list_filter = ("kind",)
    inlines = [MessageInline]
