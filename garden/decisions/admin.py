from django.contrib import admin

from .models import Decision, DecisionSettings, Option, Proposal


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    # Votes are not listed: they are secret, also from the site's administrators' screens.
    list_display = ("title", "method", "deadline", "status")
    list_filter = ("status", "method")
    search_fields = ("title",)
    inlines = [OptionInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("title", "outcome", "votes_cast", "eligible", "decided_at")
    list_filter = ("outcome",)
    search_fields = ("title", "text")


admin.site.register(DecisionSettings)
