"""URLs of the findings register."""

from __future__ import annotations

from django.urls import path

from hygie.apps.findings import views

app_name = "findings"

urlpatterns = [
    path("", views.FindingListView.as_view(), name="finding_list"),
    path("add/", views.ManualFindingCreateView.as_view(), name="finding_add"),
    path("plan/", views.RemediationPlanView.as_view(), name="remediation_plan"),
    path("<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path("<int:pk>/status/", views.FindingStatusView.as_view(), name="finding_status"),
    path("export/", views.FindingExportJobView.as_view(), name="export_job"),
]
