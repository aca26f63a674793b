from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.proposal_new, name="proposal_new"),
    path("<int:pk>/", views.proposal_detail, name="proposal"),
    path("records/", views.records, name="records"),
    path("settings/", views.settings_page, name="settings"),
]
