from django.contrib import admin

from .models import Fee, Plot, PlotEvent, PlotPolicy, Tenancy, WaitlistEntry

admin.site.register(PlotPolicy)
admin.site.register(Plot, list_display=("label", "status", "area_m2", "x", "y"))
admin.site.register(Tenancy, list_display=("plot", "user", "status", "started_at", "ended_at"))
admin.site.register(WaitlistEntry, list_display=("user", "joined_at", "status"))
admin.site.register(Fee, list_display=("tenancy", "season_end", "amount", "paid_at", "method"))
admin.site.register(PlotEvent, list_display=("created_at", "action", "plot", "subject", "actor"))
