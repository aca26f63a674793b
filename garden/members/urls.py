from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views, coordinator_views, notification_views, views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/unread/",
        notification_views.notifications_unread,
        name="notifications_unread",
    ),
    path(
        "notifications/<int:pk>/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="members/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/login/email/", account_views.login_link_request, name="login_link_request"),
    path("accounts/login/email/sent/", account_views.login_link_sent, name="login_link_sent"),
    path("accounts/login/email/<uidb64>/<token>/", account_views.login_link, name="login_link"),
    path("accounts/password/reset/", account_views.password_reset, name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        account_views.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        account_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/tokens/", account_views.token_create, name="token_create"),
    path("accounts/tokens/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
    path("accounts/data/", account_views.data_download, name="data_download"),
    path("accounts/delete/", account_views.delete_account, name="delete_account"),
    path("members/", coordinator_views.members, name="members"),
    path("members/<int:pk>/", coordinator_views.member_action, name="member_action"),
    path("garden/settings/", coordinator_views.garden_settings, name="garden_settings"),
    path("garden/invites/", coordinator_views.invites, name="invites"),
    path("garden/invites/<int:pk>/revoke/", coordinator_views.invite_revoke, name="invite_revoke"),
    path("garden/announcements/", coordinator_views.announcements, name="announcements"),
    path(
        "garden/announcements/<int:pk>/delete/",
        coordinator_views.announcement_delete,
        name="announcement_delete",
    ),
]
