"""Views of compliance, split by topic; ``urls.py`` names them all."""

from __future__ import annotations

from hygie.apps.compliance.views.assessments import (
    AssessmentDetailView,
    AssessmentExportView,
    AssessmentOpenView,
    AssessmentRefreshView,
    GapListView,
    RemediationView,
)
from hygie.apps.compliance.views.frameworks import FrameworkDetailView, FrameworkImportView
from hygie.apps.compliance.views.items import (
    EvidenceDeleteView,
    EvidenceDownloadView,
    EvidenceLinkView,
    EvidenceUploadView,
    ItemConfirmView,
    ItemDetailView,
    ItemStatusView,
)
from hygie.apps.compliance.views.overview import OverviewView, RollupView

__all__ = [
    "AssessmentDetailView",
    "AssessmentExportView",
    "AssessmentOpenView",
    "AssessmentRefreshView",
    "EvidenceDeleteView",
    "EvidenceDownloadView",
    "EvidenceLinkView",
    "EvidenceUploadView",
    "FrameworkDetailView",
    "FrameworkImportView",
    "GapListView",
    "ItemConfirmView",
    "ItemDetailView",
    "ItemStatusView",
    "OverviewView",
    "RemediationView",
    "RollupView",
]
