"""URLs of the findings register."""

from __future__ import annotations

from django.urls import path

from hygie.apps.findings import views

app_name = "findings"

urlpatterns = [
    path("", views.FindingListView.as_view(), name="finding_list"),
    path("plan/", views.RemediationPlanView.as_view(), name="remediation_plan"),
    path("<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
]
