from django.urls import path

from . import follower_views, views

app_name = "federation"

urlpatterns = [
    path("actor", views.actor, name="actor"),
    path("inbox", views.inbox, name="inbox"),
    path("outbox", views.outbox, name="outbox"),
    path("followers", views.followers, name="followers"),
    path("neighbours", views.neighbours, name="neighbours"),
    path("activities/<uuid:uuid>", views.activity, name="activity"),
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo-links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("federation/peers/", views.peers_page, name="peers"),
    path("federation/policy/", views.peer_settings, name="policy"),
    path("federation/peers/<int:pk>/<slug:action>/", views.peer_action, name="peer-action"),
    path("federation/followers/", follower_views.followers_page, name="followers-page"),
    path("federation/followers/policy/", follower_views.follower_policy, name="follower-policy"),
    path(
        "federation/followers/<int:pk>/<slug:action>/",
        follower_views.follower_action,
        name="follower-action",
    ),
    path(
        "federation/blocked-servers/<int:pk>/unblock/",
        follower_views.unblock_server,
        name="unblock-server",
    ),
    path("federation/deliveries/<int:pk>/retry/", views.retry_delivery, name="retry"),
    path(
        "federation/suggestions/<int:pk>/<slug:action>/",
        views.suggestion_action,
        name="suggestion-action",
    ),
    path("federation/suggestions/refresh/", views.refresh_suggestions, name="refresh-suggestions"),
    path("federation/introduce/", views.introduce, name="introduce"),
]
