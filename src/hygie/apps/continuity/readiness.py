"""CaRE domain-2 readiness of a node: each d2.* objective with its status and its evidence in Hygie.

Statuses: ``met``, ``partial``, ``not_met`` and ``unknown`` (nothing recorded to judge by). Each rule
reads the node's subtree: its continuity programme, the BIAs of its activities, its exercises, the
components it owns and their backups, restore tests. Wording is ours, after the ANS guide's ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.continuity.models import (
    ActivityKind,
    Authentication,
    BackupSystem,
    BusinessImpact,
    Component,
    ContinuityProgramme,
    Exercise,
    ExerciseKind,
    ExerciseStatus,
    RestoreTest,
)
from hygie.apps.organizations.models import Node, NodeKind

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MET",
    "NOT_MET",
    "PARTIAL",
    "PSSI_REVIEW_SINCE",
    "UNKNOWN",
    "Evidence",
    "Objective",
    "Readiness",
    "readiness",
]

MET, PARTIAL, NOT_MET, UNKNOWN = "met", "partial", "not_met", "unknown"
#: The security policy must have been signed or reviewed since this date (d2.p1).
PSSI_REVIEW_SINCE = dt.date(2022, 7, 16)
#: Share of a multi-entity group's activity a PCA field test must cover (d2.o1.d).
GROUP_COVERAGE_PCT = 66.0
_YEAR = dt.timedelta(days=365)

_TITLES: dict[str, Any] = {
    "d2.p1": _("Security policy (PSSI) signed and reviewed since July 2022"),
    "d2.p2": _("Organisation of the continuity and recovery plan described, with an owner"),
    "d2.o1.a": _("Governance scheme for continuity and recovery"),
    "d2.o1.b": _('Cyber crisis procedures (cyber risks in the "plan blanc", crisis cell, reporting)'),
    "d2.o1.c": _("PCA/PRA built on BIAs of a care service, an administrative process and a technical platform"),
    # xgettext:no-python-format -- "66 % o" is no placeholder.
    "d2.o1.d": _("A continuity plan tested in the field within 12 months (groups: at least 66 % of activity covered)"),
    "d2.o2.a": _("Backup and restore policy validated (outsourced and SaaS systems by contract)"),
    "d2.o2.b": _("Backup plans for the critical systems"),
    "d2.o3.a": _("Backup infrastructure authenticated independently of production, with MFA"),
    "d2.o3.b": _('Backup isolation capability ("red button")'),
    "d2.o3.c": _("3-2-1 backups with an offline or immutable copy for the critical systems"),
    "d2.o3.d": _("Backups supervised, with a failure procedure (groups: alerts reach the group)"),
    "d2.o4": _("A restore to production tested within 12 months, and a business referent for functional tests"),
}


@dataclass(frozen=True)
class Evidence:
    """A link to what proves (or disproves) an objective."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class Objective:
    """One d2.* objective: its status, why, and the evidence."""

    id: str
    status: str
    detail: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def title(self) -> str:
        """Our short wording of the objective."""
        return str(_TITLES[self.id])

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "evidence": [{"label": e.label, "url": e.url} for e in self.evidence],
        }


@dataclass(frozen=True)
class Readiness:
    """The readiness of one node: its objectives in the guide's order."""

    node_id: int
    node_name: str
    as_of: dt.date
    objectives: tuple[Objective, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """How many objectives per status."""
        counts = dict.fromkeys((MET, PARTIAL, NOT_MET, UNKNOWN), 0)
        for objective in self.objectives:
            counts[objective.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API)."""
        return {
            "node_id": self.node_id,
            "node": self.node_name,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts(),
            "objectives": [o.to_dict() for o in self.objectives],
        }


def _share(done: int, total: int) -> str:
    if total == 0:
        return UNKNOWN
    return MET if done == total else (NOT_MET if done == 0 else PARTIAL)


def _node_url(node: Node) -> str:
    return reverse("continuity:programme_edit", args=[node.pk])


def _programme_rules(node: Node, programme: ContinuityProgramme | None) -> list[Objective]:
    if programme is None:
        evidence = (Evidence(str(_("Record the continuity programme")), _node_url(node)),)
        return [
            Objective(oid, UNKNOWN, str(_("No continuity programme recorded for this node.")), evidence)
            for oid in ("d2.p1", "d2.p2", "d2.o1.a", "d2.o1.b", "d2.o2.a")
        ]
    link = (Evidence(str(_("Continuity programme")), _node_url(node)),)
    signed, reviewed = programme.security_policy_signed_on, programme.security_policy_reviewed_on
    latest = max((d for d in (signed, reviewed) if d is not None), default=None)
    if latest is None:
        p1 = Objective("d2.p1", NOT_MET, str(_("No signed security policy recorded.")), link)
    elif latest >= PSSI_REVIEW_SINCE:
        p1 = Objective("d2.p1", MET, str(_("Signed or reviewed on %(date)s.") % {"date": latest}), link)
    else:
        p1 = Objective("d2.p1", PARTIAL, str(_("Last signed or reviewed on %(date)s.") % {"date": latest}), link)
    described = [bool(programme.organisation.strip()), bool(programme.plan_owner.strip())]
    p2 = Objective(
        "d2.p2",
        _share(sum(described), 2),
        str(_("Plan owner: %(owner)s.") % {"owner": programme.plan_owner or "—"}),
        link,
    )
    o1a = Objective(
        "d2.o1.a",
        MET if programme.governance.strip() else NOT_MET,
        str(_("Governance scheme described.") if programme.governance.strip() else _("No governance scheme recorded.")),
        link,
    )
    crisis = [bool(programme.crisis_procedures.strip()), programme.plan_blanc_covers_cyber]
    o1b = Objective(
        "d2.o1.b",
        _share(sum(crisis), 2),
        str(
            _('Crisis procedures recorded: %(procedures)s; cyber in the "plan blanc": %(blanc)s.')
            % {"procedures": _("yes") if crisis[0] else _("no"), "blanc": _("yes") if crisis[1] else _("no")}
        ),
        link,
    )
    validated = programme.backup_policy_validated_on
    o2a = Objective(
        "d2.o2.a",
        MET if validated else NOT_MET,
        str(
            _("Validated on %(date)s.") % {"date": validated}
            if validated
            else _("No validated backup policy recorded.")
        ),
        link,
    )
    return [p1, p2, o1a, o1b, o2a]


def _bia_scopes(node: Node) -> Objective:
    impacts = BusinessImpact.objects.filter(activity__node__path__startswith=node.path).select_related("activity")
    evidence, kinds = [], set()
    for kind in ActivityKind:
        first = next((i for i in impacts if i.kind == kind), None)
        if first is not None:
            kinds.add(kind)
            evidence.append(
                Evidence(f"{kind.label}: {first.activity}", reverse("continuity:bia", args=[first.activity_id]))
            )
    missing = ", ".join(str(kind.label) for kind in ActivityKind if kind not in kinds)
    detail = (
        str(_("Missing BIA scopes: %(missing)s.") % {"missing": missing})
        if missing
        else str(_("A BIA for each of the three scopes."))
    )
    return Objective("d2.o1.c", _share(len(kinds), len(ActivityKind)), detail, tuple(evidence))


def _field_tests(node: Node, as_of: dt.date) -> Objective:
    # A test counts when the node's subtree owns it, or when an ancestor (the group) owns it and it
    # covered the node or part of its subtree: a group-wide field test covers its establishments.
    owned = Q(node__path__startswith=node.path)
    inherited = Q(node__path__in=node.lineage_paths(), entities__path__startswith=node.path)
    tests = Exercise.objects.filter(owned | inherited, kind=ExerciseKind.PCA_FIELD_TEST).distinct()
    held = [
        e
        for e in tests.select_related("node").prefetch_related("entities")
        if e.status == ExerciseStatus.HELD and e.held_on and as_of - _YEAR <= e.held_on <= as_of
    ]
    planned = [e for e in tests if e.status == ExerciseStatus.PLANNED and e.planned_on >= as_of]
    evidence = tuple(Evidence(str(e), e.get_absolute_url()) for e in [*held, *planned][:6])
    if not held:
        status = PARTIAL if planned else NOT_MET
        return Objective(
            "d2.o1.d", status, str(_("No field test of a continuity plan held within 12 months.")), evidence
        )
    if node.kind != NodeKind.GROUP:
        latest = max(held, key=lambda e: (e.held_on, e.pk))
        if latest.node.path.startswith(node.path):
            detail = _("Field test held on %(date)s.") % {"date": latest.held_on}
        else:
            detail = _("Field test held on %(date)s by %(owner)s, covering this node.") % {
                "date": latest.held_on,
                "owner": latest.node,
            }
        return Objective("d2.o1.d", MET, str(detail), evidence)
    covered = {
        entity.pk for exercise in held for entity in exercise.entities.all() if entity.path.startswith(node.path)
    }
    # The establishments' own share of the group's activity (organisation tree), as declared there.
    shares = Node.objects.filter(pk__in=covered).values_list("activity_share", flat=True)
    share = float(sum(s for s in shares if s is not None))
    status = MET if share >= GROUP_COVERAGE_PCT else PARTIAL
    return Objective(
        "d2.o1.d",
        status,
        str(
            _("Field tests held within 12 months cover %(share)s %% of the group's activity (%(needed)s %% needed).")
            % {"share": f"{share:g}", "needed": f"{GROUP_COVERAGE_PCT:g}"}
        ),
        evidence,
    )


def _component_evidence(components: Iterable[Component]) -> tuple[Evidence, ...]:
    return tuple(Evidence(c.name, c.get_absolute_url()) for c in list(components)[:8])


def _critical_backups(critical: list[Component]) -> tuple[Objective, Objective]:
    if not critical:
        none = str(_("No critical component recorded."))
        return Objective("d2.o2.b", UNKNOWN, none), Objective("d2.o3.c", UNKNOWN, none)
    planned = [c for c in critical if getattr(c, "backup_plan", None) is not None]
    missing = [c for c in critical if c not in planned]
    o2b = Objective(
        "d2.o2.b",
        _share(len(planned), len(critical)),
        str(
            _("%(done)d of %(total)d critical components have a backup plan.")
            % {"done": len(planned), "total": len(critical)}
        ),
        _component_evidence(missing or planned),
    )
    good = [c for c in planned if _three_two_one(c)]
    weak = [c for c in critical if c not in good]
    o3c = Objective(
        "d2.o3.c",
        _share(len(good), len(critical)),
        str(
            _("%(done)d of %(total)d critical components have two copies on two media, one offline or immutable.")
            % {"done": len(good), "total": len(critical)}
        ),
        _component_evidence(weak or good),
    )
    return o2b, o3c


def _three_two_one(component: Component) -> bool:
    """Two copies besides the data, on two media, one of them offline or immutable (or a contract covers it)."""
    plan = component.backup_plan
    if plan.covered_by_contract:
        return True
    copies = list(plan.copies.all())
    media = {c.medium for c in copies}
    return len(copies) >= 2 and len(media) >= 2 and any(not c.online or c.immutable for c in copies)  # noqa: PLR2004


def _backup_systems(node: Node, systems: list[BackupSystem]) -> list[Objective]:
    ids = ("d2.o3.a", "d2.o3.b", "d2.o3.d")
    if not systems:
        return [Objective(oid, UNKNOWN, str(_("No backup system recorded."))) for oid in ids]
    evidence = tuple(Evidence(s.name, reverse("continuity:backupsystem_detail", args=[s.pk])) for s in systems[:8])
    independent = [s for s in systems if s.authentication != Authentication.PRODUCTION_DIRECTORY]
    strong = [s for s in independent if s.mfa]
    if len(strong) == len(systems):
        auth = MET
    elif not independent:
        auth = NOT_MET
    else:
        auth = PARTIAL
    group = node.kind == NodeKind.GROUP
    supervised = [
        s for s in systems if s.supervised and s.failure_procedure.strip() and (s.central_alerts or not group)
    ]
    return [
        Objective(
            "d2.o3.a",
            auth,
            str(
                _(
                    "%(independent)d of %(total)d backup systems authenticate outside the production directory, "
                    "%(mfa)d with MFA."
                )
                % {"independent": len(independent), "total": len(systems), "mfa": len(strong)}
            ),
            evidence,
        ),
        Objective(
            "d2.o3.b",
            _share(sum(s.isolation for s in systems), len(systems)),
            str(
                _("%(done)d of %(total)d backup systems can be isolated.")
                % {"done": sum(s.isolation for s in systems), "total": len(systems)}
            ),
            evidence,
        ),
        Objective(
            "d2.o3.d",
            _share(len(supervised), len(systems)),
            str(
                _("%(done)d of %(total)d backup systems are supervised with a failure procedure.")
                % {"done": len(supervised), "total": len(systems)}
            ),
            evidence,
        ),
    ]


def _restore_to_production(node: Node, programme: ContinuityProgramme | None, as_of: dt.date) -> Objective:
    tests = RestoreTest.objects.filter(
        component__node__path__startswith=node.path,
        to_production=True,
        success=True,
        date__gte=as_of - _YEAR,
        date__lte=as_of,
    ).select_related("component")
    latest = tests.order_by("-date").first()
    referent = programme.business_referent.strip() if programme else ""
    evidence = []
    if latest is not None:
        evidence.append(Evidence(str(latest), latest.component.get_absolute_url()))
    parts = [
        str(_("Restore to production on %(date)s.") % {"date": latest.date})
        if latest
        else str(_("No successful restore to production within 12 months.")),
        str(_("Business referent: %(name)s.") % {"name": referent})
        if referent
        else str(_("No business referent recorded.")),
    ]
    return Objective(
        "d2.o4", _share(int(latest is not None) + int(bool(referent)), 2), " ".join(parts), tuple(evidence)
    )


def readiness(node: Node, *, as_of: dt.date | None = None) -> Readiness:
    """The d2.* objectives of ``node`` (its whole subtree), judged on ``as_of`` (default: today)."""
    as_of = as_of or timezone.localdate()
    programme = ContinuityProgramme.objects.filter(node=node).first()
    components = list(
        Component.objects.filter(node__path__startswith=node.path, critical=True)
        .select_related("backup_plan")
        .prefetch_related("backup_plan__copies")
    )
    systems = list(
        BackupSystem.objects.filter(node__path__startswith=node.path)
        | BackupSystem.objects.filter(plans__component__node__path__startswith=node.path)
    )
    systems = list({s.pk: s for s in systems}.values())
    p1, p2, o1a, o1b, o2a = _programme_rules(node, programme)
    o2b, o3c = _critical_backups(components)
    o3a, o3b, o3d = _backup_systems(node, systems)
    objectives = (
        p1,
        p2,
        o1a,
        o1b,
        _bia_scopes(node),
        _field_tests(node, as_of),
        o2a,
        o2b,
        o3a,
        o3b,
        o3c,
        o3d,
        _restore_to_production(node, programme, as_of),
    )
    return Readiness(node.pk, str(node), as_of, objectives)
