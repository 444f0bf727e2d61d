"""Views of recovery scenarios and their simulations (started as jobs, shown with a Gantt chart)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.apps.accounts.permissions import Action
from hygie.apps.continuity.filtersets import ScenarioFilterSet
from hygie.apps.continuity.forms import ScenarioForm, SimulateForm
from hygie.apps.continuity.models import RecoveryScenario, Simulation, SimulationStatus
from hygie.apps.continuity.tables import SCENARIO_COLUMNS
from hygie.apps.findings.models import ACTIVE_STATUSES, Finding
from hygie.web.views import ObjectDetailView, ObjectEditView, ObjectListView, TenantView

__all__ = [
    "ScenarioDetailView",
    "ScenarioEditView",
    "ScenarioListView",
    "SimulateView",
    "SimulationDetailView",
    "SimulationReportView",
    "gantt",
    "simulation_context",
]


class ScenarioListView(ObjectListView):
    """Recovery scenarios of the user's nodes."""

    model = RecoveryScenario
    filterset_class = ScenarioFilterSet
    columns = SCENARIO_COLUMNS
    add_url_name = "continuity:scenario_add"
    template_name = "continuity/object_list.html"


class ScenarioDetailView(ObjectDetailView):
    """A scenario, its simulations and the form to run one."""

    model = RecoveryScenario

    def get_context(self, obj: RecoveryScenario) -> dict[str, Any]:
        """Simulations and what the user may do."""
        user = self.request.user
        can_add = RecoveryScenario.objects.restrict(user, Action.ADD).filter(pk=obj.pk).exists()
        return {
            "simulations": Simulation.objects.restrict(user, Action.VIEW).filter(scenario=obj)[:20],
            "can_change": RecoveryScenario.objects.restrict(user, Action.CHANGE).filter(pk=obj.pk).exists(),
            "simulate_form": SimulateForm() if can_add else None,
        }


class ScenarioEditView(ObjectEditView):
    """Declare or change a scenario."""

    model = RecoveryScenario
    form_class = ScenarioForm


class SimulateView(TenantView):
    """Run a simulation of a scenario as a job (POST only), then show its page."""

    model = RecoveryScenario

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Queue the simulation and go to it; bad runs or seed: back to the scenario with the reason."""
        from hygie.apps.continuity.running import start_simulation

        scenario = self.get_object(Action.ADD)
        form = SimulateForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return render(
                request,
                "continuity/recoveryscenario_detail.html",
                {
                    "object": scenario,
                    "title": str(scenario),
                    "simulate_form": form,
                    "can_change": False,
                    "simulations": Simulation.objects.restrict(request.user, Action.VIEW).filter(scenario=scenario)[
                        :20
                    ],
                },
                status=400,
            )
        simulation = start_simulation(
            scenario, user=request.user, runs=form.cleaned_data["runs"], seed=form.cleaned_data["seed"]
        )
        messages.success(request, _("The simulation is queued."))
        return redirect(simulation.get_absolute_url())


def gantt(schedule: list[dict[str, Any]], activities: list[dict[str, Any]]) -> str:
    """The engine's inline SVG Gantt chart of the median schedule, from the stored JSON rows."""
    from hygie.engines.continuity.report import gantt_svg
    from hygie.engines.continuity.simulate import ScheduledRestore

    rows = [
        ScheduledRestore(
            component=str(r.get("component", "")),
            team=str(r.get("team", "")),
            start_h=float(r.get("start_h") or 0),
            end_h=float(r.get("end_h") or 0),
            end_p90_h=float(r.get("end_p90_h") or r.get("end_h") or 0),
            rebuilt=bool(r.get("rebuilt")),
        )
        for r in schedule
    ]
    markers = sorted(
        {(str(a.get("name")), float(a["rto_h"])) for a in activities if a.get("rto_h")}, key=lambda m: m[1]
    )
    # The engine escapes every name it writes into the SVG (see report.py).
    return mark_safe(gantt_svg(rows, markers[:6]))  # noqa: S308 - escaped by the engine


#: Labels of the engine's severity names (the stored JSON keeps the names).
SEVERITY_LABELS: dict[str, Any] = {
    "critical": gettext_lazy("Critical"),
    "high": gettext_lazy("High"),
    "medium": gettext_lazy("Medium"),
    "low": gettext_lazy("Low"),
    "info": gettext_lazy("Info"),
}


def _described(row: dict[str, Any]) -> dict[str, Any]:
    """A stored what-if with its change worded in the reader's language (the stored text is the job's)."""
    from hygie.engines.continuity.whatif import KINDS, describe

    if row.get("kind") not in KINDS:
        return row
    capacity = row.get("capacity")
    return {
        **row,
        "change": describe(
            str(row["kind"]), str(row.get("target") or ""), capacity if isinstance(capacity, int) else None
        ),
    }


def simulation_context(user: Any, obj: Simulation) -> dict[str, Any]:
    """Rows of a simulation's stored result, and the open continuity findings of its scenario's node."""
    result = obj.result or {}
    activities = result.get("activities") or []
    schedule = result.get("schedule") or []
    findings = Finding.objects.restrict(user, Action.VIEW).filter(
        source="continuity", node__path__startswith=obj.scenario.node.path, status__in=ACTIVE_STATUSES
    )
    return {
        "in_progress": obj.status in {SimulationStatus.QUEUED, SimulationStatus.RUNNING},
        "activities": activities,
        "schedule": schedule,
        "what_if": [_described(row) for row in result.get("what_if") or [] if isinstance(row, dict)],
        "result_findings": [
            {**f, "severity_label": SEVERITY_LABELS.get(str(f.get("severity")), f.get("severity"))}
            for f in result.get("findings") or []
            if isinstance(f, dict)
        ],
        "open_findings": findings.count(),
        "gantt": gantt(schedule, activities) if schedule else "",
        "missed": sum(1 for a in activities if a.get("meets_rto") is False),
    }


class SimulationDetailView(ObjectDetailView):
    """A simulation: job progress until done, then activities against targets, the Gantt chart, what-ifs."""

    model = Simulation
    select_related = ("scenario", "scenario__node", "job")

    def get_context(self, obj: Simulation) -> dict[str, Any]:
        """Rows of the stored result, and the open findings of the scenario's node."""
        return simulation_context(self.request.user, obj)


class SimulationReportView(TenantView):
    """The engine's self-contained HTML report of a finished simulation, as a download."""

    model = Simulation
    select_related = ("scenario",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page, rendered from the stored result."""
        simulation = self.get_object()
        context = {"object": simulation, "title": str(simulation), **simulation_context(request.user, simulation)}
        response = render(request, "continuity/simulation_report.html", context)
        response["Content-Disposition"] = f'attachment; filename="hygie-simulation-{simulation.pk}.html"'
        return response
