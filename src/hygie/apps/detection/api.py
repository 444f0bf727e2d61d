"""REST API of log detection: log sources, rule packs and versions, hunts (start = a job), alerts and their workflow."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from hygie.apps.accounts.permissions import Action, user_can
from hygie.apps.detection.filtersets import AlertFilterSet, HuntFilterSet, LogSourceFilterSet, RulePackFilterSet
from hygie.apps.detection.models import Alert, Hunt, LogSource, RulePack, RulePackVersion
from hygie.apps.detection.packs import activate
from hygie.apps.detection.running import default_version, start_hunt
from hygie.apps.detection.workflow import WorkflowError, transition
from hygie.web.api import filtered, require_api_scope
from hygie.web.pagination import PageNumberPagination

router = Router(tags=["detection"])

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: Bytes of body tolerated where an operation takes no parameters (an empty JSON object or form).
MAX_EMPTY_BODY = 1024


class LogSourceOut(Schema):
    """A log source."""

    id: int
    node_id: int
    name: str
    kind: str
    host_names: list[str]
    watched_folder: str
    enabled: bool
    last_ingested_at: dt.datetime | None

    @staticmethod
    def resolve_host_names(obj: LogSource) -> list[str]:
        """Declared host names."""
        return obj.host_list()


class PackOut(Schema):
    """A rule pack (``node_id`` null: global)."""

    id: int
    node_id: int | None
    name: str
    description: str
    builtin: str


class VersionOut(Schema):
    """A version of a rule pack, with the rules it refused and why."""

    id: int
    pack_id: int
    number: int
    digest: str
    source_name: str
    rule_count: int
    failure_count: int
    failures: list[dict[str, Any]]
    active: bool
    created: dt.datetime


class HuntOut(Schema):
    """A hunt and what the engine read and ran."""

    id: int
    label: str
    node_id: int
    source_id: int
    pack_version_id: int | None
    job_id: int | None
    status: str
    error: str
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None
    files: int
    events: int
    corrupt: int
    read_errors: list[str]
    rules_run: int
    rules_skipped: int
    seconds: float
    detection_count: int
    new_alert_count: int

    @staticmethod
    def resolve_label(obj: Hunt) -> str:
        """The source's name and the date."""
        return str(obj)


class HuntIn(Schema):
    """Hunt every file of a log source (with the default pack when ``version_id`` is not given)."""

    model_config = ConfigDict(extra="forbid")

    source_id: ObjectId
    version_id: ObjectId | None = None


class AlertOut(Schema):
    """An alert."""

    id: int
    node_id: int
    source_id: int
    hunt_id: int | None
    asset_id: int | None
    rule_id: str
    rule_title: str
    level: int
    tags: list[str]
    timestamp: dt.datetime | None
    computer: str
    channel: str
    event_id: int | None
    record_id: int
    file_sha256: str
    file_member: str
    status: str
    incident_reference: str
    created: dt.datetime


class AlertEventOut(Schema):
    """A step of an alert's workflow."""

    timestamp: dt.datetime
    actor_name: str
    from_status: str
    to_status: str
    comment: str
    incident_reference: str


class AlertDetailOut(AlertOut):
    """An alert with its event, its rule's description and references, and its history."""

    description: str
    references: list[str]
    event: dict[str, Any]
    history: list[AlertEventOut]

    @staticmethod
    def resolve_history(obj: Alert) -> list[Any]:
        """Workflow steps, newest first."""
        return list(obj.events.all())


class TransitionIn(Schema):
    """A workflow move: ``acknowledged``, ``false_positive`` or ``escalated`` (with an incident reference)."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(max_length=20)
    comment: str = Field("", max_length=5000)
    incident_reference: str = Field("", max_length=200)


# --- Log sources ------------------------------------------------------------------------------------


@router.get("/sources", response=list[LogSourceOut])
@paginate(PageNumberPagination, page_size=100)
def list_sources(request: HttpRequest) -> Any:
    """Log sources of the caller's nodes; filters: node, kind, enabled, q."""
    require_api_scope(request)
    return filtered(request, LogSourceFilterSet, LogSource.objects.restrict(request.user, Action.VIEW))


@router.get("/sources/{source_id}", response=LogSourceOut)
def get_source(request: HttpRequest, source_id: ObjectId) -> LogSource:
    """One log source."""
    return get_object_or_404(LogSource.objects.restrict(request.user, Action.VIEW), pk=source_id)


# --- Rule packs -------------------------------------------------------------------------------------


@router.get("/packs", response=list[PackOut])
@paginate(PageNumberPagination, page_size=100)
def list_packs(request: HttpRequest) -> Any:
    """Global rule packs and those of the caller's nodes; filters: node, q."""
    require_api_scope(request)
    return filtered(request, RulePackFilterSet, RulePack.objects.restrict(request.user, Action.VIEW))


@router.get("/packs/{pack_id}", response=PackOut)
def get_pack(request: HttpRequest, pack_id: ObjectId) -> RulePack:
    """One rule pack."""
    return get_object_or_404(RulePack.objects.restrict(request.user, Action.VIEW), pk=pack_id)


@router.get("/packs/{pack_id}/versions", response=list[VersionOut])
def list_versions(request: HttpRequest, pack_id: ObjectId) -> Any:
    """Versions of a pack, newest first, with their refused rules."""
    pack = get_object_or_404(RulePack.objects.restrict(request.user, Action.VIEW), pk=pack_id)
    return list(pack.versions.all())


@router.post("/versions/{version_id}/activate", response=VersionOut)
def activate_version(request: HttpRequest, version_id: ObjectId) -> RulePackVersion:
    """Make a version the active one of its pack (global packs: superusers only)."""
    # No parameters: an empty form or JSON envelope is fine, anything larger is a mistake.
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_EMPTY_BODY:
        raise HttpError(400, "This operation takes no request body.")
    version = get_object_or_404(RulePackVersion.objects.restrict(request.user, Action.VIEW), pk=version_id)
    if not RulePackVersion.objects.restrict(request.user, Action.CHANGE).filter(pk=version.pk).exists():
        raise HttpError(403, "You may not change this rule pack.")
    activate(version)
    return version


# --- Hunts ------------------------------------------------------------------------------------------


@router.get("/hunts", response=list[HuntOut])
@paginate(PageNumberPagination, page_size=100)
def list_hunts(request: HttpRequest) -> Any:
    """Hunts; filters: node, source, status."""
    require_api_scope(request)
    return filtered(request, HuntFilterSet, Hunt.objects.restrict(request.user, Action.VIEW))


@router.post("/hunts", response={201: HuntOut})
def create_hunt(request: HttpRequest, payload: HuntIn) -> Status[Hunt]:
    """Hunt every file of a log source as a job; follow ``job_id`` at /api/jobs/."""
    require_api_scope(request, Action.ADD)
    sources = LogSource.objects.restrict(request.user, Action.VIEW).select_related("node")
    source = get_object_or_404(sources, pk=payload.source_id)
    if not user_can(request.user, Action.ADD, source.node.path):
        raise HttpError(403, "You may not hunt on this node.")
    if payload.version_id is not None:
        version = get_object_or_404(
            RulePackVersion.objects.restrict(request.user, Action.VIEW).filter(active=True), pk=payload.version_id
        )
    else:
        version = default_version(request.user)
        if version is None:
            raise HttpError(409, "No rule pack is active.")
    if not source.uploads.exists():
        raise HttpError(409, "This log source has no file yet.")
    return Status(201, start_hunt(request.user, source, version, []))


@router.get("/hunts/{hunt_id}", response=HuntOut)
def get_hunt(request: HttpRequest, hunt_id: ObjectId) -> Hunt:
    """One hunt."""
    return get_object_or_404(Hunt.objects.restrict(request.user, Action.VIEW), pk=hunt_id)


# --- Alerts -----------------------------------------------------------------------------------------


@router.get("/alerts", response=list[AlertOut])
@paginate(PageNumberPagination, page_size=100)
def list_alerts(request: HttpRequest) -> Any:
    """Alerts; filters: node, status, open, level, min_level, rule, host, tag, since, until, source, hunt, q."""
    require_api_scope(request)
    return filtered(request, AlertFilterSet, Alert.objects.restrict(request.user, Action.VIEW))


@router.get("/alerts/{alert_id}", response=AlertDetailOut)
def get_alert(request: HttpRequest, alert_id: ObjectId) -> Alert:
    """One alert with its event and history."""
    return get_object_or_404(Alert.objects.restrict(request.user, Action.VIEW), pk=alert_id)


@router.post("/alerts/{alert_id}/transition", response=AlertDetailOut)
def transition_alert(request: HttpRequest, alert_id: ObjectId, payload: TransitionIn) -> Alert:
    """Move an alert in the workflow (422 when the move is not allowed from its status)."""
    alert = get_object_or_404(Alert.objects.restrict(request.user, Action.VIEW), pk=alert_id)
    if not Alert.objects.restrict(request.user, Action.CHANGE).filter(pk=alert.pk).exists():
        raise HttpError(403, "You may not change this alert.")
    try:
        transition(
            alert, payload.status, request.user, comment=payload.comment, incident_reference=payload.incident_reference
        )
    except WorkflowError as exc:
        raise HttpError(422, str(exc)) from exc
    return alert
