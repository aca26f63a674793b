from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from garden import api
from garden.core import status_views
from garden.core import views as core_views
from garden.home import app as home_app
from garden.home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("manifest.webmanifest", home_app.manifest, name="manifest"),
    path("sw.js", home_app.service_worker, name="service_worker"),
    path("offline/", home_app.offline, name="offline"),
    path("healthz", core_views.healthz, name="healthz"),
    path("garden/status/", status_views.node_status, name="node_status"),
    path("garden/status/backups/<str:name>", status_views.backup_download, name="backup_download"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.v1.urls),
    path("api/v2/", api.v2.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plots/", include("garden.plots.urls")),
    path("shifts/", include("garden.shifts.urls")),
    path("harvests/", include("garden.harvests.urls")),
    path("share/", include("garden.sharing.urls")),
    path("decisions/", include("garden.decisions.urls")),
    path("threads/", include("garden.conversations.urls")),
    path("reminders/", include("garden.reminders.urls")),
    path("posts/", include("garden.posts.urls")),
    path("", include("federation.urls")),
    path("", include("garden.members.urls")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media"),
]

if settings.BENCH_CEILING:
    urlpatterns.append(path("bench/ceiling", core_views.bench_ceiling))

handler500 = "garden.core.unavailable.server_error"
handler404 = "garden.core.unavailable.page_not_found"
