"""URLs of budget and funding."""

from __future__ import annotations

from django.urls import path

from hygie.apps.budget import views

app_name = "budget"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("nodes/<int:pk>/", views.NodeOverviewView.as_view(), name="node_overview"),
    path("nodes/<int:pk>/it-budget/", views.BudgetYearEditView.as_view(), name="year_edit"),
    path("nodes/<int:pk>/rollup/", views.RollupView.as_view(), name="rollup"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/add/", views.ProjectEditView.as_view(), name="project_add"),
    path("projects/import/", views.ProjectImportView.as_view(), name="project_import"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/add/", views.ApplicationAddView.as_view(), name="application_add"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/ars-file/", views.ArsFileView.as_view(), name="ars_file"),
    path("milestones/<int:pk>/", views.MilestoneEditView.as_view(), name="milestone_edit"),
]
