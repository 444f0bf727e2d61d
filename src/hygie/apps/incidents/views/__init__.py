"""Views of the incidents app, split by topic; ``urls.py`` names them all.

The crisis log has an add view and nothing else: no route edits or deletes an entry (#8).
"""

from __future__ import annotations

from hygie.apps.incidents.views.cases import (
    IncidentDetailView,
    IncidentLessonsView,
    IncidentListView,
    IncidentOpenView,
    IncidentStatusView,
    StatisticsView,
    TimelineExportView,
)
from hygie.apps.incidents.views.clocks import ObligationDoneView
from hygie.apps.incidents.views.crisis import (
    CellEditView,
    CrisisCellView,
    KitDownloadView,
    KitGenerateView,
    MemberDeleteView,
    MemberEditView,
    ProfileEditView,
    ShiftAddView,
    ShiftDeleteView,
    TemplateDeleteView,
    TemplateEditView,
)
from hygie.apps.incidents.views.log import LogEntryAddView
from hygie.apps.incidents.views.records import (
    ActionsToFindingsView,
    DeclarationDownloadView,
    DeclarationGenerateView,
    DeclarationSentView,
    EvidenceDownloadView,
    EvidenceUploadView,
    IndicatorAddView,
    TaskAddView,
    TaskStatusView,
)

__all__ = [
    "ActionsToFindingsView",
    "CellEditView",
    "CrisisCellView",
    "DeclarationDownloadView",
    "DeclarationGenerateView",
    "DeclarationSentView",
    "EvidenceDownloadView",
    "EvidenceUploadView",
    "IncidentDetailView",
    "IncidentLessonsView",
    "IncidentListView",
    "IncidentOpenView",
    "IncidentStatusView",
    "IndicatorAddView",
    "KitDownloadView",
    "KitGenerateView",
    "LogEntryAddView",
    "MemberDeleteView",
    "MemberEditView",
    "ObligationDoneView",
    "ProfileEditView",
    "ShiftAddView",
    "ShiftDeleteView",
    "StatisticsView",
    "TaskAddView",
    "TaskStatusView",
    "TemplateDeleteView",
    "TemplateEditView",
    "TimelineExportView",
]
