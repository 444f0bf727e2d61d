"""Views of continuity and recovery (CaRE domain 2), split by topic; ``urls.py`` names them all."""

from __future__ import annotations

from hygie.apps.continuity.views.backups import BackupPlanEditView, RestoreTestAddView
from hygie.apps.continuity.views.components import (
    BackupSystemDetailView,
    BackupSystemEditView,
    BackupSystemListView,
    ComponentDetailView,
    ComponentEditView,
    ComponentListView,
    TeamDetailView,
    TeamEditView,
    TeamListView,
)
from hygie.apps.continuity.views.documents import (
    NodeOverviewView,
    OverviewView,
    PlanView,
    ProgrammeEditView,
    ReadinessView,
)
from hygie.apps.continuity.views.exercises import (
    CalendarView,
    ExerciseActionView,
    ExerciseDetailView,
    ExerciseEditView,
    ExerciseListView,
    ExerciseRecordView,
)
from hygie.apps.continuity.views.impact import BiaView, DegradedModeEditView
from hygie.apps.continuity.views.scenarios import (
    ScenarioDetailView,
    ScenarioEditView,
    ScenarioListView,
    SimulateView,
    SimulationDetailView,
    SimulationReportView,
)

__all__ = [
    "BackupPlanEditView",
    "BackupSystemDetailView",
    "BackupSystemEditView",
    "BackupSystemListView",
    "BiaView",
    "CalendarView",
    "ComponentDetailView",
    "ComponentEditView",
    "ComponentListView",
    "DegradedModeEditView",
    "ExerciseActionView",
    "ExerciseDetailView",
    "ExerciseEditView",
    "ExerciseListView",
    "ExerciseRecordView",
    "NodeOverviewView",
    "OverviewView",
    "PlanView",
    "ProgrammeEditView",
    "ReadinessView",
    "RestoreTestAddView",
    "ScenarioDetailView",
    "ScenarioEditView",
    "ScenarioListView",
    "SimulateView",
    "SimulationDetailView",
    "SimulationReportView",
    "TeamDetailView",
    "TeamEditView",
    "TeamListView",
]
