"""The timeline of an incident: its dated events merged in order, exported as CSV, JSON and PDF.

Events come from the crisis log (corrections shown as such, and the entries they correct marked),
the incident's own times (start, awareness, containment, recovery, closure), the obligations done,
the declarations generated and sent, and the tasks done. It is the document of the post-incident
review ("retour d'expérience").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.incidents.models import TaskStatus
from hygie.engines.incidents import local_time, shipped_rules
from hygie.web.tables import Column, csv_text

if TYPE_CHECKING:
    from hygie.apps.incidents.models import Incident

__all__ = ["TimelineEvent", "timeline", "timeline_csv", "timeline_json", "timeline_pdf"]


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event of the incident."""

    at: dt.datetime
    source: str  # log, incident, obligation, declaration, task
    kind: str
    text: str
    author: str = ""
    ref: str = ""  # the log entry's uid, the obligation id, the declaration or task id

    @property
    def utc(self) -> str:
        """The time in UTC, ISO 8601 to the second."""
        return self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def local(self) -> str:
        """The time on the Paris wall clock, to the minute, with its zone."""
        return local_time(self.at).strftime("%Y-%m-%d %H:%M %Z")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"at": self.at.isoformat(), "local": self.local, "source": self.source, "kind": self.kind,
                "text": self.text, "author": self.author, "ref": self.ref}


def _log_events(incident: Incident) -> list[TimelineEvent]:
    entries = list(incident.log_entries.all())
    corrected = {entry.corrects_id for entry in entries if entry.corrects_id}
    by_id = {entry.pk: entry for entry in entries}
    events = []
    for entry in entries:
        text = entry.text
        if entry.corrects_id:
            original = by_id.get(entry.corrects_id)
            when = local_time(original.occurred_at).strftime("%Y-%m-%d %H:%M") if original else "?"
            text = _("Correction of the entry of %(when)s: %(text)s") % {"when": when, "text": entry.text}
        if entry.pk in corrected:
            text = _("%(text)s [corrected by a later entry]") % {"text": text}
        events.append(TimelineEvent(entry.occurred_at, "log", entry.kind, text, entry.author_name, str(entry.uid)))
    return events


def _incident_events(incident: Incident) -> list[TimelineEvent]:
    times = (("occurred", incident.occurred_at, _("Start of the incident (estimated).")),
             ("aware", incident.aware_at, _("Awareness: the regulatory clocks start.")),
             ("contained", incident.contained_at, _("Incident contained.")),
             ("recovered", incident.recovered_at, _("Activity recovered.")),
             ("closed", incident.closed_at, _("Incident closed.")))
    return [TimelineEvent(moment, "incident", kind, text) for kind, moment, text in times if moment is not None]


def _other_events(incident: Incident) -> list[TimelineEvent]:
    from hygie.engines.incidents import ObligationRule

    rules: dict[str, ObligationRule] = {rule.id: rule for rule in shipped_rules().rules}
    language = _language()
    events = []
    for record in incident.obligations.all():
        rule = rules.get(record.obligation)
        title = rule.title_in(language) if rule else record.obligation
        events.append(TimelineEvent(record.done_at, "obligation", record.obligation,
                                    _("Done: %(title)s (proof: %(reference)s).") % {
                                        "title": title, "reference": record.reference},
                                    record.recorded_by.get_username() if record.recorded_by else "",
                                    record.obligation))
    for declaration in incident.declarations.all():
        title = declaration.content.get("title") or str(declaration.get_kind_display())
        author = declaration.generated_by.get_username() if declaration.generated_by else ""
        events.append(TimelineEvent(declaration.generated_at, "declaration", "generated",
                                    _("Declaration generated: %(title)s.") % {"title": title}, author,
                                    str(declaration.pk)))
        if declaration.sent_at is not None:
            events.append(TimelineEvent(declaration.sent_at, "declaration", "sent",
                                        _("Declaration sent: %(title)s (reference: %(reference)s).") % {
                                            "title": title, "reference": declaration.sent_reference},
                                        author, str(declaration.pk)))
    for task in incident.tasks.all():
        if task.status == TaskStatus.DONE and task.done_at is not None:
            owner = task.owner.get_username() if task.owner else task.owner_name
            events.append(TimelineEvent(task.done_at, "task", task.kind,
                                        _("Task done: %(title)s.") % {"title": task.title}, owner, str(task.pk)))
    return events


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


_ORDER = {"incident": 0, "log": 1, "obligation": 2, "declaration": 3, "task": 4}


def timeline(incident: Incident) -> list[TimelineEvent]:
    """Every dated event of the incident, oldest first (same time: incident, log, obligations, declarations, tasks)."""
    events = [*_incident_events(incident), *_log_events(incident), *_other_events(incident)]
    return sorted(events, key=lambda event: (event.at, _ORDER[event.source]))


#: Columns of the CSV export; the project's CSV writer neutralises spreadsheet formulas in every cell.
CSV_COLUMNS = (
    Column("utc", gettext_lazy("Time (UTC)")),
    Column("local", gettext_lazy("Local time")),
    Column("source", gettext_lazy("Source")),
    Column("kind", gettext_lazy("Kind")),
    Column("text", gettext_lazy("Event")),
    Column("author", gettext_lazy("Author")),
    Column("ref", gettext_lazy("Reference")),
)


def timeline_csv(incident: Incident) -> str:
    """The timeline as CSV (one row per event, formulas neutralised)."""
    return csv_text(timeline(incident), CSV_COLUMNS)


def timeline_json(incident: Incident) -> dict[str, Any]:
    """The timeline as a JSON document."""
    return {"incident": {"id": incident.pk, "uid": str(incident.uid), "reference": incident.reference,
                         "title": incident.title},
            "exported_at": timezone.now().isoformat(),
            "events": [event.to_dict() for event in timeline(incident)]}


def timeline_pdf(incident: Incident) -> bytes:
    """The timeline as PDF (no external resource is fetched)."""
    from weasyprint import HTML

    html = render_to_string("incidents/declarations/timeline.html", {
        "incident": incident, "events": timeline(incident),
        "generated": local_time(timezone.now()).strftime("%Y-%m-%d %H:%M %Z"),
    })
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
