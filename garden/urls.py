from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from garden.api import api
from garden.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plots/", include("garden.plots.urls")),
    path("shifts/", include("garden.shifts.urls")),
    path("harvests/", include("garden.harvests.urls")),
    path("share/", include("garden.sharing.urls")),
    path("posts/", include("garden.posts.urls")),
    path("", include("federation.urls")),
    path("", include("garden.members.urls")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media"),
]

handler500 = "garden.core.unavailable.server_error"
handler404 = "garden.core.unavailable.page_not_found"
