"""The URLconf: the public site, staff pages, the admin and the JSON API."""

from django.contrib import admin
from django.urls import include, path

from govhall.api import api, register_routers
from govhall.views import healthz, healthz_read, healthz_write

register_routers()

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/write", healthz_write, name="healthz_write"),
    path("healthz/read", healthz_read, name="healthz_read"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("accounts.urls")),
    path("hall/", include("hall.urls")),
    path("cases/", include("cases.urls")),
    path("supervision/", include("supervision.urls")),
    path("feedback/", include("feedback.urls")),
    path("workorders/", include("workorders.urls")),
    path("assessment/", include("assessment.urls")),
    path("audit/", include("audit.urls")),
    path("", include("stats.urls")),
    path("", include("sharing.urls")),
    path("", include("portal.urls")),
]
