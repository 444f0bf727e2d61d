"""Measures: what the engines' latest runs say of each requirement's checks.

A requirement names engine checks (``directory.user_unconstrained_delegation``...). For an
assessment of a node, the runs read are:

- **directory**: the latest succeeded audit of each domain, among the audits owned by the node,
  its ancestors (a group's shared directory) or its subtree;
- **exposure**: the latest done scan of each perimeter, same nodes;
- **continuity**: the continuity model checks, run live on the node's model (when it has one);
- **CaRE domain 2**: the continuity readiness objectives (``d2.*``) measure the requirement with
  the same id, besides its checks.

A check is failing when a read run raised it, not evaluated when the run says so, passing
otherwise. A requirement's measure: every known check passing -> passing, every one failing ->
failing, both -> mixed, nothing known -> none. A changed measure is written to the requirement's
history (no actor: the engines).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hygie.apps.compliance.models import Measure, RequirementAssessment, RequirementEvent

if TYPE_CHECKING:
    from hygie.apps.compliance.models import Assessment
    from hygie.apps.organizations.models import Node

__all__ = ["CARE_D2", "FAIL", "NOT_EVALUATED", "PASS", "Observations", "measure_of", "observe", "refresh"]

PASS, FAIL, NOT_EVALUATED = "pass", "fail", "not_evaluated"
#: The framework whose requirements the continuity readiness objectives measure.
CARE_D2 = "care_d2"
_READINESS_STATE = {"met": PASS, "partial": "partial", "not_met": FAIL}


@dataclass
class Observations:
    """Check states seen in the latest runs, and which runs were read."""

    checks: dict[str, str] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: CaRE D2 readiness objective id -> pass / partial / fail (unknown objectives left out).
    objectives: dict[str, str] = field(default_factory=dict)

    def merge(self, check_id: str, state: str) -> None:
        """Record a state; a failure seen in any run wins, then "pass" over "not evaluated"."""
        rank = {FAIL: 2, PASS: 1, NOT_EVALUATED: 0}
        if rank[state] > rank.get(self.checks.get(check_id, ""), -1):
            self.checks[check_id] = state


def _branch(node: Node) -> Q:
    """Rows owned by the node, its ancestors or its subtree."""
    return Q(node__path__startswith=node.path) | Q(node__path__in=node.lineage_paths())


def _when(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _ids_of(items: Any) -> set[str]:
    found = set()
    for item in items or []:
        check_id = item.get("check_id") if isinstance(item, dict) else item
        if isinstance(check_id, str):
            found.add(check_id)
    return found


def _registered(engine: str, wanted: set[str]) -> set[str]:
    """The checks of ``engine`` among ``wanted`` that the engine registers (others are never measured)."""
    from hygie.frameworks import engine_check_ids

    return {check for check in wanted & engine_check_ids() if check.startswith(f"{engine}.")}


def _read_runs(observations: Observations, engine: str, runs: list[Any], registered: set[str]) -> None:
    """Fold the findings and not-evaluated checks of ``runs`` (one engine) into ``observations``."""
    if not runs:
        return
    for run in runs:
        result = run.result or {}
        failing = _ids_of(result.get("findings"))
        skipped = _ids_of(getattr(run, "not_evaluated", None) or result.get("not_evaluated"))
        for check_id in registered:
            if check_id in failing:
                observations.merge(check_id, FAIL)
            elif check_id in skipped:
                observations.merge(check_id, NOT_EVALUATED)
            else:
                observations.merge(check_id, PASS)
        observations.runs.append(
            {"engine": engine, "label": str(run), "date": _when(run.finished or run.created), "id": run.pk}
        )


def _latest(queryset: Any, group: str, date_field: str) -> list[int]:
    """Ids of the latest row of each ``group`` value (read without the large result documents)."""
    latest: dict[Any, int] = {}
    # NULL dates last on every database (PostgreSQL sorts them first in a descending order).
    ordering = (F(date_field).desc(nulls_last=True), "-created", "-pk")
    for pk, key in queryset.order_by(*ordering).values_list("pk", group):
        latest.setdefault(key, pk)
    return list(latest.values())


def _directory(observations: Observations, node: Node, wanted: set[str]) -> None:
    from hygie.apps.directory.models import AuditStatus, DirectoryAudit

    registered = _registered("directory", wanted)
    if not registered:
        return
    audits = DirectoryAudit.objects.filter(_branch(node), status=AuditStatus.SUCCEEDED, result__isnull=False)
    ids = _latest(audits, "domain", "finished")
    runs = list(DirectoryAudit.objects.filter(pk__in=ids).order_by("domain", "pk"))
    _read_runs(observations, "directory", runs, registered)


def _exposure(observations: Observations, node: Node, wanted: set[str]) -> None:
    from hygie.apps.exposure.models import ExposureScan, ScanStatus

    registered = _registered("exposure", wanted)
    if not registered:
        return
    scans = ExposureScan.objects.filter(_branch(node), status=ScanStatus.DONE, result__isnull=False)
    # Imports have no perimeter: each import label stands for its own perimeter.
    latest: dict[Any, int] = {}
    ordering = (F("finished").desc(nulls_last=True), "-created", "-pk")
    rows = scans.order_by(*ordering).values_list("pk", "perimeter_id", "label")
    for pk, perimeter, label in rows:
        latest.setdefault(perimeter if perimeter is not None else f"import:{label}", pk)
    runs = list(ExposureScan.objects.filter(pk__in=latest.values()).order_by("pk"))
    _read_runs(observations, "exposure", runs, registered)


def _continuity(observations: Observations, node: Node, wanted: set[str]) -> None:
    from hygie.apps.continuity.assessment import model_findings
    from hygie.apps.continuity.document import node_model
    from hygie.engines.continuity.loader import ModelError

    registered = _registered("continuity", wanted)
    if not registered:
        return
    try:
        model = node_model(node)
    except ModelError:
        return  # an invalid model measures nothing; the continuity pages say why
    if not model.components:
        return  # no model yet: "passing" would claim what nobody described
    failing = {finding.check_id for finding in model_findings(model)}
    for check_id in registered:
        observations.merge(check_id, FAIL if check_id in failing else PASS)
    observations.runs.append(
        {"engine": "continuity", "label": str(node), "date": _when(timezone.now()), "id": node.pk}
    )


def _readiness(observations: Observations, node: Node) -> None:
    from hygie.apps.continuity.readiness import readiness

    result = readiness(node)
    for objective in result.objectives:
        state = _READINESS_STATE.get(objective.status)
        if state is not None:
            observations.objectives[objective.id] = state
    observations.runs.append(
        {"engine": "readiness", "label": str(node), "date": _when(timezone.now()), "id": node.pk}
    )


def observe(node: Node, checks: set[str], *, readiness: bool = False) -> Observations:
    """Read the latest runs of every engine whose checks are among ``checks`` (a few queries each)."""
    observations = Observations()
    _directory(observations, node, checks)
    _exposure(observations, node, checks)
    _continuity(observations, node, checks)
    if readiness:
        _readiness(observations, node)
    return observations


def measure_of(states: list[str]) -> str:
    """The measure of a requirement from the states of its known checks (and objective)."""
    known = [state for state in states if state in {PASS, FAIL, "partial"}]
    if not known:
        return Measure.NONE
    if all(state == PASS for state in known):
        return Measure.PASSING
    if all(state == FAIL for state in known):
        return Measure.FAILING
    return Measure.MIXED


def _runs_for(observations: Observations, checks: dict[str, str], objective: bool) -> list[dict[str, Any]]:
    engines = {check.split(".", 1)[0] for check in checks}
    if objective:
        engines.add("readiness")
    return [run for run in observations.runs if run["engine"] in engines]


def refresh(assessment: Assessment) -> int:
    """Refresh the measures of an assessment's requirements; how many changed (each gets an event)."""
    items = list(
        RequirementAssessment.objects.filter(assessment=assessment).select_related("requirement").order_by("pk")
    )
    wanted = {check for item in items for check in item.requirement.checks or []}
    with_objectives = assessment.framework.key == CARE_D2
    observations = observe(assessment.node, wanted, readiness=with_objectives)
    now = timezone.now()
    changed: list[RequirementAssessment] = []
    events: list[RequirementEvent] = []
    for item in items:
        states = {check: observations.checks[check] for check in item.requirement.checks or []
                  if check in observations.checks}
        objective = observations.objectives.get(item.requirement.ref) if with_objectives else None
        measure = measure_of([*states.values(), *([objective] if objective else [])])
        detail: dict[str, Any] = {"runs": _runs_for(observations, states, objective is not None), "checks": states}
        if objective:
            detail["objective"] = {item.requirement.ref: objective}
        if measure != item.measure:
            events.append(RequirementEvent(
                item=item, timestamp=now, actor=None, actor_name="",
                comment="", changes={"measure": [item.measure, measure]},
            ))
            changed.append(item)
        item.measure, item.measure_detail, item.measured_at = measure, detail, now
    with transaction.atomic():
        # Measures are not audited (audit_exclude): a bulk update keeps this to one query per batch.
        RequirementAssessment.objects.bulk_update(items, ["measure", "measure_detail", "measured_at"], batch_size=200)
        RequirementEvent.objects.bulk_create(events)
        type(assessment).objects.filter(pk=assessment.pk).update(measured_at=now)
    assessment.measured_at = now
    return len(changed)
