from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
    path("push/device/", views.push_device, name="push_device"),
]
