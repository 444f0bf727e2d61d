"""URL root: the web UI of each app, the REST API under /api/, language switching."""

from __future__ import annotations

from django.urls import include, path

from hygie.apps.accounts import views as account_views
from hygie.apps.organizations import views as organization_views
from hygie.web.api import api

urlpatterns = [
    path("", organization_views.HomeView.as_view(), name="home"),
    path("login/", account_views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organizations/", include("hygie.apps.organizations.urls")),
    path("accounts/", include("hygie.apps.accounts.urls")),
    path("inventory/", include("hygie.apps.inventory.urls")),
    path("findings/", include("hygie.apps.findings.urls")),
    path("jobs/", include("hygie.apps.jobs.urls")),
    path("directory/", include("hygie.apps.directory.urls")),
    path("exposure/", include("hygie.apps.exposure.urls")),
    path("detection/", include("hygie.apps.detection.urls")),
    path("continuity/", include("hygie.apps.continuity.urls")),
    path("compliance/", include("hygie.apps.compliance.urls")),
    path("budget/", include("hygie.apps.budget.urls")),
    path("awareness/", include("hygie.apps.awareness.urls")),
    path("incidents/", include("hygie.apps.incidents.urls")),
    path("api/", api.urls),
]
