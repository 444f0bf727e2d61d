"""URLs of compliance: overview, frameworks, assessments, requirements and their evidence, roll-ups."""

from __future__ import annotations

from django.urls import path

from hygie.apps.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("frameworks/import/", views.FrameworkImportView.as_view(), name="framework_import"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path("assessments/add/", views.AssessmentOpenView.as_view(), name="assessment_add"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/export/", views.AssessmentExportView.as_view(), name="assessment_export"),
    path("assessments/<int:pk>/refresh/", views.AssessmentRefreshView.as_view(), name="assessment_refresh"),
    path("assessments/<int:pk>/gaps/", views.GapListView.as_view(), name="gap_list"),
    path("assessments/<int:pk>/remediation/", views.RemediationView.as_view(), name="remediation"),
    path("requirements/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("requirements/<int:pk>/status/", views.ItemStatusView.as_view(), name="item_status"),
    path("requirements/<int:pk>/confirm/", views.ItemConfirmView.as_view(), name="item_confirm"),
    path("requirements/<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("requirements/<int:pk>/links/", views.EvidenceLinkView.as_view(), name="evidence_link"),
    path("evidence/<int:pk>/download/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    path("nodes/<int:pk>/rollup/", views.RollupView.as_view(), name="rollup"),
]
