"""URLs of directory audits and credentials."""

from __future__ import annotations

from django.urls import path

from hygie.apps.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.AuditListView.as_view(), name="audit_list"),
    path("upload/", views.AuditUploadView.as_view(), name="audit_upload"),
    path("run/", views.AuditRunView.as_view(), name="audit_run"),
    path("<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("<int:pk>/diff/", views.AuditDiffView.as_view(), name="audit_diff"),
    path("<int:pk>/attack-paths/", views.AuditPathsView.as_view(), name="audit_paths"),
    path("<int:pk>/report/", views.AuditReportView.as_view(), name="audit_report"),
    path("credentials/", views.CredentialListView.as_view(), name="credential_list"),
    path("credentials/add/", views.CredentialEditView.as_view(), name="credential_add"),
    path("credentials/<int:pk>/", views.CredentialDetailView.as_view(), name="credential_detail"),
    path("credentials/<int:pk>/edit/", views.CredentialEditView.as_view(), name="credential_edit"),
    path("credentials/<int:pk>/delete/", views.CredentialDeleteView.as_view(), name="credential_delete"),
]
