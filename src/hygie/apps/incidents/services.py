"""The core operations on incidents, used alike by the web UI, the API, the CLI and offline merges.

Every operation validates before it writes and raises :class:`IncidentError` with a message meant for
the person (never a traceback); callers turn it into a form error, a 400/422 or an exit code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.incidents.models import (
    FUTURE_TOLERANCE,
    Incident,
    IncidentStatus,
    Insured,
    LogEntry,
    LogEntryKind,
    Nis2Status,
    ObligationRecord,
    RegulatoryProfile,
)
from hygie.apps.organizations.models import Node, NodeKind
from hygie.engines.incidents import Clock, ClockState, Fact, Situation, clocks, shipped_rules

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_LOG_TEXT",
    "TASK_FIELDS",
    "EffectiveProfile",
    "IncidentError",
    "add_indicator",
    "add_log_entry",
    "add_task",
    "check_not_future",
    "effective_profile",
    "incident_clocks",
    "lineage_profiles",
    "open_incident",
    "overdue_clocks",
    "record_obligation",
    "set_status",
    "situation_of",
    "update_incident",
    "update_task",
]

#: Longest crisis-log entry accepted (a long entry is a document: attach it as evidence).
MAX_LOG_TEXT = 20_000


class IncidentError(ValueError):
    """An operation refused, with a message for the person."""


def check_not_future(value: dt.datetime | None, label: str) -> None:
    """Refuse a naive time or one later than now (beyond a few minutes of clock skew)."""
    if value is None:
        return
    if timezone.is_naive(value):
        raise IncidentError(_("%(label)s has no time zone.") % {"label": label})
    if value > timezone.now() + FUTURE_TOLERANCE:
        raise IncidentError(_("%(label)s is in the future: %(value)s.") % {
            "label": label, "value": timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")})


def _first_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return f"{field}: {messages[0]}" if field != "__all__" else messages[0]
    return error.messages[0]


@dataclass(frozen=True)
class EffectiveProfile:
    """A node's regulatory profile after inheritance from its ancestors."""

    ose: bool
    nis2_status: str
    insured: bool
    insurer: str
    policy_number: str
    insurer_hotline: str
    insurer_notice_hours: int | None

    @property
    def nis2_entity(self) -> bool:
        """Whether NIS2 applies."""
        return self.nis2_status in {Nis2Status.IMPORTANT, Nis2Status.ESSENTIAL}


def _lineage_ids(node: Node) -> list[int]:
    # Ids of the root, the ancestors and the node, read from the path: no query.
    return [int(part) for part in node.path.split(".") if part]


def lineage_profiles(nodes: Iterable[Node]) -> dict[int, RegulatoryProfile]:
    """The profiles set on the given nodes and their ancestors, by node id, in one query."""
    ids = {pk for node in nodes for pk in _lineage_ids(node)}
    return {p.node_id: p for p in RegulatoryProfile.objects.filter(node_id__in=ids)}


def effective_profile(node: Node, *, ose: bool | None = None,
                      profiles: Mapping[int, RegulatoryProfile] | None = None) -> EffectiveProfile:
    """The profile in force at ``node``: each empty value taken from the nearest ancestor that sets it.

    Ancestors' profiles are read without ``restrict``: they are settings that apply to this node,
    like awareness targets. ``ose`` overrides the node's own OSE flag (an incident hitting an OSE
    member establishment counts as OSE). ``profiles`` (from :func:`lineage_profiles`) spares the
    query when many incidents are computed at once (the overdue banner on every page).
    """
    chain = _lineage_ids(node)
    if profiles is None:
        profiles = lineage_profiles([node])
    values: dict[str, Any] = {"nis2_status": "", "insured": "", "insurer": "", "policy_number": "",
                              "insurer_hotline": "", "insurer_notice_hours": None}
    for member in chain:  # root first: nearer nodes overwrite
        profile = profiles.get(member)
        if profile is None:
            continue
        for field in values:
            value = getattr(profile, field)
            if value not in ("", None):
                values[field] = value
    return EffectiveProfile(
        ose=node.is_ose if ose is None else ose,
        nis2_status=values["nis2_status"] or Nis2Status.NOT_IN_SCOPE,
        insured=values["insured"] == Insured.YES,
        insurer=values["insurer"], policy_number=values["policy_number"],
        insurer_hotline=values["insurer_hotline"], insurer_notice_hours=values["insurer_notice_hours"],
    )


def _establishments(incident: Incident) -> list[Node]:
    chosen = list(incident.establishments.all())
    if chosen:
        return chosen
    return [incident.node]


def situation_of(incident: Incident, *, profiles: Mapping[int, RegulatoryProfile] | None = None) -> Situation:
    """The facts the clock rules test, from the incident and the profile of the node handling it."""
    hit = _establishments(incident)
    profile = effective_profile(incident.node, ose=any(node.is_ose for node in [incident.node, *hit]),
                                profiles=profiles)
    facts: set[Fact] = set()
    if any(node.kind in {NodeKind.ESTABLISHMENT, NodeKind.SITE} for node in hit) or incident.node.kind in {
            NodeKind.ESTABLISHMENT, NodeKind.GROUP}:
        facts.add(Fact.HEALTH_ESTABLISHMENT)
    if profile.ose:
        facts.add(Fact.OSE)
    if profile.nis2_entity:
        facts.add(Fact.NIS2_ENTITY)
    if profile.insured:
        facts.add(Fact.INSURED)
    for flag, fact in ((incident.significant, Fact.SIGNIFICANT), (incident.malicious, Fact.MALICIOUS),
                       (incident.personal_data_breach, Fact.PERSONAL_DATA_BREACH),
                       (incident.high_risk_to_persons, Fact.HIGH_RISK_TO_PERSONS)):
        if flag:
            facts.add(fact)
    return Situation(facts=frozenset(facts), insurer_notice_hours=profile.insurer_notice_hours)


def incident_clocks(incident: Incident, now: dt.datetime | None = None, *,
                    profiles: Mapping[int, RegulatoryProfile] | None = None) -> list[Clock]:
    """The incident's regulatory clocks, now (applicable rules only, in the rule file's order)."""
    done = {record.obligation: record.done_at for record in incident.obligations.all()}
    return clocks(shipped_rules(), situation_of(incident, profiles=profiles), incident.aware_at, done,
                  now or timezone.now())


def overdue_clocks(incidents: Iterable[Incident], now: dt.datetime | None = None) -> list[tuple[Incident, Clock]]:
    """Overdue clocks of the given (already restricted) incidents, most overdue first.

    The profiles of all the incidents' nodes are read in one query; prefetch ``obligations`` and
    ``establishments`` on the incidents to keep the query count flat however many there are.
    """
    moment = now or timezone.now()
    chosen = list(incidents)
    profiles = lineage_profiles(incident.node for incident in chosen)
    late = [(incident, clock) for incident in chosen
            for clock in incident_clocks(incident, moment, profiles=profiles)
            if clock.state == ClockState.OVERDUE]
    return sorted(late, key=lambda pair: pair[1].deadline)


def _next_reference(node: Node, year: int) -> str:
    prefix = f"INC-{year}-"
    taken = Incident.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def open_incident(*, node: Node, user: Any, title: str, kind: str, aware_at: dt.datetime,
                  origin: str = "", **fields: Any) -> Incident:
    """Open an incident handled by ``node`` and write its first crisis-log entry.

    ``fields`` are other model fields (severity, flags, description...) and the many-to-many
    lists ``establishments``, ``sites``, ``assets``, ``applications``, ``activities``, ``alerts``,
    ``findings``: the caller has already checked the user may see each object; here each must
    belong to the handling node's subtree (or, for shared components, its lineage).
    """
    check_not_future(aware_at, _("The time of awareness"))
    check_not_future(fields.get("occurred_at"), _("The start of the incident"))
    related = {name: list(fields.pop(name, []) or []) for name in
               ("establishments", "sites", "assets", "applications", "activities", "alerts", "findings")}
    incident = Incident(node=node, title=title.strip(), kind=kind, aware_at=aware_at, created_by=user, **fields)
    incident.reference = _next_reference(node, timezone.localtime(aware_at).year)
    try:
        incident.full_clean()
    except ValidationError as error:
        raise IncidentError(_first_error(error)) from error
    _check_related(node, related)
    with transaction.atomic():
        incident.save()
        for name, objects in related.items():
            if objects:
                getattr(incident, name).set(objects)
        add_log_entry(incident, kind=LogEntryKind.OBSERVATION, occurred_at=aware_at, user=user, origin=origin,
                      text=_("Incident opened: %(title)s.") % {"title": incident.title})
    return incident


def _check_related(node: Node, related: dict[str, list[Any]]) -> None:
    lineage = set(node.lineage_paths())
    for name, objects in related.items():
        for obj in objects:
            owner: Node = obj if isinstance(obj, Node) else obj.node
            if name in {"establishments", "sites"}:
                wanted = NodeKind.ESTABLISHMENT if name == "establishments" else NodeKind.SITE
                if owner.kind != wanted:
                    raise IncidentError(_("%(node)s is not of the expected kind.") % {"node": owner})
            if not owner.path.startswith(node.path) and owner.path not in lineage:
                raise IncidentError(_("%(object)s does not belong to %(node)s.") % {"object": obj, "node": node})


def add_log_entry(incident: Incident, *, kind: str, text: str, user: Any, occurred_at: dt.datetime | None = None,
                  author_name: str = "", corrects: LogEntry | None = None, origin: str = "") -> LogEntry:
    """Append an entry to the crisis log; a correction names the entry it corrects (same incident)."""
    text = (text or "").strip()
    if not text:
        raise IncidentError(_("A crisis-log entry needs a text."))
    if len(text) > MAX_LOG_TEXT:
        raise IncidentError(_("A crisis-log entry holds at most %(max)d characters; "
                              "attach longer documents as evidence.") % {"max": MAX_LOG_TEXT})
    if kind not in LogEntryKind.values:
        raise IncidentError(_("Unknown kind of entry: %(kind)s.") % {"kind": kind})
    if corrects is not None and corrects.incident_id != incident.pk:
        raise IncidentError(_("An entry can only correct an entry of the same incident."))
    if kind == LogEntryKind.CORRECTION and corrects is None:
        raise IncidentError(_("A correction must name the entry it corrects."))
    moment = occurred_at or timezone.now()
    check_not_future(moment, _("The time of the entry"))
    name = author_name or (user.get_username() if user is not None else "") or "system"
    if not origin:
        # On a laptop's offline copy every entry is marked with the copy's name, whoever writes it (UI, CLI).
        from hygie.apps.incidents.offline import current_origin

        origin = current_origin()
    return LogEntry.objects.create(incident=incident, kind=kind, text=text, occurred_at=moment, author=user,
                                   author_name=name[:150], corrects=corrects, origin=origin)


def record_obligation(incident: Incident, obligation: str, *, done_at: dt.datetime, reference: str, user: Any,
                      evidence: Any = None, note: str = "") -> ObligationRecord:
    """Mark one of the incident's applicable obligations done, with its proof, and log it."""
    applicable = {clock.rule.id: clock for clock in incident_clocks(incident)}
    if obligation not in applicable:
        raise IncidentError(_("%(obligation)s does not apply to this incident (applicable: %(ids)s).") % {
            "obligation": obligation, "ids": ", ".join(applicable) or "-"})
    check_not_future(done_at, _("The time it was done"))
    if not (reference or "").strip():
        raise IncidentError(_("Give the proof: a receipt number, a portal reference or the address written to."))
    if evidence is not None and evidence.incident_id != incident.pk:
        raise IncidentError(_("The proof file belongs to another incident."))
    if incident.obligations.filter(obligation=obligation).exists():
        raise IncidentError(_("%(obligation)s is already recorded as done.") % {"obligation": obligation})
    rule = applicable[obligation].rule
    with transaction.atomic():
        record = ObligationRecord.objects.create(incident=incident, obligation=obligation, done_at=done_at,
                                                 reference=reference.strip()[:300], evidence=evidence, note=note,
                                                 recorded_by=user)
        add_log_entry(incident, kind=LogEntryKind.COMMUNICATION, occurred_at=done_at, user=user,
                      text=_("Done: %(title)s (proof: %(reference)s).") % {
                          "title": rule.title_in(_language()), "reference": record.reference})
    return record


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


_STATUS_TIME = {IncidentStatus.CONTAINED: "contained_at", IncidentStatus.RECOVERING: None,
                IncidentStatus.CLOSED: "closed_at"}


def set_status(incident: Incident, status: str, *, user: Any, at: dt.datetime | None = None,
               recovered: bool = False) -> Incident:
    """Move the incident to ``status`` (stamping contained/closed times) and log it.

    ``recovered`` stamps ``recovered_at`` (the time to recover in the statistics).
    """
    if status not in IncidentStatus.values:
        raise IncidentError(_("Unknown status: %(status)s.") % {"status": status})
    moment = at or timezone.now()
    check_not_future(moment, _("The time of the change"))
    if moment < incident.aware_at:
        raise IncidentError(_("This time is before the time of awareness."))
    field = _STATUS_TIME.get(IncidentStatus(status))
    with transaction.atomic():
        incident.status = status
        if field and getattr(incident, field) is None:
            setattr(incident, field, moment)
        if recovered and incident.recovered_at is None:
            incident.recovered_at = moment
        incident.save()
        add_log_entry(incident, kind=LogEntryKind.DECISION, occurred_at=moment, user=user,
                      text=_("Status: %(status)s.") % {"status": incident.get_status_display()})
    return incident


# --- Case details, indicators and tasks (API and CLI) -----------------------------------------------

#: Fields of the case a PATCH may change (times that start clocks are changed only by a status change).
EDITABLE_FIELDS = ("title", "severity", "significant", "personal_data_breach", "high_risk_to_persons",
                   "occurred_at", "description", "scope", "systems_and_data", "handling_status", "impact_data",
                   "impact_people", "impact_is", "impact_structure", "causes", "persons_affected",
                   "lessons_learned")


def update_incident(incident: Incident, *, user: Any, **changes: Any) -> Incident:
    """Change fields of the case (``EDITABLE_FIELDS``), validated, and log which ones changed."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise IncidentError(_("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})
    check_not_future(changes.get("occurred_at"), _("The start of the incident"))
    changed = [name for name, value in changes.items() if getattr(incident, name) != value]
    if not changed:
        return incident
    for name in changed:
        setattr(incident, name, changes[name])
    if "title" in changed:
        incident.title = incident.title.strip()
    try:
        incident.full_clean()
    except ValidationError as error:
        incident.refresh_from_db()
        raise IncidentError(_first_error(error)) from error
    actor = user if getattr(user, "pk", None) is not None else None
    with transaction.atomic():
        incident.save()
        add_log_entry(incident, kind=LogEntryKind.OBSERVATION, user=actor,
                      author_name="" if actor else getattr(user, "username", ""),
                      text=_("Case updated: %(fields)s.") % {"fields": ", ".join(
                          str(Incident._meta.get_field(name).verbose_name) for name in changed)})
    return incident


def add_indicator(incident: Incident, *, kind: str, value: str, user: Any, note: str = "",
                  first_seen: dt.datetime | None = None) -> Any:
    """Add an indicator of compromise (refused when the same kind and value is already there)."""
    from hygie.apps.incidents.models import Indicator

    value = (value or "").strip()
    check_not_future(first_seen, _("The time first seen"))
    indicator = Indicator(incident=incident, kind=kind, value=value, note=(note or "").strip(), first_seen=first_seen)
    try:
        indicator.full_clean()
    except ValidationError as error:
        raise IncidentError(_first_error(error)) from error
    indicator.save()
    return indicator


def _check_owner(incident: Incident, owner: Any) -> None:
    from hygie.apps.accounts.permissions import Action, user_can

    if owner is not None and not user_can(owner, Action.VIEW, incident.node.path):
        raise IncidentError(_("The owner must be able to see the incident."))


def add_task(incident: Incident, *, user: Any, title: str, kind: str = "response", details: str = "",
             owner: Any = None, owner_name: str = "", due: dt.datetime | None = None) -> Any:
    """Add a response task or a post-incident action, with its owner."""
    from hygie.apps.incidents.models import IncidentTask

    _check_owner(incident, owner)
    task = IncidentTask(incident=incident, kind=kind, title=(title or "").strip(), details=details,
                        owner=owner, owner_name=(owner_name or "").strip(), due=due)
    try:
        task.full_clean()
    except ValidationError as error:
        raise IncidentError(_first_error(error)) from error
    task.save()
    return task


#: Fields of a task that :func:`update_task` may change.
TASK_FIELDS = ("title", "details", "owner", "owner_name", "due", "status", "done_at")


def update_task(task: Any, *, user: Any, **changes: Any) -> Any:
    """Change a task; done: ``done_at`` stamped (now unless given), logged, and its finding marked fixed."""
    from hygie.apps.incidents.lessons import close_task_finding
    from hygie.apps.incidents.models import TaskStatus

    unknown = sorted(set(changes) - set(TASK_FIELDS))
    if unknown:
        raise IncidentError(_("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)})
    if "owner" in changes:
        _check_owner(task.incident, changes["owner"])
    check_not_future(changes.get("done_at"), _("The time it was done"))
    was_done = task.status == TaskStatus.DONE
    for name, value in changes.items():
        setattr(task, name, value)
    if task.status == TaskStatus.DONE and task.done_at is None:
        task.done_at = timezone.now()
    if task.status != TaskStatus.DONE:
        task.done_at = None
    try:
        task.full_clean()
    except ValidationError as error:
        task.refresh_from_db()
        raise IncidentError(_first_error(error)) from error
    if task.done_at is not None and task.done_at < task.incident.aware_at:
        task.refresh_from_db()
        raise IncidentError(_("This time is before the time of awareness."))
    actor = user if getattr(user, "pk", None) is not None else None
    with transaction.atomic():
        task.save()
        if task.status == TaskStatus.DONE and not was_done:
            add_log_entry(task.incident, kind=LogEntryKind.ACTION, occurred_at=task.done_at, user=actor,
                          author_name="" if actor else getattr(user, "username", ""),
                          text=_("Task done: %(title)s.") % {"title": task.title})
            close_task_finding(task, user)
    return task
