from django.urls import path

from . import views

app_name = "shifts"

urlpatterns = [
    path("", views.index, name="index"),
]
