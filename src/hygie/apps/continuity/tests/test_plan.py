"""The PCA/PRA document: its sections, the recovery order (simulation or dependencies), HTML and PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.apps.continuity.models import ContinuityProgramme, Exercise, ExerciseKind, RecoveryScenario
from hygie.apps.continuity.plan import dependency_order, plan_context, plan_html, plan_pdf
from hygie.apps.continuity.running import new_simulation, run_simulation

from .support import build_continuity

SECTIONS = (
    "plan-governance",
    "plan-crisis",
    "plan-bia",
    "plan-recovery",
    "plan-backups",
    "plan-degraded",
    "plan-exercises",
)


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A, with a programme and an exercise."""
    built = build_continuity(tenants.hospital_a)
    ContinuityProgramme.objects.create(
        node=tenants.hospital_a,
        plan_owner="Dr Plan Owner",
        governance="Quarterly committee",
        crisis_procedures="Crisis cell in room 12",
        plan_blanc_covers_cyber=True,
    )
    Exercise.objects.create(
        node=tenants.hospital_a,
        kind=ExerciseKind.TABLETOP,
        title="Tabletop ransomware",
        planned_on=dt.date(2026, 12, 3),
    )
    return built


class TestDependencyOrder:
    """Without a simulation, each component comes after what it depends on."""

    def test_order(self, built: dict[str, Any]) -> None:
        """The directory, hypervisors and storage come before the patient record."""
        components = [built[k] for k in ("dpi", "pacs", "admissions", "directory", "hypervisors", "storage")]
        names = [c.name for c in dependency_order(components)]
        assert names.index("Active Directory") < names.index("Patient record")
        assert names.index("SAN storage") < names.index("PACS")
        assert 6 == len(names)


class TestPlanDocument:
    """Sections, content, recovery order and the PDF."""

    def test_html_sections(self, built: dict[str, Any], tenants: Any) -> None:
        """Every section, the owner, crisis links, BIA targets, runbooks, copies, degraded modes, exercises."""
        html = plan_html(tenants.hospital_a)
        for section in SECTIONS:
            assert f'data-testid="{section}"' in html
        for text in (
            "Dr Plan Owner",
            "Crisis cell in room 12",
            "Emergencies",
            "Billing",
            "Restore the database, then the application servers.",
            "Paper forms",
            "Tabletop ransomware",
            "Immutable".lower(),
        ):
            assert text in html
        assert "Dependency order" in html
        assert "http" not in html.replace("http-equiv", "")  # self-contained: no external asset

    def test_order_from_latest_simulation(self, built: dict[str, Any], tenants: Any) -> None:
        """After a simulation, the order is its median schedule."""
        simulation = run_simulation(new_simulation(built["ransomware"], user=None, runs=50, seed=2))
        context = plan_context(tenants.hospital_a)
        assert simulation.pk == context["simulation"].pk
        assert [row["component"] for row in simulation.result["schedule"]] == [r["name"] for r in context["order"]]
        assert "Median schedule" in plan_html(tenants.hospital_a)

    def test_a_group_simulation_stays_out_of_an_establishment_plan(self, built: dict[str, Any], tenants: Any) -> None:
        """A group's scenario simulates the group's model: its schedule is not the establishment's order."""
        group_scenario = RecoveryScenario.objects.create(
            node=tenants.group_a, name="Group ransomware", lost=["application"]
        )
        run_simulation(new_simulation(group_scenario, user=None, runs=20, seed=1))
        assert plan_context(tenants.hospital_a)["simulation"] is None
        assert group_scenario.simulations.get().pk == plan_context(tenants.group_a)["simulation"].pk

    def test_empty_node(self, tenants: Any) -> None:
        """A node with nothing recorded still gives a document, saying so."""
        html = plan_html(tenants.hospital_b)
        assert "No continuity programme recorded" in html
        assert "No business-impact analysis yet." in html

    def test_pdf(self, built: dict[str, Any], tenants: Any) -> None:
        """WeasyPrint renders it."""
        assert plan_pdf(tenants.hospital_a).startswith(b"%PDF")
