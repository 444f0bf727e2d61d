"""Views of budget and funding, split by topic; ``urls.py`` names them all."""

from __future__ import annotations

from hygie.apps.budget.views.applications import (
    ApplicationAddView,
    ApplicationDetailView,
    ApplicationListView,
    ArsFileView,
    MilestoneEditView,
)
from hygie.apps.budget.views.overview import (
    BudgetYearEditView,
    NodeOverviewView,
    OverviewView,
    ProgrammeListView,
    RollupView,
)
from hygie.apps.budget.views.projects import ProjectDetailView, ProjectEditView, ProjectImportView, ProjectListView

__all__ = [
    "ApplicationAddView",
    "ApplicationDetailView",
    "ApplicationListView",
    "ArsFileView",
    "BudgetYearEditView",
    "MilestoneEditView",
    "NodeOverviewView",
    "OverviewView",
    "ProgrammeListView",
    "ProjectDetailView",
    "ProjectEditView",
    "ProjectImportView",
    "ProjectListView",
    "RollupView",
]
