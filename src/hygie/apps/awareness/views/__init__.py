"""Views of the awareness app, split by topic; ``urls.py`` names them all."""

from __future__ import annotations

from hygie.apps.awareness.views.nodes import (
    CheckView,
    NodeOverviewView,
    OverviewView,
    RollupView,
    StaffEditView,
    TargetEditView,
)
from hygie.apps.awareness.views.records import (
    CampaignDetailView,
    CampaignListView,
    GophishImportView,
    SessionDetailView,
    SessionListView,
    TrainingImportView,
)

__all__ = [
    "CampaignDetailView",
    "CampaignListView",
    "CheckView",
    "GophishImportView",
    "NodeOverviewView",
    "OverviewView",
    "RollupView",
    "SessionDetailView",
    "SessionListView",
    "StaffEditView",
    "TargetEditView",
    "TrainingImportView",
]
