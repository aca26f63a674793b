from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.share_map, name="map"),
    path("mine/", views.mine, name="mine"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("claims/<int:pk>/picked-up/", views.claim_picked_up, name="claim_picked_up"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("tools/", views.tools, name="tools"),
    path("tools/new/", views.tool_form, name="tool_new"),
    path("tools/<int:pk>/", views.tool_detail, name="tool"),
    path("tools/<int:pk>/edit/", views.tool_form, name="tool_edit"),
    path("tools/<int:pk>/retire/", views.tool_retire, name="tool_retire"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan_action, name="loan_action"),
    path("settings/", views.sharing_settings, name="settings"),
]
