"""What the offline crisis kit holds for a node, read once so that the template only lays it out.

Everything is read through the permission choke point for the user generating the kit (the local
operator or the scheduler may read everything). A group's kit holds the group's own part and one
part per member establishment. The recovery order comes from the continuity engine: the median
schedule of the latest finished simulation when there is one, else the engine model's own
component order (dependencies first), which is the order the simulation restores in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.models import DegradedMode
from hygie.apps.incidents.models import (
    EXTERNAL_ROLES,
    CommunicationTemplate,
    CrisisCell,
    CrisisMember,
    CrisisRole,
    DutyShift,
    Nis2Status,
)
from hygie.apps.incidents.playbooks import national_contacts, shipped_playbook
from hygie.apps.incidents.services import EffectiveProfile, effective_profile
from hygie.apps.organizations.models import Node, NodeKind
from hygie.engines.incidents import AWARENESS, Fact, ObligationRule, Situation, shipped_rules

__all__ = ["ROTA_DAYS", "NodePart", "Operator", "kit_context"]

#: The duty rota printed covers this many days from the generation.
ROTA_DAYS = 14
#: Facts about the establishment (the others are about the incident, unknown when the kit is printed).
_NODE_FACTS = frozenset({Fact.HEALTH_ESTABLISHMENT, Fact.OSE, Fact.NIS2_ENTITY, Fact.INSURED})


class Operator:
    """The local operator or the scheduler: reads every node (like the CLI's local administrator)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    username = "hygie"

    def get_username(self) -> str:
        """The name written where a user name is expected."""
        return self.username


def _authority_labels() -> dict[str, str]:
    return {
        "cert_sante": _("CERT Santé"), "anssi": _("ANSSI"), "cnil": _("CNIL"),
        "police": _("Police or gendarmerie"), "insurer": _("Insurer"), "ars": _("ARS"),
        "data_subjects": _("Persons concerned"),
    }


@dataclass
class NodePart:
    """The part of the kit about one node: its cell, people, rota, procedures and recovery order."""

    node: Node
    profile: EffectiveProfile
    cell: CrisisCell | None
    roles: list[dict[str, Any]] = field(default_factory=list)
    external: list[CrisisMember] = field(default_factory=list)
    rota: list[DutyShift] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    recovery: dict[str, Any] = field(default_factory=dict)
    templates: list[CommunicationTemplate] = field(default_factory=list)
    clocks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def nis2_label(self) -> str:
        """The NIS2 status in words."""
        return str(Nis2Status(self.profile.nis2_status).label) if self.profile.nis2_status else ""

    def counts(self) -> dict[str, int]:
        """How much this part holds (the kit's summary)."""
        return {
            "members": sum(len(role["members"]) for role in self.roles),
            "external_contacts": len(self.external),
            "duty_shifts": len(self.rota),
            "activities": len(self.activities),
            "degraded_modes": sum(len(item["modes"]) for item in self.activities),
            "recovery_steps": len(self.recovery.get("rows", [])),
            "templates": len(self.templates),
        }


def _roles(members: list[CrisisMember]) -> list[dict[str, Any]]:
    """Internal roles in the cell's order (director first), each with its holder and deputies."""
    order = {role: position for position, role in enumerate(CrisisRole.values)}
    by_role: dict[str, list[CrisisMember]] = {}
    for member in sorted(members, key=lambda m: (order.get(m.role, 99), m.rank, m.name)):
        by_role.setdefault(member.role, []).append(member)
    return [{"role": CrisisRole(role).label, "members": people} for role, people in by_role.items()]


def _activities(node: Node, user: Any) -> list[dict[str, Any]]:
    """Care activities with degraded modes, most critical first.

    An establishment's part covers its subtree (its sites); a group's part only the group's own
    activities, since each member establishment has its own part in the same kit.
    """
    scope = ({"activity__node__path__startswith": node.path} if node.kind == NodeKind.ESTABLISHMENT
             else {"activity__node": node})
    modes = (DegradedMode.objects.restrict(user, Action.VIEW).filter(**scope)
             .select_related("activity", "activity__node").order_by("name", "pk"))
    grouped: dict[int, dict[str, Any]] = {}
    for mode in modes:
        entry = grouped.setdefault(mode.activity_id, {"activity": mode.activity, "modes": []})
        entry["modes"].append(mode)
    # Vital first; among equals, the one that tolerates the shortest downtime first.
    return sorted(grouped.values(), key=lambda item: (
        -item["activity"].patient_impact,
        item["activity"].max_downtime_hours if item["activity"].max_downtime_hours is not None else 10**9,
        item["activity"].name))


def _recovery(node: Node) -> dict[str, Any]:
    """The restore order: the latest simulation's schedule, else the engine model's dependency order."""
    from hygie.apps.continuity.document import node_model
    from hygie.apps.continuity.plan import latest_simulation
    from hygie.engines.continuity.loader import ModelError

    simulation = latest_simulation(node)
    schedule = (simulation.result or {}).get("schedule") if simulation is not None else None
    if simulation is not None and schedule:
        rows = [{"step": step, "name": str(row.get("component", "")), "team": str(row.get("team", "")),
                 "start_h": row.get("start_h"), "end_h": row.get("end_h"), "rebuilt": bool(row.get("rebuilt"))}
                for step, row in enumerate(schedule, start=1)]
        return {"source": "simulation", "simulation": simulation, "rows": rows}
    try:
        model = node_model(node)
    except ModelError as error:
        return {"source": "invalid", "error": str(error), "rows": []}
    rows = [{"step": step, "name": c.name, "team": c.team, "restore_h": c.restore_h,
             "depends_on": ", ".join(c.depends_on), "critical": c.critical}
            for step, c in enumerate(model.components, start=1)]
    return {"source": "model", "rows": rows}


def _node_facts(node: Node, profile: EffectiveProfile) -> frozenset[Fact]:
    facts = set()
    if node.kind in {NodeKind.ESTABLISHMENT, NodeKind.GROUP, NodeKind.SITE}:
        facts.add(Fact.HEALTH_ESTABLISHMENT)
    for flag, fact in ((profile.ose, Fact.OSE), (profile.nis2_entity, Fact.NIS2_ENTITY),
                       (profile.insured, Fact.INSURED)):
        if flag:
            facts.add(fact)
    return frozenset(facts)


def _clock_row(rule: ObligationRule, facts: frozenset[Fact], situation: Situation, language: str,
               labels: dict[str, str]) -> dict[str, Any]:
    node_requires = rule.requires & _NODE_FACTS
    relevant = node_requires <= facts and not (rule.excludes & facts)
    starts = _("the time of awareness") if rule.starts == AWARENESS else _("completion of: %(title)s") % {
        "title": shipped_rules().get(rule.starts).title_in(language)}
    return {
        "id": rule.id, "title": rule.title_in(language), "authority": labels.get(rule.authority, rule.authority),
        "deadline": rule.deadline.describe(situation), "starts": starts, "basis": rule.basis_in(language),
        "when": [fact.label for fact in sorted(rule.requires)],
        "unless": [fact.label for fact in sorted(rule.excludes)],
        "relevant": relevant,
    }


def _clocks(node: Node, profile: EffectiveProfile, language: str) -> list[dict[str, Any]]:
    """Every obligation rule; those the establishment's profile rules out come last, marked so."""
    facts = _node_facts(node, profile)
    hours = float(profile.insurer_notice_hours) if profile.insurer_notice_hours else None
    situation = Situation(facts=facts, insurer_notice_hours=hours)
    labels = _authority_labels()
    rows = [_clock_row(rule, facts, situation, language, labels) for rule in shipped_rules()]
    return sorted(rows, key=lambda row: not row["relevant"])


def _part(node: Node, user: Any, now: dt.datetime, language: str) -> NodePart:
    lineage = [*node.ancestors(), node]
    members = list(CrisisMember.objects.restrict(user, Action.VIEW).filter(node__in=lineage)
                   .select_related("node").order_by("node__path", "role", "rank", "name"))
    own = [m for m in members if m.node_id == node.pk and m.role not in EXTERNAL_ROLES]
    # Outside contacts recorded higher up (the region's ARS duty officer) serve the whole subtree.
    external = [m for m in members if m.role in EXTERNAL_ROLES]
    rota = list(DutyShift.objects.restrict(user, Action.VIEW)
                .filter(member__node=node, ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=ROTA_DAYS))
                .select_related("member").order_by("starts_at", "pk"))
    profile = effective_profile(node)
    return NodePart(
        node=node, profile=profile,
        cell=CrisisCell.objects.restrict(user, Action.VIEW).filter(node=node).first(),
        roles=_roles(own), external=external, rota=rota, activities=_activities(node, user),
        recovery=_recovery(node),
        templates=list(CommunicationTemplate.objects.restrict(user, Action.VIEW).filter(node__in=lineage)
                       .order_by("audience", "title", "pk")),
        clocks=_clocks(node, profile, language),
    )


def kit_context(node: Node, *, user: Any, now: dt.datetime, language: str) -> dict[str, Any]:
    """The template context of ``node``'s kit: its own part, one per member establishment, the shared parts."""
    parts = [_part(node, user, now, language)]
    if node.kind != NodeKind.ESTABLISHMENT:
        members = (Node.objects.restrict(user, Action.VIEW)
                   .filter(path__startswith=node.path, kind=NodeKind.ESTABLISHMENT).exclude(pk=node.pk)
                   .order_by("path"))
        parts.extend(_part(member, user, now, language) for member in members)
    trees = shipped_playbook()
    contacts = national_contacts()
    summary: dict[str, Any] = {"establishments": len(parts) - 1 if len(parts) > 1 else 1,
                               "decision_trees": len(trees), "obligation_rules": len(shipped_rules()),
                               "national_contacts": len(contacts)}
    for part in parts:
        for key, value in part.counts().items():
            summary[key] = summary.get(key, 0) + value
    return {
        "node": node, "parts": parts, "trees": [{"tree": tree, "title": tree.title_in(language),
                                                  "when": tree.when_in(language),
                                                  "steps": [(step, step.text_in(language)) for step in tree.steps]}
                                                 for tree in trees],
        "contacts": [{"name": c.name_in(language), "role": c.role_in(language), "portal": c.portal}
                     for c in contacts],
        "generated": timezone.localtime(now), "rota_days": ROTA_DAYS, "summary": summary, "language": language,
    }
