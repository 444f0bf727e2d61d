"""Continuity in a real browser: an establishment's CISO walks from the BIA to the PCA/PRA and an exercise's actions.

The CISO holds the manager role on the establishment only. Each step leaves a screenshot
``test-artifacts/e2e-40-continuity-*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.continuity.models import BusinessImpact, Exercise, ExerciseKind, ExerciseStatus, Simulation
from hygie.apps.continuity.tests.support import build_continuity
from hygie.apps.findings.models import Finding, SeverityChoices
from hygie.testing import build_tenants
from hygie.testing.tasks import run_queued_tasks
from hygie.testing.tenants import PASSWORD

from .test_e2e import _login, _shot, pytestmark  # noqa: F401 - the browser marks
from .test_e2e import page as page  # noqa: PLC0414 - the fixture, under its own name

__all__ = ["TestContinuityJourney"]

#: The statuses the CaRE domain-2 page may give an objective.
READINESS_STATUSES = {"met", "partial", "not met", "unknown"}


def _ciso(establishment: Any) -> Any:
    """The establishment's CISO: a manager of that establishment and nothing above it."""
    ciso = User.objects.create_user(username="ciso_hospital_a", password=PASSWORD)
    RoleAssignment.objects.create(user=ciso, node=establishment, role=Role.MANAGER)
    return ciso


def _rows(page: Any, testid: str) -> Any:
    return page.get_by_test_id(testid).locator("tbody tr")


def _overview(page: Any, hospital: Any) -> None:
    """Step 1: the establishment's overview from the main menu, both activities with their targets."""
    page.locator("nav.mainnav").get_by_role("link", name="Continuity").click()
    page.wait_for_url("**/continuity/")
    assert hospital.name in page.locator("h1").inner_text()
    activities = _rows(page, "overview-activities")
    assert ["Billing", "Emergencies"] == sorted(row.locator("td").first.inner_text() for row in activities.all())
    assert "2" == page.get_by_test_id("activity-count").inner_text().strip()
    _shot(page, "40-continuity-overview")


def _raise_impact(page: Any, built: dict[str, Any]) -> None:
    """Step 2: patient safety becomes critical at 4 h in the emergencies' BIA: the MTPD falls from 24 h to 4 h."""
    _rows(page, "overview-activities").filter(has_text="Emergencies").get_by_role("link", name="BIA").click()
    page.wait_for_url(f"**/continuity/activities/{built['emergencies'].pk}/bia/")
    assert "24 h" == page.get_by_test_id("bia-mtpd").inner_text().strip()
    assert "1 h" == page.get_by_test_id("bia-rto").inner_text().strip()
    page.select_option("select[name=patient_safety_1]", "4")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "4 h" == page.get_by_test_id("bia-mtpd").inner_text().strip()
    assert "4" == page.locator("select[name=patient_safety_1]").input_value()
    assert 4.0 == BusinessImpact.objects.get(activity=built["emergencies"]).targets().mtpd_h
    _shot(page, "40-continuity-bia")


def _simulate(page: Any, hospital: Any, scenario: Any) -> None:
    """Step 3: the ransomware simulated by the worker: activities against targets, the Gantt chart, the what-ifs."""
    page.goto(f"/continuity/nodes/{hospital.pk}/")
    page.locator("nav.continuity-nav").get_by_role("link", name="Scenarios").click()
    page.get_by_role("link", name=scenario.name, exact=True).click()
    page.wait_for_url(f"**/continuity/scenarios/{scenario.pk}/")
    form = page.get_by_test_id("simulate-form")
    form.locator("input[name=runs]").fill("300")
    form.locator("input[name=seed]").fill("7")
    with page.expect_navigation():
        form.get_by_role("button", name="Simulate").click()
    simulation = Simulation.objects.get(scenario=scenario)
    assert page.url.endswith(simulation.get_absolute_url())

    run_queued_tasks()  # the worker's own code runs the queued simulation
    page.reload()
    assert "Done" == page.get_by_test_id("simulation-status").inner_text().strip()
    outcomes = _rows(page, "simulation-activities")
    assert {"Emergencies", "Billing"} == {row.locator("td").first.inner_text() for row in outcomes.all()}
    assert page.get_by_test_id("simulation-activities").locator("td.missed").count() >= 1  # red: not met
    simulation.refresh_from_db()
    schedule = simulation.result["schedule"]
    assert len(schedule) >= 3  # the directory, the hypervisors and what stands on them
    assert len(schedule) == page.get_by_test_id("gantt").locator("svg rect").count()  # one bar each
    chart = page.get_by_test_id("gantt").locator("svg").inner_html()
    assert all(row["component"] in chart for row in schedule)
    ranking = _rows(page, "what-if")
    assert ranking.count() >= 1
    assert [str(rank) for rank in range(1, ranking.count() + 1)] == [
        row.locator("td").first.inner_text().strip() for row in ranking.all()
    ]
    _shot(page, "40-continuity-simulation")
    # The overview now reads the simulation against the targets, in words.
    page.goto(f"/continuity/nodes/{hospital.pk}/")
    assert "not met" in page.get_by_test_id("overview-activities").inner_text()
    _shot(page, "40-continuity-overview-simulated")


def _readiness(page: Any, hospital: Any) -> None:
    """Step 4: CaRE domain 2, every objective with its status."""
    page.locator("nav.continuity-nav").get_by_role("link", name="CaRE domain 2").click()
    page.wait_for_url(f"**/continuity/nodes/{hospital.pk}/readiness/")
    objectives = page.locator("[data-testid^='objective-d2']")
    ids = [row.locator("td").first.inner_text().strip() for row in objectives.all()]
    assert {"d2.p1", "d2.o1.c", "d2.o1.d", "d2.o3.c", "d2.o4"} <= set(ids)
    statuses = [row.locator(".badge").inner_text().strip() for row in objectives.all()]
    assert len(ids) == len(statuses)
    assert set(statuses) <= READINESS_STATUSES
    _shot(page, "40-continuity-readiness")


def _plan_pdf(page: Any, hospital: Any, tmp_path: Path) -> None:
    """Step 5: the PCA/PRA page and its PDF."""
    page.locator("nav.continuity-nav").get_by_role("link", name="PCA/PRA").click()
    page.wait_for_url(f"**/continuity/nodes/{hospital.pk}/plan/")
    assert "Patient record" in page.get_by_test_id("plan-recovery").inner_text()
    _shot(page, "40-continuity-plan")
    with page.expect_download() as download:
        page.get_by_test_id("plan-pdf").click()
    pdf = tmp_path / "plan.pdf"
    download.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


def _exercise_action(page: Any, exercise: Exercise, owner: Any) -> None:
    """Step 6: an action of the exercise, with an owner and a due date, lands in the findings register."""
    title = "Second tape drive for the directory"
    page.locator("nav.continuity-nav").get_by_role("link", name="Exercises").click()
    page.get_by_role("link", name=exercise.title, exact=True).click()
    page.wait_for_url(f"**/continuity/exercises/{exercise.pk}/")
    action = page.get_by_test_id("action-form")
    action.locator("input[name=title]").fill(title)
    action.locator("select[name=severity]").select_option(label="High")
    action.locator("select[name=owner]").select_option(str(owner.pk))
    action.locator("input[name=due_date]").fill("2027-01-31")
    with page.expect_navigation():
        action.get_by_role("button", name="Add the action").click()
    row = _rows(page, "exercise-actions").filter(has_text=title)
    assert 1 == row.count()
    assert [owner.username, "2027-01-31"] == [cell.strip() for cell in row.locator("td").all_inner_texts()[1:3]]
    _shot(page, "40-continuity-exercise-action")

    page.locator("nav.mainnav").get_by_role("link", name="Findings").click()
    page.wait_for_url("**/findings/")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(r".*/findings/\d+/$"))
    assert owner.username in page.locator("main").inner_text()
    _shot(page, "40-continuity-finding")
    finding = Finding.objects.get(exercise_action__exercise=exercise)
    assert (title, owner, dt.date(2027, 1, 31)) == (finding.title, finding.owner, finding.due_date)
    assert (exercise.node, SeverityChoices.HIGH) == (finding.node, finding.severity)


class TestContinuityJourney:
    """A CISO reads the overview, tightens a BIA, simulates a ransomware, reads CaRE d2, gets the PCA/PRA, acts."""

    def test_bia_simulation_readiness_plan_exercise(self, page: Any, flushable_db: Any, tmp_path: Path) -> None:
        """Given the support model on an establishment, each page of the journey shows what the CISO acts on."""
        tenants = build_tenants()
        hospital = tenants.hospital_a
        built = build_continuity(hospital)
        exercise = Exercise.objects.create(
            node=hospital, kind=ExerciseKind.PCA_FIELD_TEST, title="Ransomware field test",
            planned_on=dt.date(2026, 3, 10), held_on=dt.date(2026, 3, 10), status=ExerciseStatus.HELD,
            lessons="The directory took longer to restore than planned.",
        )  # fmt: skip
        _login(page, _ciso(hospital).username)

        _overview(page, hospital)
        _raise_impact(page, built)
        _simulate(page, hospital, built["ransomware"])
        _readiness(page, hospital)
        _plan_pdf(page, hospital, tmp_path)
        # The owner holds a role on the group, above the exercise's node.
        _exercise_action(page, exercise, tenants.users["analyst"])
