from django.urls import path

from . import views

app_name = "plots"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("new/", views.edit, name="new"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("log/", views.log, name="log"),
    path("fees/", views.fees, name="fees"),
    path("policy/", views.policy, name="policy"),
]
