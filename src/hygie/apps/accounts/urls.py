"""URLs of the accounts app."""

from __future__ import annotations

from django.urls import path

from hygie.apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("audit/", views.AuditEventListView.as_view(), name="audit_list"),
    path("audit/<int:pk>/", views.AuditEventDetailView.as_view(), name="audit_detail"),
    path("roles/", views.RoleAssignmentListView.as_view(), name="role_list"),
    path("roles/add/", views.RoleAssignmentAddView.as_view(), name="role_add"),
    path("roles/<int:pk>/delete/", views.RoleAssignmentDeleteView.as_view(), name="role_delete"),
    path("tokens/", views.TokenView.as_view(), name="tokens"),
]
