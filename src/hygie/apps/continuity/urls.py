"""URLs of continuity and recovery."""

from __future__ import annotations

from django.urls import path

from hygie.apps.continuity import views

app_name = "continuity"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("nodes/<int:pk>/", views.NodeOverviewView.as_view(), name="node_overview"),
    path("nodes/<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("nodes/<int:pk>/readiness/", views.ReadinessView.as_view(), name="readiness"),
    path("nodes/<int:pk>/calendar/", views.CalendarView.as_view(), name="calendar"),
    path("nodes/<int:pk>/programme/", views.ProgrammeEditView.as_view(), name="programme_edit"),
    path("components/", views.ComponentListView.as_view(), name="component_list"),
    path("components/add/", views.ComponentEditView.as_view(), name="component_add"),
    path("components/<int:pk>/", views.ComponentDetailView.as_view(), name="component_detail"),
    path("components/<int:pk>/edit/", views.ComponentEditView.as_view(), name="component_edit"),
    path("components/<int:pk>/backup-plan/", views.BackupPlanEditView.as_view(), name="backupplan_edit"),
    path("components/<int:pk>/restore-tests/add/", views.RestoreTestAddView.as_view(), name="restoretest_add"),
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/add/", views.TeamEditView.as_view(), name="team_add"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("backups/", views.BackupSystemListView.as_view(), name="backupsystem_list"),
    path("backups/add/", views.BackupSystemEditView.as_view(), name="backupsystem_add"),
    path("backups/<int:pk>/", views.BackupSystemDetailView.as_view(), name="backupsystem_detail"),
    path("backups/<int:pk>/edit/", views.BackupSystemEditView.as_view(), name="backupsystem_edit"),
    path("activities/<int:pk>/bia/", views.BiaView.as_view(), name="bia"),
    path(
        "activities/<int:activity>/degraded-modes/add/", views.DegradedModeEditView.as_view(), name="degradedmode_add"
    ),
    path("degraded-modes/<int:pk>/edit/", views.DegradedModeEditView.as_view(), name="degradedmode_edit"),
    path("scenarios/", views.ScenarioListView.as_view(), name="scenario_list"),
    path("scenarios/add/", views.ScenarioEditView.as_view(), name="scenario_add"),
    path("scenarios/<int:pk>/", views.ScenarioDetailView.as_view(), name="scenario_detail"),
    path("scenarios/<int:pk>/edit/", views.ScenarioEditView.as_view(), name="scenario_edit"),
    path("scenarios/<int:pk>/simulate/", views.SimulateView.as_view(), name="scenario_simulate"),
    path("simulations/<int:pk>/", views.SimulationDetailView.as_view(), name="simulation_detail"),
    path("simulations/<int:pk>/report/", views.SimulationReportView.as_view(), name="simulation_report"),
    path("exercises/", views.ExerciseListView.as_view(), name="exercise_list"),
    path("exercises/add/", views.ExerciseEditView.as_view(), name="exercise_add"),
    path("exercises/<int:pk>/", views.ExerciseDetailView.as_view(), name="exercise_detail"),
    path("exercises/<int:pk>/edit/", views.ExerciseEditView.as_view(), name="exercise_edit"),
    path("exercises/<int:pk>/record/", views.ExerciseRecordView.as_view(), name="exercise_record"),
    path("exercises/<int:pk>/actions/", views.ExerciseActionView.as_view(), name="exercise_action"),
]
