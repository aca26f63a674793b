from django.urls import path

from . import views

app_name = "harvests"

urlpatterns = [
    path("", views.index, name="index"),
]
