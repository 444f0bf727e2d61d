"""URLs of exposure scans and perimeters."""

from __future__ import annotations

from django.urls import path

from hygie.apps.exposure import views

app_name = "exposure"

urlpatterns = [
    path("", views.ScanListView.as_view(), name="scan_list"),
    path("import/", views.ScanImportView.as_view(), name="scan_import"),
    path("<int:pk>/", views.ScanDetailView.as_view(), name="scan_detail"),
    path("<int:pk>/diff/", views.ScanDiffView.as_view(), name="scan_diff"),
    path("<int:pk>/report/", views.ScanReportView.as_view(), name="scan_report"),
    path("perimeters/", views.PerimeterListView.as_view(), name="perimeter_list"),
    path("perimeters/add/", views.PerimeterEditView.as_view(), name="perimeter_add"),
    path("perimeters/<int:pk>/", views.PerimeterDetailView.as_view(), name="perimeter_detail"),
    path("perimeters/<int:pk>/edit/", views.PerimeterEditView.as_view(), name="perimeter_edit"),
    path("perimeters/<int:pk>/delete/", views.PerimeterDeleteView.as_view(), name="perimeter_delete"),
    path("perimeters/<int:pk>/run/", views.PerimeterRunView.as_view(), name="perimeter_run"),
]
