"""What the incident views share: the incident named in the URL, and the incident page's context.

The incident page carries many small forms (log, clocks, status, tasks, evidence...); a refused
form re-renders the whole page with that form bound and its errors, status 400, nothing stored.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.continuity.models import DegradedMode
from hygie.apps.detection.models import Alert
from hygie.apps.findings.models import Finding
from hygie.apps.incidents.forms import (
    DeclarationSentForm,
    EvidenceForm,
    IndicatorForm,
    LessonsForm,
    LogEntryForm,
    ObligationDoneForm,
    StatusForm,
    TaskForm,
)
from hygie.apps.incidents.models import (
    CommunicationTemplate,
    Declaration,
    DeclarationKind,
    Incident,
    IncidentEvidence,
    IncidentStatus,
    IncidentTask,
    Indicator,
    LogEntry,
    TaskStatus,
)
from hygie.apps.incidents.services import incident_clocks
from hygie.apps.inventory.models import CareActivity
from hygie.engines._core import Severity
from hygie.engines.incidents import PARIS, ClockState
from hygie.web.views import TenantView

if TYPE_CHECKING:
    from django.http import HttpResponse

__all__ = ["IncidentScopedView", "describe_delta", "incident_context"]


def describe_delta(delta: dt.timedelta) -> str:
    """A duration for people: "3 d 4 h", "5 h 12 min", "7 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


def _authority_labels() -> dict[str, str]:
    # The rule file names authorities by id (hygie.engines.incidents.AUTHORITIES); people read names.
    return {"cert_sante": "CERT Santé", "anssi": "ANSSI", "cnil": "CNIL", "ars": _("ARS"),
            "police": _("Police or gendarmerie"), "insurer": _("Insurer"), "data_subjects": _("Persons concerned")}


def clock_rows(incident: Incident, user: Any) -> list[dict[str, Any]]:
    """The regulatory clocks as table rows: deadline in Paris time, remaining or overdue, proof."""
    now = timezone.now()
    language = get_language() or "en"
    records = {record.obligation: record for record in incident.obligations.all()}
    evidence_ids = {record.evidence_id for record in records.values() if record.evidence_id}
    visible = {e.pk: e for e in IncidentEvidence.objects.restrict(user, Action.VIEW).filter(pk__in=evidence_ids)}
    authorities = _authority_labels()
    rows = []
    for clock in incident_clocks(incident, now):
        remaining = clock.remaining(now)
        record = records.get(clock.rule.id)
        if clock.state in {ClockState.DONE, ClockState.DONE_LATE}:
            margin = (_("%(time)s ahead") if remaining >= dt.timedelta(0) else _("%(time)s late")) % {
                "time": describe_delta(remaining)}
        elif clock.state == ClockState.OVERDUE:
            margin = _("overdue by %(time)s") % {"time": describe_delta(remaining)}
        else:
            margin = _("%(time)s left") % {"time": describe_delta(remaining)}
        rows.append({
            "id": clock.rule.id, "title": clock.rule.title_in(language), "basis": clock.rule.basis_in(language),
            "authority": authorities.get(clock.rule.authority, clock.rule.authority),
            "deadline": clock.deadline.astimezone(PARIS),
            "provisional": clock.provisional, "state": clock.state.value, "state_label": clock.state.label,
            "margin": margin, "record": record,
            "evidence": visible.get(record.evidence_id) if record and record.evidence_id else None,
            "declaration": clock.rule.declaration,
        })
    return rows


def _log(incident: Incident, user: Any) -> list[LogEntry]:
    """Entries in time order, each carrying the corrections written about it (``corrections_shown``).

    A correction of a correction goes under the entry first corrected, so the whole story of an
    entry reads in one place.
    """
    entries = list(LogEntry.objects.restrict(user, Action.VIEW).filter(incident=incident))
    by_pk = {entry.pk: entry for entry in entries}

    def root(entry: LogEntry) -> LogEntry:
        seen = set()
        while entry.corrects_id in by_pk and entry.pk not in seen:
            seen.add(entry.pk)
            entry = by_pk[entry.corrects_id]
        return entry

    for entry in entries:
        entry.corrections_shown = []  # type: ignore[attr-defined]
    shown = []
    for entry in entries:
        top = root(entry)
        if top is entry:
            shown.append(entry)
        else:
            top.corrections_shown.append(entry)  # type: ignore[attr-defined]
    return shown


def _activities(incident: Incident, user: Any) -> list[CareActivity]:
    activities = list(CareActivity.objects.restrict(user, Action.VIEW).filter(incidents=incident)
                      .select_related("node"))
    modes = DegradedMode.objects.restrict(user, Action.VIEW).filter(activity__in=activities)
    by_activity: dict[int, list[DegradedMode]] = {}
    for mode in modes:
        by_activity.setdefault(mode.activity_id, []).append(mode)
    for activity in activities:
        activity.modes_shown = by_activity.get(activity.pk, [])  # type: ignore[attr-defined]
    return activities


def _templates(incident: Incident) -> list[dict[str, Any]]:
    from hygie.apps.incidents.declarations import prepare_message

    # Templates set on the handling node or above it apply to the incident, like the regulatory
    # profile: the incident itself was read through the choke point, its lineage is its own.
    templates = CommunicationTemplate.objects.filter(node__path__in=incident.node.lineage_paths())
    return [{"template": t, "message": prepare_message(t, incident)} for t in templates.select_related("node")]


def incident_context(incident: Incident, user: Any, **forms: Any) -> dict[str, Any]:
    """Everything the incident page shows; ``forms`` replaces the empty forms (a bound form with errors)."""
    may_change = user_can(user, Action.CHANGE, incident.node.path)
    may_add = user_can(user, Action.ADD, incident.node.path)
    rows = clock_rows(incident, user)
    applicable = {row["declaration"] for row in rows if row["declaration"]}
    defaults: dict[str, Any] = {
        "log_form": LogEntryForm(incident=incident, user=user),
        "done_form": ObligationDoneForm(),
        "status_form": StatusForm(),
        "lessons_form": LessonsForm(instance=incident),
        "task_form": TaskForm(incident=incident),
        "indicator_form": IndicatorForm(),
        "evidence_form": EvidenceForm(),
        "sent_form": DeclarationSentForm(),
    }
    defaults.update(forms)
    return {
        "object": incident, "incident": incident, "title": str(incident),
        "may_change": may_change, "may_add": may_add,
        "clocks": rows, "overdue_count": sum(1 for row in rows if row["state"] == ClockState.OVERDUE),
        "log": _log(incident, user),
        "indicators": Indicator.objects.restrict(user, Action.VIEW).filter(incident=incident),
        "tasks": IncidentTask.objects.restrict(user, Action.VIEW).filter(incident=incident).select_related("owner"),
        "evidence": IncidentEvidence.objects.restrict(user, Action.VIEW).filter(incident=incident),
        "alerts": Alert.objects.restrict(user, Action.VIEW).filter(incidents=incident),
        "findings": Finding.objects.restrict(user, Action.VIEW).filter(incidents=incident),
        "establishments": incident.establishments.all(), "sites": incident.sites.all(),
        "activities": _activities(incident, user),
        "declarations": Declaration.objects.restrict(user, Action.VIEW).filter(incident=incident),
        "declaration_kinds": [(kind, label) for kind, label in DeclarationKind.choices if kind in applicable],
        "templates": _templates(incident),
        "statuses": IncidentStatus.choices, "task_statuses": TaskStatus.choices,
        "severity_name": Severity(incident.severity).name.lower(),
        **defaults,
    }


class IncidentScopedView(TenantView):
    """A view about the incident named by ``pk`` (404 outside the user's scope, 403 without the right)."""

    model = Incident
    action = Action.CHANGE

    def incident(self, action: Action | None = None) -> Incident:
        """The incident of the URL, checked for ``action``."""
        incident: Incident = self.get_object(action or self.action)
        return incident

    def page(self, incident: Incident, status: int = 200, **forms: Any) -> HttpResponse:
        """The incident page (with a bound form when one was refused)."""
        return render(self.request, "incidents/incident_detail.html",
                      incident_context(incident, self.request.user, **forms), status=status)
