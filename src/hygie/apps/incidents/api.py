"""REST API of the incidents app (``/api/incidents/``): cases, crisis log, clocks, declarations, statistics.

Reading needs VIEW on the incident's node, writing CHANGE, opening an incident ADD on its node.
Every query goes through ``restrict(request.user, action)``: another tenant's object is a 404.
The crisis log is append-only: there is no PUT, PATCH or DELETE route for its entries; a
correction is a new entry naming the one it corrects. Overdue clocks are counted in every
incident answer, and ``/overdue`` lists them all. Naive times are read on the Paris wall clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.incidents import declarations, services
from hygie.apps.incidents.filtersets import IncidentFilterSet
from hygie.apps.incidents.models import (
    Declaration,
    Incident,
    IncidentEvidence,
    IncidentTask,
    Indicator,
    LogEntry,
    LogEntryKind,
    RegulatoryProfile,
)
from hygie.apps.incidents.schemas import (
    IncidentClockOut,
    IncidentDeclarationDetailOut,
    IncidentDeclarationIn,
    IncidentDeclarationSentIn,
    IncidentDetailOut,
    IncidentEvidenceOut,
    IncidentIndicatorIn,
    IncidentIndicatorOut,
    IncidentLogEntryIn,
    IncidentLogEntryOut,
    IncidentObligationIn,
    IncidentObligationOut,
    IncidentOpenIn,
    IncidentOut,
    IncidentOverdueOut,
    IncidentPatchIn,
    IncidentProfileIn,
    IncidentProfileOut,
    IncidentStatisticsOut,
    IncidentStatusIn,
    IncidentTaskIn,
    IncidentTaskOut,
    IncidentTaskPatchIn,
    ObjectId,
    clock_dict,
    incident_detail,
    profile_dict,
)
from hygie.apps.incidents.services import IncidentError
from hygie.apps.organizations.models import Node
from hygie.engines.incidents import PARIS
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination
from hygie.web.validation import refuse_body, refuse_oversized

router = Router(tags=["incidents"])

#: Times before this are refused as implausible (and would overflow time-zone arithmetic near year 1).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- Helpers ----------------------------------------------------------------------------------------


def _node(request: HttpRequest, node_id: int, action: Action = Action.VIEW) -> Node:
    """A node the caller sees (404 otherwise), on which they may ``action`` (403 otherwise)."""
    node = get_object_or_404(Node.objects.restrict(request.user, Action.VIEW), pk=node_id)
    if not user_can(request.user, action, node.path):
        raise HttpError(403, "You may not do this on this node.")
    return node


def _incidents(request: HttpRequest) -> Any:
    return (Incident.objects.restrict(request.user, Action.VIEW).select_related("node")
            .prefetch_related("establishments", "obligations"))


def _incident(request: HttpRequest, incident_id: int, action: Action = Action.VIEW) -> Incident:
    """An incident the caller sees (404 otherwise) on whose node they may ``action`` (403 otherwise)."""
    incident = get_object_or_404(_incidents(request), pk=incident_id)
    if action != Action.VIEW and not user_can(request.user, action, incident.node.path):
        raise HttpError(403, "You may not change this incident.")
    return incident


def _part(request: HttpRequest, model: Any, pk: int, action: Action = Action.VIEW) -> Any:
    """A task, indicator, evidence file or declaration of an incident the caller sees; 403 without ``action``."""
    obj = get_object_or_404(model.objects.restrict(request.user, Action.VIEW).select_related("incident__node"), pk=pk)
    if action != Action.VIEW and not user_can(request.user, action, obj.incident.node.path):
        raise HttpError(403, "You may not change this incident.")
    return obj


def _moment(value: dt.datetime | None, label: str) -> dt.datetime | None:
    """``value`` made aware (naive: Paris wall clock) and plausible; 422 otherwise."""
    if value is None:
        return None
    try:
        aware = value.replace(tzinfo=PARIS) if timezone.is_naive(value) else value
        if aware.astimezone(dt.UTC) < EARLIEST:
            raise HttpError(422, f"{label}: a time before 1970 is not plausible.")
    except (OverflowError, ValueError) as exc:
        raise HttpError(422, f"{label}: time out of range.") from exc
    return aware


def _refused(error: IncidentError) -> HttpError:
    return HttpError(422, str(error))


def _user(request: HttpRequest, user_id: int | None) -> Any:
    from hygie.apps.accounts.models import User

    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise HttpError(422, "owner_id: unknown user.")
    return found


# --- Incidents --------------------------------------------------------------------------------------


@router.get("/", response=list[IncidentOut])
@paginate(PageNumberPagination, page_size=100)
def list_incidents(request: HttpRequest, overdue: bool = False) -> Any:
    """Incidents, latest first, with their overdue clocks; filters: node, status, kind, severity, q, overdue."""
    require_api_scope(request)
    incidents = filtered(request, IncidentFilterSet, _incidents(request))
    if overdue:
        late = {incident.pk for incident, _clock in services.overdue_clocks(incidents)}
        return [incident for incident in incidents if incident.pk in late]
    return incidents


@router.post("/", response={201: IncidentDetailOut})
def open_incident(request: HttpRequest, payload: IncidentOpenIn) -> Status[dict[str, Any]]:
    """Open an incident handled by a node (ADD on it); 422 for a time in the future or an object outside its tree."""
    from hygie.apps.inventory.models import Application, Asset, CareActivity

    require_api_scope(request, Action.ADD)
    node = _node(request, payload.node_id, Action.ADD)
    related: dict[str, list[Any]] = {}
    for name, model, ids in (("establishments", Node, payload.establishment_ids), ("sites", Node, payload.site_ids),
                             ("assets", Asset, payload.asset_ids), ("applications", Application,
                                                                    payload.application_ids),
                             ("activities", CareActivity, payload.activity_ids)):
        found = {obj.pk: obj for obj in model.objects.restrict(request.user, Action.VIEW).filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise HttpError(404, f"{name}: unknown id {missing[0]}.")
        related[name] = [found[pk] for pk in ids]
    fields = payload.model_dump(include={"severity", "significant", "personal_data_breach", "high_risk_to_persons",
                                         "description"})
    try:
        incident = services.open_incident(
            node=node, user=request.user, title=payload.title, kind=payload.kind,
            aware_at=_moment(payload.aware_at, "aware_at"), occurred_at=_moment(payload.occurred_at, "occurred_at"),
            **fields, **related)
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, incident_detail(request.user, _incident(request, incident.pk)))


@router.get("/overdue", response=list[IncidentOverdueOut])
def list_overdue(request: HttpRequest, node: ObjectId | None = None) -> list[dict[str, Any]]:
    """Every overdue clock of the incidents the caller sees (open or not), most overdue first; filter: node."""
    require_api_scope(request)
    incidents = _incidents(request)
    if node is not None:
        # Like the lists' node filter: a node the caller cannot see narrows to nothing.
        within = Node.objects.restrict(request.user, Action.VIEW).filter(pk=node).first()
        incidents = incidents.filter(node__path__startswith=within.path) if within else incidents.none()
    now = timezone.now()
    return [{"incident_id": incident.pk, "reference": incident.reference, "title": incident.title,
             "node_id": incident.node_id, "clock": clock_dict(clock, now)}
            for incident, clock in services.overdue_clocks(incidents, now)]


@router.get("/{incident_id}", response=IncidentDetailOut)
def get_incident(request: HttpRequest, incident_id: ObjectId) -> dict[str, Any]:
    """One incident with its clocks (state, deadline, remaining seconds) and everything it holds."""
    return incident_detail(request.user, _incident(request, incident_id))


@router.patch("/{incident_id}", response=IncidentDetailOut)
def update_incident(request: HttpRequest, incident_id: ObjectId, payload: IncidentPatchIn) -> dict[str, Any]:
    """Change fields of the case (only those given); the change is written to the crisis log."""
    incident = _incident(request, incident_id, Action.CHANGE)
    changes = payload.model_dump(exclude_unset=True)
    if "occurred_at" in changes:
        changes["occurred_at"] = _moment(changes["occurred_at"], "occurred_at")
    for name in ("title", "severity", "significant", "personal_data_breach", "high_risk_to_persons"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"{name}: may not be null.")
    for name, value in list(changes.items()):
        if value is None and name not in {"occurred_at", "persons_affected"}:
            changes[name] = ""
    try:
        services.update_incident(incident, user=request.user, **changes)
    except IncidentError as error:
        raise _refused(error) from error
    return incident_detail(request.user, _incident(request, incident_id))


@router.post("/{incident_id}/status", response=IncidentDetailOut)
def change_status(request: HttpRequest, incident_id: ObjectId, payload: IncidentStatusIn) -> dict[str, Any]:
    """Move the incident to a status (contained, recovering, closed...); logged."""
    incident = _incident(request, incident_id, Action.CHANGE)
    try:
        services.set_status(incident, payload.status, user=request.user, at=_moment(payload.at, "at"),
                            recovered=payload.recovered)
    except IncidentError as error:
        raise _refused(error) from error
    return incident_detail(request.user, _incident(request, incident_id))


@router.get("/{incident_id}/clocks", response=list[IncidentClockOut])
def get_clocks(request: HttpRequest, incident_id: ObjectId) -> list[dict[str, Any]]:
    """The incident's regulatory clocks now, in the rule file's order."""
    now = timezone.now()
    return [clock_dict(clock, now) for clock in services.incident_clocks(_incident(request, incident_id), now)]


# --- Crisis log (append-only) ------------------------------------------------------------------------


@router.get("/{incident_id}/log", response=list[IncidentLogEntryOut])
@paginate(PageNumberPagination, page_size=500)
def list_log(request: HttpRequest, incident_id: int) -> Any:
    """The crisis log, oldest first."""
    # A plain int: the pagination wrapper cannot resolve the ObjectId alias; bounded here instead.
    if not 1 <= incident_id < 2**63:
        raise HttpError(404, "Not Found")
    incident = _incident(request, incident_id)
    return LogEntry.objects.restrict(request.user, Action.VIEW).filter(incident=incident)


@router.post("/{incident_id}/log", response={201: IncidentLogEntryOut})
def append_log(request: HttpRequest, incident_id: ObjectId, payload: IncidentLogEntryIn) -> Status[LogEntry]:
    """Append an entry; a correction names the entry it corrects (``corrects_id``): the log is never edited."""
    incident = _incident(request, incident_id, Action.CHANGE)
    corrects = None
    if payload.corrects_id is not None:
        corrects = get_object_or_404(LogEntry.objects.restrict(request.user, Action.VIEW), pk=payload.corrects_id)
    kind = payload.kind or (LogEntryKind.CORRECTION if corrects is not None else LogEntryKind.OBSERVATION)
    try:
        entry = services.add_log_entry(incident, kind=kind, text=payload.text, user=request.user,
                                       occurred_at=_moment(payload.occurred_at, "occurred_at"), corrects=corrects)
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, entry)


# --- Indicators, tasks, evidence ----------------------------------------------------------------------


@router.post("/{incident_id}/indicators", response={201: IncidentIndicatorOut})
def add_indicator(request: HttpRequest, incident_id: ObjectId, payload: IncidentIndicatorIn) -> Status[Indicator]:
    """Add an indicator of compromise; 422 when the same one is already there."""
    incident = _incident(request, incident_id, Action.CHANGE)
    try:
        indicator = services.add_indicator(incident, kind=payload.kind, value=payload.value, note=payload.note,
                                           first_seen=_moment(payload.first_seen, "first_seen"), user=request.user)
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, indicator)


@router.delete("/indicators/{indicator_id}", response={204: None})
def remove_indicator(request: HttpRequest, indicator_id: ObjectId) -> Status[None]:
    """Remove an indicator of compromise (a mistaken one; the audit log keeps it)."""
    refuse_body(request)
    _part(request, Indicator, indicator_id, Action.CHANGE).delete()
    return Status(204, None)


@router.post("/{incident_id}/tasks", response={201: IncidentTaskOut})
def add_task(request: HttpRequest, incident_id: ObjectId, payload: IncidentTaskIn) -> Status[IncidentTask]:
    """Add a response task or a post-incident action, with its owner (who must see the incident)."""
    incident = _incident(request, incident_id, Action.CHANGE)
    try:
        task = services.add_task(incident, user=request.user, title=payload.title, kind=payload.kind,
                                 details=payload.details, owner=_user(request, payload.owner_id),
                                 owner_name=payload.owner_name, due=_moment(payload.due, "due"))
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, task)


@router.patch("/tasks/{task_id}", response=IncidentTaskOut)
def update_task(request: HttpRequest, task_id: ObjectId, payload: IncidentTaskPatchIn) -> IncidentTask:
    """Change a task (only the fields given); done: logged, and its finding in the register marked fixed."""
    task = _part(request, IncidentTask, task_id, Action.CHANGE)
    changes = payload.model_dump(exclude_unset=True)
    if "owner_id" in changes:
        changes["owner"] = _user(request, changes.pop("owner_id"))
    for name in ("due", "done_at"):
        if name in changes:
            changes[name] = _moment(changes[name], name)
    for name in ("title", "status"):
        if name in changes and changes[name] is None:
            raise HttpError(422, f"{name}: may not be null.")
    for name in ("details", "owner_name"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    try:
        return services.update_task(task, user=request.user, **changes)
    except IncidentError as error:
        raise _refused(error) from error


@router.post("/{incident_id}/lessons", response=list[int])
def lessons_to_findings(request: HttpRequest, incident_id: ObjectId) -> list[int]:
    """Put the post-incident actions in the findings register (idempotent); the findings' ids."""
    from hygie.apps.incidents.lessons import actions_to_findings

    refuse_body(request)
    incident = _incident(request, incident_id, Action.CHANGE)
    return [finding.pk for finding in actions_to_findings(incident, request.user)]


@router.post("/{incident_id}/evidence", response={201: IncidentEvidenceOut})
def add_evidence(request: HttpRequest, incident_id: ObjectId, file: File[UploadedFile | None] = None,
                 title: Form[str] = "", note: Form[str] = "") -> Status[IncidentEvidence]:
    """Keep a file as evidence (ransom note, screenshot, receipt); 413 when too large, 422 when refused."""
    from hygie.apps.compliance.evidence_files import max_evidence_bytes
    from hygie.apps.incidents.evidence_store import EvidenceError, store_chunks

    limit = min(max_evidence_bytes(), settings.HYGIE_MAX_UPLOAD_BYTES)
    refuse_oversized(request, limit)
    incident = _incident(request, incident_id, Action.CHANGE)
    if file is None:
        raise HttpError(422, "A file is required (multipart field 'file').")
    if (file.size or 0) > limit:
        raise HttpError(413, f"The file is too large (limit: {limit} bytes).")
    try:
        evidence = store_chunks(incident, title=title[:300], name=file.name or "evidence", chunks=file.chunks(),
                                user=request.user, note=note[:10_000])
    except EvidenceError as error:
        raise HttpError(422, str(error)) from error
    return Status(201, evidence)


@router.get("/evidence/{evidence_id}")
def download_evidence(request: HttpRequest, evidence_id: ObjectId) -> FileResponse:
    """The evidence file, as an attachment (never shown inline)."""
    from hygie.apps.incidents.evidence_store import EvidenceError, evidence_file

    evidence = _part(request, IncidentEvidence, evidence_id)
    try:
        handle = evidence_file(evidence).open("rb")
    except (EvidenceError, OSError) as exc:
        raise HttpError(404, "The file of this evidence is missing.") from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.file_name or "evidence",
                            content_type=evidence.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Obligations and declarations ------------------------------------------------------------------------


@router.post("/{incident_id}/obligations", response={201: IncidentObligationOut})
def record_obligation(request: HttpRequest, incident_id: ObjectId, payload: IncidentObligationIn) -> Status[Any]:
    """Record an applicable obligation done, with its proof (stops its clock); logged."""
    incident = _incident(request, incident_id, Action.CHANGE)
    evidence = None
    if payload.evidence_id is not None:
        evidence = _part(request, IncidentEvidence, payload.evidence_id)
    try:
        record = services.record_obligation(incident, payload.obligation, done_at=_moment(payload.done_at, "done_at"),
                                            reference=payload.reference, user=request.user, evidence=evidence,
                                            note=payload.note)
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, record)


@router.post("/{incident_id}/declarations", response={201: IncidentDeclarationDetailOut})
def generate_declaration(request: HttpRequest, incident_id: ObjectId,
                         payload: IncidentDeclarationIn) -> Status[Declaration]:
    """Generate a declaration from the case (content frozen now); download it as text or PDF."""
    incident = _incident(request, incident_id, Action.CHANGE)
    try:
        declaration = declarations.generate_declaration(incident, payload.kind, user=request.user)
    except IncidentError as error:
        raise _refused(error) from error
    return Status(201, declaration)


@router.get("/declarations/{declaration_id}", response=IncidentDeclarationDetailOut)
def get_declaration(request: HttpRequest, declaration_id: ObjectId) -> Declaration:
    """One declaration with its content."""
    return _part(request, Declaration, declaration_id)


@router.get("/declarations/{declaration_id}/text")
def declaration_text(request: HttpRequest, declaration_id: ObjectId) -> HttpResponse:
    """The declaration as plain text."""
    declaration = _part(request, Declaration, declaration_id)
    return HttpResponse(declaration.text, content_type="text/plain; charset=utf-8")


@router.get("/declarations/{declaration_id}/pdf")
def declaration_pdf(request: HttpRequest, declaration_id: ObjectId) -> HttpResponse:
    """The declaration as PDF."""
    declaration = _part(request, Declaration, declaration_id)
    response = HttpResponse(declarations.declaration_pdf(declaration), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="declaration-{declaration.kind}-{declaration.pk}.pdf"'
    return response


@router.post("/declarations/{declaration_id}/sent", response=IncidentDeclarationDetailOut)
def mark_declaration_sent(request: HttpRequest, declaration_id: ObjectId,
                          payload: IncidentDeclarationSentIn) -> Declaration:
    """Mark the declaration sent (when, reference); records the obligation it fulfils."""
    declaration = _part(request, Declaration, declaration_id, Action.CHANGE)
    try:
        return declarations.mark_sent(declaration, _moment(payload.sent_at, "sent_at"), payload.reference,
                                      request.user)
    except IncidentError as error:
        raise _refused(error) from error


# --- Timeline, statistics, profile ---------------------------------------------------------------------


@router.get("/{incident_id}/timeline")
def get_timeline(request: HttpRequest, incident_id: ObjectId, format: str = "json") -> HttpResponse:  # noqa: A002 - the query parameter's name
    """The incident's timeline as ``json`` (default), ``csv`` or ``pdf``."""
    from hygie.apps.incidents import timeline

    incident = _incident(request, incident_id)
    name = f"timeline-{incident.reference or incident.pk}"
    if format == "csv":
        response = HttpResponse(timeline.timeline_csv(incident), content_type="text/csv; charset=utf-8")
    elif format == "pdf":
        response = HttpResponse(timeline.timeline_pdf(incident), content_type="application/pdf")
    elif format == "json":
        import orjson

        return HttpResponse(orjson.dumps(timeline.timeline_json(incident)), content_type="application/json")
    else:
        raise HttpError(422, "format: one of json, csv, pdf.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response


@router.get("/statistics/{node_id}", response=IncidentStatisticsOut)
def get_statistics(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """Incident statistics of a node and its subtree (a group, a region): counts, time to report and recover."""
    from hygie.apps.incidents.statistics import incident_statistics

    return incident_statistics(_node(request, node_id), request.user).to_dict()


@router.get("/profiles/{node_id}", response=IncidentProfileOut)
def get_profile(request: HttpRequest, node_id: ObjectId) -> dict[str, Any]:
    """A node's regulatory profile (NIS2, insurance): its own values and those in force."""
    return profile_dict(_node(request, node_id))


@router.put("/profiles/{node_id}", response=IncidentProfileOut)
def put_profile(request: HttpRequest, node_id: ObjectId, payload: IncidentProfileIn) -> dict[str, Any]:
    """Set a node's own regulatory profile (empty or null values are inherited)."""
    node = _node(request, node_id, Action.CHANGE)
    profile = RegulatoryProfile.objects.filter(node=node).first() or RegulatoryProfile(node=node)
    for name, value in payload.model_dump().items():
        setattr(profile, name, "" if value is None and name != "insurer_notice_hours" else value)
    profile.updated = timezone.now()
    profile.save()
    return profile_dict(node)


router.add_router("/", "hygie.apps.incidents.api_crisis.router")  # crisis cell and kits
