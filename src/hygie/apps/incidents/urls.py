"""URLs of the incidents app.

The crisis log is append-only: there is a route to add an entry (or a correction) and none to
change or delete one.
"""

from __future__ import annotations

from django.urls import path

from hygie.apps.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("open/", views.IncidentOpenView.as_view(), name="incident_open"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/status/", views.IncidentStatusView.as_view(), name="incident_status"),
    path("<int:pk>/lessons/", views.IncidentLessonsView.as_view(), name="incident_lessons"),
    path("<int:pk>/timeline/", views.TimelineExportView.as_view(), name="timeline_export"),
    path("<int:pk>/log/", views.LogEntryAddView.as_view(), name="log_add"),
    path("<int:pk>/clocks/done/", views.ObligationDoneView.as_view(), name="obligation_done"),
    path("<int:pk>/tasks/", views.TaskAddView.as_view(), name="task_add"),
    path("<int:pk>/tasks/findings/", views.ActionsToFindingsView.as_view(), name="actions_to_findings"),
    path("<int:pk>/indicators/", views.IndicatorAddView.as_view(), name="indicator_add"),
    path("<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("<int:pk>/declarations/", views.DeclarationGenerateView.as_view(), name="declaration_generate"),
    path("tasks/<int:pk>/status/", views.TaskStatusView.as_view(), name="task_status"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("declarations/<int:pk>/", views.DeclarationDownloadView.as_view(), name="declaration_download"),
    path("declarations/<int:pk>/sent/", views.DeclarationSentView.as_view(), name="declaration_sent"),
    path("nodes/<int:pk>/crisis-cell/", views.CrisisCellView.as_view(), name="crisis_cell"),
    path("nodes/<int:pk>/crisis-cell/settings/", views.CellEditView.as_view(), name="cell_edit"),
    path("nodes/<int:pk>/crisis-cell/profile/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("nodes/<int:node>/crisis-cell/members/", views.MemberEditView.as_view(), name="member_add"),
    path("nodes/<int:pk>/crisis-cell/rota/", views.ShiftAddView.as_view(), name="shift_add"),
    path("nodes/<int:node>/crisis-cell/templates/", views.TemplateEditView.as_view(), name="template_add"),
    path("nodes/<int:pk>/crisis-kit/", views.KitGenerateView.as_view(), name="kit_generate"),
    path("nodes/<int:pk>/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("members/<int:pk>/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
    path("shifts/<int:pk>/delete/", views.ShiftDeleteView.as_view(), name="shift_delete"),
    path("templates/<int:pk>/", views.TemplateEditView.as_view(), name="template_edit"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template_delete"),
    path("kits/<int:pk>/", views.KitDownloadView.as_view(), name="kit_download"),
]
