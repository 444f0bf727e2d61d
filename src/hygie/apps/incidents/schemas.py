"""Schemas of the incidents REST API (:mod:`hygie.apps.incidents.api`): what goes out and what comes in.

Names start with ``Incident`` (they must be unique across the whole API). Times going out are
ISO 8601 in UTC; times coming in carry their offset, or are read on the Paris wall clock.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents.models import (
    Declaration,
    DeclarationKind,
    Incident,
    IncidentEvidence,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Indicator,
    IndicatorKind,
    Insured,
    LogEntryKind,
    Nis2Status,
    ObligationRecord,
    RegulatoryProfile,
    TaskKind,
    TaskStatus,
)
from hygie.apps.incidents.services import MAX_LOG_TEXT, effective_profile, incident_clocks
from hygie.engines.incidents import Clock, ClockState, local_time
from hygie.web.validation import InputSchema

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = [
    "IncidentClockOut",
    "IncidentDeclarationDetailOut",
    "IncidentDeclarationIn",
    "IncidentDeclarationOut",
    "IncidentDeclarationSentIn",
    "IncidentDetailOut",
    "IncidentDurationsOut",
    "IncidentEvidenceOut",
    "IncidentIndicatorIn",
    "IncidentIndicatorOut",
    "IncidentLogEntryIn",
    "IncidentLogEntryOut",
    "IncidentObligationIn",
    "IncidentObligationOut",
    "IncidentOpenIn",
    "IncidentOut",
    "IncidentOverdueOut",
    "IncidentPatchIn",
    "IncidentProfileIn",
    "IncidentProfileOut",
    "IncidentStatisticsOut",
    "IncidentStatusIn",
    "IncidentTaskIn",
    "IncidentTaskOut",
    "IncidentTaskPatchIn",
    "ObjectId",
    "clock_dict",
    "incident_detail",
    "profile_dict",
]

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Severity = Annotated[int, Field(ge=0, le=4)]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=MAX_LOG_TEXT)]
Ids = Annotated[list[ObjectId], Field(max_length=500)]


# --- Out ---------------------------------------------------------------------------------------------


class IncidentClockOut(Schema):
    """A regulatory clock: its obligation, deadline and state now."""

    obligation: str
    title: str
    authority: str
    basis: str
    declaration: str | None
    starts_at: dt.datetime
    deadline: dt.datetime
    deadline_local: str
    state: str
    done_at: dt.datetime | None
    provisional: bool
    remaining_seconds: int


class IncidentOut(Schema):
    """An incident, with the number of its overdue clocks."""

    id: int
    uid: str
    node_id: int
    reference: str
    title: str
    kind: str
    severity: int
    status: str
    significant: bool
    personal_data_breach: bool
    high_risk_to_persons: bool
    occurred_at: dt.datetime | None
    aware_at: dt.datetime
    contained_at: dt.datetime | None
    recovered_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: int

    @staticmethod
    def resolve_uid(obj: Any) -> str:
        """The uid as text."""
        return str(obj["uid"] if isinstance(obj, dict) else obj.uid)

    @staticmethod
    def resolve_overdue(obj: Any, context: Any = None) -> int:
        """How many of its clocks are overdue now ("overdue clocks shown everywhere")."""
        if isinstance(obj, dict):
            return int(obj["overdue"])
        request = (context or {}).get("request")
        profiles = getattr(request, "_incident_profiles", None)
        if request is not None and profiles is None:
            # Profiles are settings read without restrict (like effective_profile), at most one per node:
            # one query per page instead of one per incident.
            profiles = {p.node_id: p for p in RegulatoryProfile.objects.all()}
            request._incident_profiles = profiles
        return sum(1 for clock in incident_clocks(obj, profiles=profiles) if clock.state == ClockState.OVERDUE)


class IncidentIndicatorOut(Schema):
    """An indicator of compromise."""

    id: int
    kind: str
    value: str
    note: str
    first_seen: dt.datetime | None


class IncidentTaskOut(Schema):
    """A task or a post-incident action."""

    id: int
    incident_id: int
    kind: str
    title: str
    details: str
    owner_id: int | None
    owner_name: str
    due: dt.datetime | None
    status: str
    done_at: dt.datetime | None
    finding_id: int | None


class IncidentEvidenceOut(Schema):
    """An evidence file (download it at ``/evidence/{id}``)."""

    id: int
    incident_id: int
    title: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    added: dt.datetime


class IncidentObligationOut(Schema):
    """An obligation recorded as done."""

    id: int
    incident_id: int
    obligation: str
    done_at: dt.datetime
    reference: str
    evidence_id: int | None
    note: str


class IncidentDeclarationOut(Schema):
    """A declaration generated from the case."""

    id: int
    incident_id: int
    kind: str
    generated_at: dt.datetime
    sent_at: dt.datetime | None
    sent_reference: str


class IncidentDeclarationDetailOut(IncidentDeclarationOut):
    """A declaration with its frozen content (sections of fields) and its plain text."""

    content: dict[str, Any]
    text: str


class IncidentDetailOut(IncidentOut):
    """An incident with its clocks, what it touches, indicators, tasks, evidence, obligations and declarations."""

    description: str
    scope: str
    systems_and_data: str
    handling_status: str
    impact_data: str
    impact_people: str
    impact_is: str
    impact_structure: str
    causes: str
    persons_affected: int | None
    lessons_learned: str
    clocks: list[IncidentClockOut]
    establishment_ids: list[int]
    site_ids: list[int]
    asset_ids: list[int]
    application_ids: list[int]
    activity_ids: list[int]
    indicators: list[IncidentIndicatorOut]
    tasks: list[IncidentTaskOut]
    evidence: list[IncidentEvidenceOut]
    obligations: list[IncidentObligationOut]
    declarations: list[IncidentDeclarationOut]


class IncidentLogEntryOut(Schema):
    """A crisis-log entry (append-only; a correction names the entry it corrects)."""

    id: int
    uid: str
    incident_id: int
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    text: str
    author_name: str
    corrects_id: int | None
    origin: str

    @staticmethod
    def resolve_uid(obj: Any) -> str:
        """The uid as text."""
        return str(obj.uid)


class IncidentOverdueOut(Schema):
    """An overdue clock of an incident the caller sees."""

    incident_id: int
    reference: str
    title: str
    node_id: int
    clock: IncidentClockOut


class IncidentDurationsOut(Schema):
    """Median and maximum durations, in hours."""

    count: int
    median_hours: float | None
    max_hours: float | None


class IncidentStatisticsOut(Schema):
    """Incident statistics of a node and its subtree."""

    node_id: int
    node_name: str
    total: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]
    by_status: dict[str, int]
    by_establishment: dict[str, int]
    time_to_report: IncidentDurationsOut
    time_to_recover: IncidentDurationsOut
    overdue_clocks: int


class IncidentProfileOut(Schema):
    """A node's own regulatory profile and the one in force (inherited values filled in)."""

    node_id: int
    node_name: str
    own: dict[str, Any]
    effective: dict[str, Any]


# --- In ----------------------------------------------------------------------------------------------


class IncidentOpenIn(InputSchema):
    """Open an incident handled by ``node_id``; naive times are read on the Paris wall clock."""

    node_id: ObjectId
    title: Annotated[str, Field(min_length=1, max_length=200)]
    kind: IncidentKind
    aware_at: dt.datetime
    occurred_at: dt.datetime | None = None
    severity: Severity = 3
    significant: bool = True
    personal_data_breach: bool = False
    high_risk_to_persons: bool = False
    description: LongText = ""
    establishment_ids: Ids = Field(default_factory=list)
    site_ids: Ids = Field(default_factory=list)
    asset_ids: Ids = Field(default_factory=list)
    application_ids: Ids = Field(default_factory=list)
    activity_ids: Ids = Field(default_factory=list)


class IncidentPatchIn(InputSchema):
    """Fields of the case to change (only those given)."""

    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    severity: Severity | None = None
    significant: bool | None = None
    personal_data_breach: bool | None = None
    high_risk_to_persons: bool | None = None
    occurred_at: dt.datetime | None = None
    description: LongText | None = None
    scope: LongText | None = None
    systems_and_data: LongText | None = None
    handling_status: LongText | None = None
    impact_data: LongText | None = None
    impact_people: LongText | None = None
    impact_is: LongText | None = None
    impact_structure: LongText | None = None
    causes: LongText | None = None
    persons_affected: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    lessons_learned: LongText | None = None


class IncidentStatusIn(InputSchema):
    """Move the incident to a status (at ``at``, default now); ``recovered`` stamps the recovery time."""

    status: IncidentStatus
    at: dt.datetime | None = None
    recovered: bool = False


class IncidentLogEntryIn(InputSchema):
    """A new crisis-log entry; ``corrects_id`` names the entry it corrects (kind then defaults to correction)."""

    text: LongText
    kind: LogEntryKind | None = None
    occurred_at: dt.datetime | None = None
    corrects_id: ObjectId | None = None


class IncidentIndicatorIn(InputSchema):
    """A new indicator of compromise."""

    kind: IndicatorKind
    value: Annotated[str, Field(min_length=1, max_length=500)]
    note: ShortText = ""
    first_seen: dt.datetime | None = None


class IncidentTaskIn(InputSchema):
    """A new task (``response``) or post-incident action (``action``)."""

    title: Annotated[str, Field(min_length=1, max_length=300)]
    kind: TaskKind = TaskKind.RESPONSE
    details: LongText = ""
    owner_id: ObjectId | None = None
    owner_name: Annotated[str, Field(max_length=150)] = ""
    due: dt.datetime | None = None


class IncidentTaskPatchIn(InputSchema):
    """Fields of a task to change (only those given; ``owner_id`` null clears the owner)."""

    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    details: LongText | None = None
    owner_id: ObjectId | None = None
    owner_name: Annotated[str, Field(max_length=150)] | None = None
    due: dt.datetime | None = None
    status: TaskStatus | None = None
    done_at: dt.datetime | None = None


class IncidentObligationIn(InputSchema):
    """An obligation done (its id in the rule file), when, and its proof."""

    obligation: Annotated[str, Field(min_length=1, max_length=40)]
    done_at: dt.datetime
    reference: Annotated[str, Field(min_length=1, max_length=300)]
    evidence_id: ObjectId | None = None
    note: LongText = ""


class IncidentDeclarationIn(InputSchema):
    """Which declaration to generate."""

    kind: DeclarationKind


class IncidentDeclarationSentIn(InputSchema):
    """When the declaration was sent and its receipt or portal reference."""

    sent_at: dt.datetime
    reference: Annotated[str, Field(min_length=1, max_length=300)]


class IncidentProfileIn(InputSchema):
    """A node's own regulatory profile (empty or null: inherited)."""

    nis2_status: Nis2Status | None = None
    insured: Insured | None = None
    insurer: Annotated[str, Field(max_length=200)] = ""
    policy_number: Annotated[str, Field(max_length=100)] = ""
    insurer_hotline: Annotated[str, Field(max_length=100)] = ""
    insurer_notice_hours: Annotated[int, Field(ge=1, le=24 * 90)] | None = None


# --- Shapes built for the answers ------------------------------------------------------------------


def clock_dict(clock: Clock, now: dt.datetime) -> dict[str, Any]:
    """A clock as the API shows it (titles in the request's language)."""
    from django.utils.translation import get_language

    language = get_language() or "en"
    return {
        "obligation": clock.rule.id, "title": clock.rule.title_in(language), "authority": clock.rule.authority,
        "basis": clock.rule.basis_fr if language.startswith("fr") else clock.rule.basis,
        "declaration": clock.rule.declaration, "starts_at": clock.starts_at, "deadline": clock.deadline,
        "deadline_local": local_time(clock.deadline).strftime("%Y-%m-%d %H:%M %Z"), "state": str(clock.state),
        "done_at": clock.done_at, "provisional": clock.provisional,
        "remaining_seconds": int(clock.remaining(now).total_seconds()),
    }


_DETAIL_FIELDS = ("id", "node_id", "reference", "title", "kind", "severity", "status", "significant",
                  "personal_data_breach", "high_risk_to_persons", "occurred_at", "aware_at", "contained_at",
                  "recovered_at", "closed_at", "description", "scope", "systems_and_data", "handling_status",
                  "impact_data", "impact_people", "impact_is", "impact_structure", "causes", "persons_affected",
                  "lessons_learned")


def incident_detail(user: Any, incident: Incident) -> dict[str, Any]:
    """The detail of an incident as :class:`IncidentDetailOut` reads it (its parts restricted to ``user``)."""
    now = timezone.now()
    clocks = incident_clocks(incident, now)
    data: dict[str, Any] = {name: getattr(incident, name) for name in _DETAIL_FIELDS}
    data.update(
        uid=str(incident.uid), overdue=sum(1 for c in clocks if c.state == ClockState.OVERDUE),
        clocks=[clock_dict(c, now) for c in clocks],
        **{f"{name[:-1] if name != 'activities' else 'activity'}_ids": list(
            getattr(incident, name).values_list("pk", flat=True))
           for name in ("establishments", "sites", "assets", "applications", "activities")},
        indicators=list(Indicator.objects.restrict(user, Action.VIEW).filter(incident=incident)),
        tasks=list(IncidentTask.objects.restrict(user, Action.VIEW).filter(incident=incident)),
        evidence=list(IncidentEvidence.objects.restrict(user, Action.VIEW).filter(incident=incident)),
        obligations=list(ObligationRecord.objects.restrict(user, Action.VIEW).filter(incident=incident)),
        declarations=list(Declaration.objects.restrict(user, Action.VIEW).filter(incident=incident)),
    )
    return data


def profile_dict(node: Node) -> dict[str, Any]:
    """A node's own regulatory profile and the one in force, as :class:`IncidentProfileOut` reads it."""
    own = RegulatoryProfile.objects.filter(node=node).first()
    fields = ("nis2_status", "insured", "insurer", "policy_number", "insurer_hotline", "insurer_notice_hours")
    effective = effective_profile(node)
    return {"node_id": node.pk, "node_name": node.name,
            "own": {name: getattr(own, name) if own else None for name in fields},
            "effective": {"ose": effective.ose, "nis2_entity": effective.nis2_entity,
                          **{name: getattr(effective, name) for name in fields if name != "insured"},
                          "insured": effective.insured}}
