"""URLs of log detection."""

from __future__ import annotations

from django.urls import path

from hygie.apps.detection import views

app_name = "detection"

urlpatterns = [
    path("", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/bulk/", views.AlertBulkView.as_view(), name="alert_bulk"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("alerts/<int:pk>/transition/", views.AlertTransitionView.as_view(), name="alert_transition"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("sources/", views.LogSourceListView.as_view(), name="source_list"),
    path("sources/add/", views.LogSourceEditView.as_view(), name="source_add"),
    path("sources/<int:pk>/", views.LogSourceDetailView.as_view(), name="source_detail"),
    path("sources/<int:pk>/edit/", views.LogSourceEditView.as_view(), name="source_edit"),
    path("sources/<int:pk>/hunt/", views.LogSourceHuntView.as_view(), name="source_hunt"),
    path("upload/", views.LogUploadView.as_view(), name="upload"),
    path("hunts/", views.HuntListView.as_view(), name="hunt_list"),
    path("hunts/<int:pk>/", views.HuntDetailView.as_view(), name="hunt_detail"),
    path("packs/", views.RulePackListView.as_view(), name="pack_list"),
    path("packs/upload/", views.RulePackUploadView.as_view(), name="pack_upload"),
    path("packs/<int:pk>/", views.RulePackDetailView.as_view(), name="pack_detail"),
    path("versions/<int:pk>/activate/", views.VersionActivateView.as_view(), name="version_activate"),
]
