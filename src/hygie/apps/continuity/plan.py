"""The PCA/PRA document of a node (an establishment, or a group for its subtree), generated from the model.

Sections: governance and plan owner (the continuity programme), crisis links (procedures, "plan
blanc"), BIA results per activity, recovery order with each component's runbook (the median schedule
of the latest finished simulation, else the dependency order), backup plans, degraded modes,
exercises. HTML for the page and the download, PDF with WeasyPrint like the other reports.
"""

from __future__ import annotations

import graphlib
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

from hygie.apps.continuity.models import (
    BusinessImpact,
    Component,
    ContinuityProgramme,
    DegradedMode,
    Exercise,
    Simulation,
    SimulationStatus,
)

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["dependency_order", "latest_simulation", "plan_context", "plan_html", "plan_pdf"]


def latest_simulation(node: Node) -> Simulation | None:
    """The latest finished simulation of a scenario of the node or below it.

    Not an ancestor's: a group's scenario is simulated on the group's model, whose schedule names
    the other establishments' components, which the establishment's document must not show.
    """
    return (
        Simulation.objects.filter(status=SimulationStatus.DONE, scenario__node__path__startswith=node.path)
        .select_related("scenario")
        .order_by("-created", "-id")
        .first()
    )


def dependency_order(components: list[Component]) -> list[Component]:
    """Components so that each comes after those it depends on (among ``components``), then by name."""
    by_pk = {c.pk: c for c in components}
    sorter: graphlib.TopologicalSorter[int] = graphlib.TopologicalSorter()
    for component in sorted(components, key=lambda c: c.name):
        sorter.add(component.pk, *(d.pk for d in component.depends_on.all() if d.pk in by_pk))
    try:
        return [by_pk[pk] for pk in sorter.static_order()]
    except graphlib.CycleError:
        # A cycle is reported by the model checks; the document still lists every component.
        return sorted(components, key=lambda c: c.name)


def _recovery_order(node: Node, components: list[Component]) -> tuple[list[dict[str, Any]], Simulation | None]:
    simulation = latest_simulation(node)
    by_name = {c.name: c for c in components}
    schedule = (simulation.result or {}).get("schedule") if simulation else None
    if simulation is not None and schedule:
        rows = []
        for step, row in enumerate(schedule, start=1):
            component = by_name.get(str(row.get("component")))
            rows.append(
                {
                    "step": step,
                    "name": row.get("component"),
                    "team": row.get("team"),
                    "start_h": row.get("start_h"),
                    "end_h": row.get("end_h"),
                    "end_p90_h": row.get("end_p90_h"),
                    "rebuilt": row.get("rebuilt"),
                    "component": component,
                    "runbook": component.runbook if component else "",
                }
            )
        return rows, simulation
    rows = [
        {"step": step, "name": c.name, "team": c.team.name, "component": c, "runbook": c.runbook}
        for step, c in enumerate(dependency_order(components), start=1)
    ]
    return rows, None


def plan_context(node: Node) -> dict[str, Any]:
    """Everything the PCA/PRA document shows, for the node's subtree."""
    impacts = list(
        BusinessImpact.objects.filter(activity__node__path__startswith=node.path)
        .select_related("activity", "activity__node")
        .order_by("activity__name")
    )
    modes = list(DegradedMode.objects.filter(activity__node__path__startswith=node.path).select_related("activity"))
    activities = [
        {
            "activity": impact.activity,
            "impact": impact,
            "targets": impact.targets(),
            "modes": [m for m in modes if m.activity_id == impact.activity_id],
        }
        for impact in impacts
    ]
    components = list(
        Component.objects.filter(node__path__startswith=node.path)
        .select_related("team", "node", "backup_plan__system")
        .prefetch_related("depends_on", "backup_plan__copies")
        .order_by("name")
    )
    order, simulation = _recovery_order(node, components)
    backups = [
        {"component": c, "plan": getattr(c, "backup_plan", None)} for c in components if hasattr(c, "backup_plan")
    ]
    exercises = list(
        Exercise.objects.filter(node__path__startswith=node.path).select_related("node").order_by("-planned_on")[:30]
    )
    return {
        "node": node,
        "programme": ContinuityProgramme.objects.filter(node=node).first(),
        "activities": activities,
        "degraded_modes": modes,
        "order": order,
        "simulation": simulation,
        "backups": backups,
        "unprotected": [c for c in components if not hasattr(c, "backup_plan")],
        "exercises": exercises,
        "generated": timezone.localtime(),
    }


def plan_html(node: Node) -> str:
    """The document as one self-contained HTML page (inline styles: it opens anywhere, offline)."""
    return render_to_string("continuity/plan_document.html", plan_context(node))


def plan_pdf(node: Node) -> bytes:
    """The same document as PDF."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=plan_html(node)).write_pdf()
    return pdf
