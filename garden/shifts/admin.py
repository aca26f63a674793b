from django.contrib import admin

from .models import HoursEntry, Schedule, Shift, ShiftSettings, Signup, Skill, Task

admin.site.register([ShiftSettings, Skill, Schedule, Signup, HoursEntry])


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("title", "start", "end", "status", "min_volunteers", "max_volunteers")
    list_filter = ("status",)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "due_date", "status")
    list_filter = ("status",)
