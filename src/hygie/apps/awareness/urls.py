"""URLs of the awareness app."""

from __future__ import annotations

from django.urls import path

from hygie.apps.awareness import views

app_name = "awareness"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("nodes/<int:pk>/", views.NodeOverviewView.as_view(), name="node_overview"),
    path("nodes/<int:pk>/rollup/", views.RollupView.as_view(), name="rollup"),
    path("nodes/<int:pk>/staff/", views.StaffEditView.as_view(), name="staff_edit"),
    path("nodes/<int:pk>/targets/", views.TargetEditView.as_view(), name="target_edit"),
    path("nodes/<int:pk>/check/", views.CheckView.as_view(), name="check"),
    path("sessions/", views.SessionListView.as_view(), name="session_list"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("import/training/", views.TrainingImportView.as_view(), name="training_import"),
    path("import/gophish/", views.GophishImportView.as_view(), name="gophish_import"),
]
