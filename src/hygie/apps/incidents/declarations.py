"""Pre-filled declarations: the CERT Santé report, the CNIL notification, the NIS2 and ANSSI reports.

Each declaration is built from the case as an ordered list of sections of fields (label + value),
frozen into a :class:`~hygie.apps.incidents.models.Declaration` when generated (what was sent
stays what it was, whatever the case becomes), rendered as plain text and as PDF, and marked sent
with its date and reference, which records the matching regulatory obligation.

The CERT Santé fields follow the arrêté of 30 October 2017 (structure and declarant; description;
impacts; causes), the CNIL ones GDPR article 33(3), the NIS2 ones article 23(4) of the directive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.incidents.models import (
    CrisisMember,
    CrisisRole,
    Declaration,
    DeclarationKind,
    Incident,
    LogEntryKind,
)
from hygie.apps.incidents.services import (
    IncidentError,
    add_log_entry,
    check_not_future,
    incident_clocks,
    record_obligation,
)
from hygie.engines.incidents import local_time, shipped_rules

if TYPE_CHECKING:
    from hygie.apps.incidents.models import CommunicationTemplate
    from hygie.apps.organizations.models import Node

__all__ = [
    "CNIL_HOURS",
    "DeclarationField",
    "DeclarationSection",
    "build_content",
    "content_text",
    "declaration_pdf",
    "generate_declaration",
    "mark_sent",
    "obligation_for",
    "prepare_message",
]

#: GDPR art. 33(1): beyond 72 hours the notification gives the reasons for the delay.
CNIL_HOURS = 72
_TIME_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class DeclarationField:
    """One field of a form: what it asks and the answer taken from the case."""

    label: str
    value: str


@dataclass(frozen=True)
class DeclarationSection:
    """A titled group of fields."""

    title: str
    fields: tuple[DeclarationField, ...]


def _when(moment: dt.datetime | None) -> str:
    """A time on the Paris wall clock (the regulators' forms are in French local time)."""
    if moment is None:
        return _("Not known")
    return local_time(moment).strftime(f"{_TIME_FORMAT} %Z")


def _text(value: Any) -> str:
    text = str(value).strip() if value not in (None, "") else ""
    return text or _("Not provided")


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _members(node: Node) -> list[CrisisMember]:
    """Crisis-cell members of the node and its ancestors, nearest node first, then by role and rank.

    Read without ``restrict``: the caller may already see the incident, and its crisis cell is
    part of the case (like the regulatory profile of the ancestors).
    """
    members = list(CrisisMember.objects.filter(node__path__in=node.lineage_paths()).select_related("node"))
    return sorted(members, key=lambda m: (-len(m.node.path), m.rank, m.pk))


def _member(node: Node, *roles: str, user: Any = None) -> CrisisMember | None:
    members = _members(node)
    if user is not None and getattr(user, "pk", None) is not None:
        own = next((m for m in members if m.user_id == user.pk), None)
        if own is not None:
            return own
    for role in roles:
        found = next((m for m in members if m.role == role), None)
        if found is not None:
            return found
    return None


def _contact(member: CrisisMember | None, user: Any) -> list[DeclarationField]:
    full_name = ""
    if user is not None and getattr(user, "pk", None) is not None:
        full_name = user.get_full_name() or user.get_username()
    email = (member.work_email or member.personal_email) if member else ""
    if not email and user is not None:
        email = getattr(user, "email", "") or ""
    return [
        DeclarationField(_("Name"), _text(member.name if member else full_name)),
        DeclarationField(_("Position"), _text(member.position or member.get_role_display() if member else "")),
        DeclarationField(_("Phone"), _text((member.mobile or member.landline) if member else "")),
        DeclarationField(_("E-mail"), _text(email)),
    ]


def _establishments(incident: Incident) -> list[Node]:
    return list(incident.establishments.all()) or [incident.node]


def _structure(incident: Incident) -> list[DeclarationField]:
    hit = _establishments(incident)
    return [
        DeclarationField(_("Establishment"), _text(", ".join(node.name for node in hit))),
        DeclarationField(_("FINESS EJ"), _text(", ".join(node.finess_ej for node in hit if node.finess_ej))),
        DeclarationField(_("FINESS EG"), _text(", ".join(node.finess_eg for node in hit if node.finess_eg))),
        DeclarationField(_("City"), _text(", ".join(node.city for node in hit if node.city))),
        DeclarationField(_("Category"), _text(", ".join(str(node.get_category_display()) for node in hit
                                                        if node.category))),
        DeclarationField(_("Handled by"), incident.node.name),
    ]


def _affected(incident: Incident) -> str:
    parts = [incident.systems_and_data.strip()]
    for label, names in ((_("Applications"), [a.name for a in incident.applications.all()]),
                         (_("Assets"), [a.name for a in incident.assets.all()]),
                         (_("Care activities"), [a.name for a in incident.activities.all()])):
        if names:
            parts.append(f"{label}: {', '.join(sorted(names))}")
    return "\n".join(part for part in parts if part)


def _done(incident: Incident, obligation: str) -> str:
    record = next((r for r in incident.obligations.all() if r.obligation == obligation), None)
    if record is None:
        return _("No")
    return _("Yes, on %(date)s (reference: %(reference)s)") % {"date": _when(record.done_at),
                                                               "reference": record.reference}


def _description(incident: Incident) -> list[DeclarationField]:
    return [
        DeclarationField(_("Date and time found"), _when(incident.aware_at)),
        DeclarationField(_("Start of the incident, if known"), _when(incident.occurred_at)),
        DeclarationField(_("Type of incident"), str(incident.get_kind_display())),
        DeclarationField(_("Severity"), str(incident.get_severity_display())),
        DeclarationField(_("Description"), _text(incident.description)),
        DeclarationField(_("Scope"), _text(incident.scope)),
        DeclarationField(_("Systems and data concerned"), _text(_affected(incident))),
        DeclarationField(_("Handling status"), _text(incident.handling_status)),
        DeclarationField(_("Indicators of compromise"), str(incident.indicators.count())),
    ]


def _impacts(incident: Incident) -> list[DeclarationField]:
    return [
        DeclarationField(_("Impact on data"), _text(incident.impact_data)),
        DeclarationField(_("Impact on people (patients, staff)"), _text(incident.impact_people)),
        DeclarationField(_("Impact on the information system"), _text(incident.impact_is)),
        DeclarationField(_("Impact on the structure (care, finances, image)"), _text(incident.impact_structure)),
        DeclarationField(_("Persons whose data is concerned"), _text(incident.persons_affected)),
    ]


def _cert_sante(incident: Incident, user: Any) -> list[DeclarationSection]:
    declarant = _member(incident.node, CrisisRole.CISO, CrisisRole.DIRECTOR, user=user)
    return [
        DeclarationSection(_("Structure"), tuple(_structure(incident))),
        DeclarationSection(_("Declarant"), tuple(_contact(declarant, user))),
        DeclarationSection(_("Description of the incident"), tuple(_description(incident))),
        DeclarationSection(_("Impacts"), tuple(_impacts(incident))),
        DeclarationSection(_("Causes"), (DeclarationField(_("Causes, if known"), _text(incident.causes)),)),
        DeclarationSection(_("Other steps"), (
            DeclarationField(_("Complaint filed"), _done(incident, "criminal_complaint")),
            DeclarationField(_("CNIL notified"), _done(incident, "cnil")),
        )),
    ]


def _cnil(incident: Incident, user: Any, now: dt.datetime) -> list[DeclarationSection]:
    dpo = _member(incident.node, CrisisRole.DPO)
    late = now - incident.aware_at > dt.timedelta(hours=CNIL_HOURS)
    dates = [
        DeclarationField(_("Start of the breach"), _when(incident.occurred_at)),
        DeclarationField(_("Awareness of the breach"), _when(incident.aware_at)),
    ]
    if late:
        dates.append(DeclarationField(
            _("Reasons for the delay"),
            _("To be completed: this notification is made more than 72 hours after awareness.")))
    informed = _done(incident, "data_subjects")
    if informed == _("No") and incident.high_risk_to_persons:
        informed = _("Not yet (required: high risk to the persons concerned)")
    return [
        DeclarationSection(_("Controller"), tuple(_structure(incident))),
        DeclarationSection(_("Contact: data protection officer"), tuple(_contact(dpo, None if dpo else user))),
        DeclarationSection(_("Nature of the breach"), (
            DeclarationField(_("Type of incident"), str(incident.get_kind_display())),
            DeclarationField(_("Description"), _text(incident.description)),
            DeclarationField(_("Data concerned"), _text(_affected(incident))),
            DeclarationField(_("Categories of persons concerned"), _text(incident.impact_people)),
            DeclarationField(_("Approximate number of persons concerned"), _text(incident.persons_affected)),
            DeclarationField(_("Approximate number of records concerned"), _text(incident.impact_data)),
        )),
        DeclarationSection(_("Likely consequences"), (
            DeclarationField(_("For the persons concerned"), _text(incident.impact_people)),
            DeclarationField(_("For the data"), _text(incident.impact_data)),
        )),
        DeclarationSection(_("Measures taken or proposed"), (
            DeclarationField(_("Measures"), _text(incident.handling_status)),
            DeclarationField(_("Persons informed (GDPR art. 34)"), informed),
        )),
        DeclarationSection(_("Dates"), tuple(dates)),
    ]


def _nis2(incident: Incident, user: Any, kind: str) -> list[DeclarationSection]:
    contact = _member(incident.node, CrisisRole.CISO, CrisisRole.DIRECTOR, user=user)
    sections = [
        DeclarationSection(_("Entity"), tuple(_structure(incident))),
        DeclarationSection(_("Contact"), tuple(_contact(contact, user))),
    ]
    warning = [
        DeclarationField(_("Awareness of the incident"), _when(incident.aware_at)),
        DeclarationField(_("Suspected unlawful or malicious act"), _yes_no(incident.malicious)),
        DeclarationField(_("Possible cross-border impact"), _("To be assessed")),
    ]
    sections.append(DeclarationSection(_("Early warning"), tuple(warning)))
    if kind == DeclarationKind.NIS2_EARLY_WARNING:
        return sections
    indicators = "\n".join(f"{i.get_kind_display()}: {i.value}" for i in incident.indicators.all())
    sections.append(DeclarationSection(_("Initial assessment"), (
        DeclarationField(_("Type of incident"), str(incident.get_kind_display())),
        DeclarationField(_("Description"), _text(incident.description)),
        DeclarationField(_("Severity"), str(incident.get_severity_display())),
        DeclarationField(_("Impact"), _text("\n".join(t for t in (incident.impact_is, incident.impact_structure,
                                                                  incident.impact_data) if t.strip()))),
        DeclarationField(_("Indicators of compromise"), _text(indicators)),
    )))
    if kind != DeclarationKind.NIS2_FINAL_REPORT:
        return sections
    sections.append(DeclarationSection(_("Final report"), (
        DeclarationField(_("Detailed description"), _text("\n".join(
            t for t in (incident.description, incident.scope, _affected(incident)) if t.strip()))),
        DeclarationField(_("Type of threat or root cause"), _text(incident.causes)),
        DeclarationField(_("Mitigation measures applied and ongoing"), _text(incident.handling_status)),
        DeclarationField(_("Cross-border impact"), _("To be assessed")),
        DeclarationField(_("Contained at"), _when(incident.contained_at)),
        DeclarationField(_("Recovered at"), _when(incident.recovered_at)),
    )))
    return sections


def _title(kind: str) -> str:
    if kind == DeclarationKind.ANSSI:
        return _("Incident report to ANSSI (operator of essential services)")
    return str(DeclarationKind(kind).label)


def build_content(incident: Incident, kind: str, *, user: Any = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The declaration ``kind`` of ``incident`` as ``{"kind", "title", "reference", "sections": [...]}``.

    Each section is ``{"title", "fields": [{"label", "value"}]}``, in the form's order, labels in
    the active language. ``IncidentError`` for an unknown kind.
    """
    if kind not in DeclarationKind.values:
        raise IncidentError(_("Unknown declaration: %(kind)s (known: %(kinds)s).") % {
            "kind": kind, "kinds": ", ".join(DeclarationKind.values)})
    moment = now or timezone.now()
    if kind == DeclarationKind.CERT_SANTE:
        sections = _cert_sante(incident, user)
    elif kind == DeclarationKind.CNIL:
        sections = _cnil(incident, user, moment)
    else:
        # ANSSI's OSE report asks what the NIS2 notification asks.
        sections = _nis2(incident, user, DeclarationKind.NIS2_NOTIFICATION if kind == DeclarationKind.ANSSI else kind)
    return {
        "kind": kind, "title": _title(kind), "reference": incident.reference, "incident": incident.title,
        "generated_at": moment.isoformat(),
        "sections": [{"title": s.title, "fields": [{"label": f.label, "value": f.value} for f in s.fields]}
                     for s in sections],
    }


def content_text(content: dict[str, Any]) -> str:
    """The plain-text rendering of a declaration's content (what is pasted into a portal or an e-mail)."""
    lines = [str(content.get("title", "")), f"{content.get('reference', '')} {content.get('incident', '')}".strip(),
             ""]
    for section in content.get("sections", []):
        lines += [str(section["title"]).upper(), "-" * len(str(section["title"]))]
        for field in section["fields"]:
            value = str(field["value"])
            if "\n" in value:
                lines.append(f"{field['label']}:")
                lines += [f"    {line}" for line in value.splitlines()]
            else:
                lines.append(f"{field['label']}: {value}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def generate_declaration(incident: Incident, kind: str, *, user: Any) -> Declaration:
    """Generate and keep the declaration ``kind`` of ``incident`` (content frozen now), and log it."""
    content = build_content(incident, kind, user=user)
    actor = user if getattr(user, "pk", None) is not None else None
    with transaction.atomic():
        declaration = Declaration.objects.create(incident=incident, kind=kind, content=content,
                                                 text=content_text(content), generated_by=actor)
        add_log_entry(incident, kind=LogEntryKind.ACTION, user=actor,
                      author_name="" if actor else getattr(user, "username", ""),
                      text=_("Declaration generated: %(title)s.") % {"title": content["title"]})
    return declaration


def declaration_pdf(declaration: Declaration) -> bytes:
    """The declaration as PDF (its frozen content; no external resource is fetched)."""
    from weasyprint import HTML

    html = render_to_string("incidents/declarations/document.html", {
        "content": declaration.content, "declaration": declaration,
        "generated": _when(declaration.generated_at), "sent": _when(declaration.sent_at) if declaration.sent_at else "",
    })
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def obligation_for(kind: str) -> str | None:
    """The id of the obligation rule fulfilled by sending a declaration of ``kind`` (None when none)."""
    return next((rule.id for rule in shipped_rules().rules if rule.declaration == kind), None)


def mark_sent(declaration: Declaration, sent_at: dt.datetime, reference: str, user: Any) -> Declaration:
    """Mark the declaration sent and record the obligation it fulfils (when it applies and is not yet recorded).

    ``IncidentError`` (nothing stored) when already sent, ``sent_at`` is in the future or before
    the declaration was generated, or no reference is given.
    """
    if declaration.sent_at is not None:
        raise IncidentError(_("This declaration was already marked sent on %(date)s.") % {
            "date": _when(declaration.sent_at)})
    check_not_future(sent_at, _("The time it was sent"))
    reference = (reference or "").strip()
    if not reference:
        raise IncidentError(_("Give the sending reference: a receipt number, a portal reference or the address "
                              "written to."))
    incident = declaration.incident
    obligation = obligation_for(declaration.kind)
    applicable = {clock.rule.id for clock in incident_clocks(incident)}
    actor = user if getattr(user, "pk", None) is not None else None
    with transaction.atomic():
        declaration.sent_at = sent_at
        declaration.sent_reference = reference[:300]
        declaration.save(update_fields=["sent_at", "sent_reference"])
        if obligation in applicable and not incident.obligations.filter(obligation=obligation).exists():
            record_obligation(incident, obligation, done_at=sent_at, reference=reference, user=actor)
        else:
            add_log_entry(incident, kind=LogEntryKind.COMMUNICATION, occurred_at=sent_at, user=actor,
                          text=_("Declaration sent: %(title)s (reference: %(reference)s).") % {
                              "title": declaration.content.get("title") or declaration.get_kind_display(),
                              "reference": declaration.sent_reference})
    return declaration


#: The names a communication template may use; nothing else in its text is interpreted.
_PLACEHOLDERS = ("establishment", "date", "time", "reference")


def prepare_message(template: CommunicationTemplate, incident: Incident, now: dt.datetime | None = None) -> str:
    """The template's message filled from the incident.

    Only ``{establishment}``, ``{date}``, ``{time}`` and ``{reference}`` are replaced, by plain
    text substitution: the body is the user's text, and ``str.format`` on it would evaluate
    attribute and index lookups (``{0.__class__}``) — other braces are left as written.
    """
    local = local_time(now or timezone.now())
    values = {
        "establishment": ", ".join(node.name for node in _establishments(incident)),
        "date": local.strftime("%d/%m/%Y"),
        "time": local.strftime("%H:%M"),
        "reference": incident.reference,
    }
    body = template.body
    # One pass over the text so that a value containing "{date}" is not itself replaced.
    out: list[str] = []
    index = 0
    while index < len(body):
        for name in _PLACEHOLDERS:
            token = "{" + name + "}"
            if body.startswith(token, index):
                out.append(values[name])
                index += len(token)
                break
        else:
            out.append(body[index])
            index += 1
    return "".join(out)
