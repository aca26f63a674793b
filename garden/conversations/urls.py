from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("<str:kind>/<int:object_id>/", views.thread, name="thread"),
    path("<str:kind>/<int:object_id>/follow/", views.follow, name="follow"),
    path("messages/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("messages/<int:pk>/hide/", views.message_hide, name="message_hide"),
]
