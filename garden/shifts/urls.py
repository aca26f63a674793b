from django.urls import path

from . import views

app_name = "shifts"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.shift_detail, name="shift"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/done/", views.done, name="done"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("new/", views.shift_new, name="shift_new"),
    path("missed/", views.missed, name="missed"),
    path("roster/", views.roster, name="roster"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/new/", views.schedule_edit, name="schedule_new"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("settings/", views.settings_page, name="settings"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:pk>/grant/", views.skill_grant, name="skill_grant"),
    path("hours/", views.hours, name="hours"),
    path("calendar/", views.calendar, name="calendar"),
    path("feed/garden.ics", views.garden_feed, name="garden_feed"),
    path("feed/<str:token>.ics", views.member_feed, name="member_feed"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/new/", views.task_edit, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/action/", views.task_action, name="task_action"),
]
