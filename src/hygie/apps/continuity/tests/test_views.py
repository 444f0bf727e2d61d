"""Continuity pages with data: overview, components, backups, BIA editor, scenarios and simulations, exercises."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from hygie.apps.continuity.models import (
    BusinessImpact,
    Component,
    DegradedMode,
    Exercise,
    ExerciseKind,
    ExerciseStatus,
    RecoveryScenario,
    Simulation,
    SimulationStatus,
)
from hygie.apps.findings.models import Finding
from hygie.apps.inventory.models import CareActivity
from hygie.testing.tasks import run_queued_tasks

from .support import EMERGENCY_GRID, build_continuity


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _grid_form(grid: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "care", "assessed_by": "Dr A"}
    for axis in ("patient_safety", "care_continuity", "legal", "finance", "image"):
        levels = grid.get("impacts", {}).get(axis, [0] * 6)
        data |= {f"{axis}_{i}": str(level) for i, level in enumerate(levels)}
    data |= {f"data_loss_{i}": str(level) for i, level in enumerate(grid.get("data_loss", [0] * 5))}
    return data | extra


@pytest.fixture
def built(tenants: Any) -> dict[str, Any]:
    """The support model on hospital A."""
    return build_continuity(tenants.hospital_a)


@pytest.fixture
def analyst(tenants: Any) -> Client:
    """An analyst of group A."""
    return _client(tenants.users["analyst"])


class TestNavigation:
    """The menu and the node dashboard lead to continuity."""

    def test_menu_and_card(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """The main menu has the entry; the node page has the card."""
        assert 'href="/continuity/"' in analyst.get("/").content.decode()
        page = analyst.get(f"/organizations/{tenants.hospital_a.pk}/").content.decode()
        assert 'data-testid="continuity-card"' in page


class TestOverview:
    """Activities with targets, the latest simulation against them, degraded mode, findings."""

    def test_targets_and_simulation(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Derived targets first; after a simulation, P50/P90 with met / not met colours."""
        url = f"/continuity/nodes/{tenants.hospital_a.pk}/"
        page = analyst.get(url).content.decode()
        assert "Emergencies" in page
        assert "Billing" in page
        assert "48 h" in page  # billing's RTO override
        assert "12 h" in page  # the paper forms hold 12 h
        from hygie.apps.continuity.running import new_simulation, run_simulation

        run_simulation(new_simulation(built["ransomware"], user=None, runs=50, seed=1))
        page = analyst.get(url).content.decode()
        assert 'class="missed"' in page  # emergencies miss their 1 h RTO
        assert "not met" in page

    def test_picker_and_activities_without_bia(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """``?node=`` picks a node; activities without a BIA are listed with a link to their editor."""
        lab = CareActivity.objects.create(node=tenants.hospital_a, name="Laboratory")
        page = analyst.get("/continuity/", {"node": tenants.hospital_a.pk}).content.decode()
        assert f"/continuity/activities/{lab.pk}/bia/" in page

    def test_other_tenant(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Another group's node: 404 on every per-node page."""
        for suffix in ("", "plan/", "readiness/", "calendar/", "programme/"):
            assert 404 == analyst.get(f"/continuity/nodes/{tenants.hospital_b.pk}/{suffix}").status_code
        assert 404 == analyst.get("/continuity/", {"node": tenants.hospital_b.pk}).status_code


class TestComponents:
    """List, detail with both directions, create and edit forms."""

    def test_list_filter_and_detail(self, built: dict[str, Any], analyst: Client) -> None:
        """The category filter; the detail shows dependencies both ways, copies, tests, activities."""
        page = analyst.get("/continuity/components/", {"category": "directory"}).content.decode()
        assert "Active Directory" in page
        assert "PACS" not in page
        page = analyst.get(f"/continuity/components/{built['directory'].pk}/").content.decode()
        assert "Patient record" in page  # needed by
        assert "Tape" in page  # the offline copy
        needed = page[page.index('data-testid="needed-by"') :]
        assert "Emergencies" in needed[: needed.index("</ul>")]  # through the patient record
        assert "Billing" in needed[: needed.index("</ul>")]  # through admissions
        page = analyst.get(f"/continuity/components/{built['dpi'].pk}/").content.decode()
        assert "SAN storage" in page  # depends on
        assert "7.5 h" in page  # restore test
        assert "Emergencies" in page  # the activity that needs it
        assert "Restore the database" in page

    def test_create_and_errors(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """A valid form creates; a negative time or a duplicate name: 400 with the reason, nothing stored."""
        data = {
            "node": tenants.hospital_a.pk,
            "name": "Laboratory",
            "kind": "application",
            "category": "application",
            "team": built["team_apps"].pk,
            "depends_on": [built["directory"].pk],
            "restore_h": "3",
        }
        response = analyst.post("/continuity/components/add/", data)
        assert 302 == response.status_code
        lab = Component.objects.get(name="Laboratory")
        assert [built["directory"]] == list(lab.depends_on.all())
        response = analyst.post("/continuity/components/add/", data | {"name": "PACS"})
        assert 400 == response.status_code
        assert "already used on this node" in response.content.decode()
        response = analyst.post("/continuity/components/add/", data | {"name": "Other", "restore_h": "-1"})
        assert 400 == response.status_code
        assert not Component.objects.filter(name="Other").exists()

    def test_dependency_choices_limited(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """A dependency on another tenant's component is not a valid choice."""
        foreign = build_continuity(tenants.hospital_b)["directory"]
        data = {
            "node": tenants.hospital_a.pk,
            "name": "Lab",
            "kind": "application",
            "category": "application",
            "team": built["team_apps"].pk,
            "depends_on": [foreign.pk],
            "restore_h": "3",
        }
        assert 400 == analyst.post("/continuity/components/add/", data).status_code
        assert 404 == analyst.get(f"/continuity/components/{foreign.pk}/").status_code


class TestTeams:
    """Recovery teams: list with search, detail with their components, create."""

    def test_pages(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Search narrows the list; the detail lists what the team restores; the form creates a team."""
        page = analyst.get("/continuity/teams/", {"q": "infra"}).content.decode()
        assert built["team_infra"].get_absolute_url() in page
        assert built["team_apps"].get_absolute_url() not in page
        page = analyst.get(built["team_infra"].get_absolute_url()).content.decode()
        assert "SAN storage" in page
        data = {"node": tenants.hospital_a.pk, "name": "Night shift", "capacity": "1"}
        assert 302 == analyst.post("/continuity/teams/add/", data).status_code
        assert 400 == analyst.post("/continuity/teams/add/", data | {"name": "Other", "capacity": "0"}).status_code

    def test_one_filterset(self) -> None:
        """The UI list and the API filter teams with the same FilterSet (filtersets.py's)."""
        from hygie.apps.continuity import filtersets, views

        assert filtersets.RecoveryTeamFilterSet is views.TeamListView.filterset_class
        assert not hasattr(views.components, "TeamFilterSet")


class TestBackupSystems:
    """Backup systems: list, detail, edit."""

    def test_pages(self, built: dict[str, Any], analyst: Client) -> None:
        """The production-directory console is flagged; the edit form saves."""
        assert "Tape library" in analyst.get("/continuity/backups/", {"mfa": "true"}).content.decode()
        page = analyst.get(f"/continuity/backups/{built['veeam'].pk}/").content.decode()
        assert "Production directory" in page
        assert "Patient record" not in page  # its plan moved to the tapes
        data = {"node": built["veeam"].node_id, "name": "Veeam", "authentication": "dedicated_directory", "mfa": "on"}
        assert 302 == analyst.post(f"/continuity/backups/{built['veeam'].pk}/edit/", data).status_code
        built["veeam"].refresh_from_db()
        assert built["veeam"].mfa


class TestBiaEditor:
    """The grid, the derived targets, overrides, errors naming the axis, degraded modes."""

    def test_grid_and_targets(self, built: dict[str, Any], analyst: Client) -> None:
        """The stored grid is shown with the targets it implies."""
        page = analyst.get(f"/continuity/activities/{built['emergencies'].pk}/bia/").content.decode()
        assert 'data-testid="bia-grid"' in page
        assert page.count("<select") == 5 * 6 + 5 + 1  # the grid, the data-loss row, the scope
        assert "Patient safety" in page
        assert "1 week" in page

    def test_new_bia_and_override(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """An activity without a BIA gets one; an RPO override wins over the derived RPO."""
        lab = CareActivity.objects.create(node=tenants.hospital_a, name="Laboratory")
        response = analyst.post(f"/continuity/activities/{lab.pk}/bia/", _grid_form(EMERGENCY_GRID, rpo_h="2"))
        assert 302 == response.status_code
        impact = BusinessImpact.objects.get(activity=lab)
        assert EMERGENCY_GRID["impacts"]["patient_safety"] == impact.grid["impacts"]["patient_safety"]
        assert (1.0, 2.0, 24.0) == (impact.targets().rto_h, impact.targets().rpo_h, impact.targets().mtpd_h)
        page = analyst.get(f"/continuity/activities/{lab.pk}/bia/").content.decode()
        assert 'data-testid="bia-rpo">2 h' in page

    def test_decreasing_levels_refused(self, built: dict[str, Any], analyst: Client) -> None:
        """Levels going down with time: 400 naming the axis; the stored grid is unchanged."""
        grid = {"impacts": {"finance": [3, 2, 2, 2, 2, 2]}, "data_loss": [0, 0, 0, 0, 0]}
        response = analyst.post(f"/continuity/activities/{built['billing'].pk}/bia/", _grid_form(grid))
        assert 400 == response.status_code
        assert "finance" in response.content.decode()
        built["billing_bia"].refresh_from_db()
        assert [0, 1, 2, 3, 3, 4] == built["billing_bia"].grid["impacts"]["finance"]

    def test_bad_level_refused(self, built: dict[str, Any], analyst: Client) -> None:
        """A level outside 0-4 is not a choice."""
        data = _grid_form(EMERGENCY_GRID) | {"legal_0": "7"}
        assert 400 == analyst.post(f"/continuity/activities/{built['billing'].pk}/bia/", data).status_code

    def test_viewer_reads_only(self, built: dict[str, Any], tenants: Any) -> None:
        """A viewer sees the grid, disabled and without a Save button; a POST is refused."""
        viewer = _client(tenants.users["viewer"])
        url = f"/continuity/activities/{built['billing'].pk}/bia/"
        page = viewer.get(url).content.decode()
        assert "disabled" in page
        assert "Save" not in page
        assert 403 == viewer.post(url, _grid_form(EMERGENCY_GRID)).status_code

    def test_degraded_modes(self, built: dict[str, Any], analyst: Client) -> None:
        """Add one, then change it; a negative hold is refused."""
        url = f"/continuity/activities/{built['billing'].pk}/degraded-modes/add/"
        assert 302 == analyst.post(url, {"name": "Manual invoices", "hold_h": "48"}).status_code
        mode = DegradedMode.objects.get(name="Manual invoices")
        assert 400 == analyst.post(url, {"name": "Bad", "hold_h": "-2"}).status_code
        edit = f"/continuity/degraded-modes/{mode.pk}/edit/"
        assert 302 == analyst.post(edit, {"name": "Manual invoices", "hold_h": "96"}).status_code
        mode.refresh_from_db()
        assert 96 == mode.hold_h
        assert "Manual invoices" in analyst.get(f"/continuity/activities/{built['billing'].pk}/bia/").content.decode()


class TestScenariosAndSimulations:
    """Scenario forms; Simulate queues a job; the simulation page shows progress, then the results."""

    def test_create_scenario(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Selectors one a line and outages parsed; a bad outage line names the line."""
        data = {
            "node": tenants.hospital_a.pk,
            "name": "Power loss",
            "lost_text": "category:directory\nPACS",
            "outages_text": "SAN storage = 24",
        }
        assert 302 == analyst.post("/continuity/scenarios/add/", data).status_code
        scenario = RecoveryScenario.objects.get(name="Power loss")
        assert (["category:directory", "PACS"], {"SAN storage": 24.0}) == (scenario.lost, scenario.outages)
        response = analyst.post("/continuity/scenarios/add/", data | {"name": "Other", "outages_text": "SAN = soon"})
        assert 400 == response.status_code
        assert "Line 1" in response.content.decode()
        response = analyst.post(
            "/continuity/scenarios/add/", data | {"name": "Empty", "lost_text": "", "outages_text": ""}
        )
        assert 400 == response.status_code

    def test_simulate(self, built: dict[str, Any], analyst: Client) -> None:
        """POST Simulate -> the simulation page (queued, polling); the job runs; the page shows the results."""
        response = analyst.post(f"/continuity/scenarios/{built['ransomware'].pk}/simulate/", {"runs": 100, "seed": 4})
        assert 302 == response.status_code
        simulation = Simulation.objects.get()
        assert response["Location"] == simulation.get_absolute_url()
        page = analyst.get(simulation.get_absolute_url()).content.decode()
        assert 'hx-trigger="every 2s"' in page
        run_queued_tasks()
        simulation.refresh_from_db()
        assert SimulationStatus.DONE == simulation.status
        page = analyst.get(simulation.get_absolute_url()).content.decode()
        assert 'hx-trigger="every 2s"' not in page
        assert "<svg" in page
        assert "Emergencies" in page
        assert 'data-testid="what-if"' in page
        assert 'data-testid="simulation-findings"' in page
        assert '<span class="badge severity-high">High</span>' in page
        report = analyst.get(f"/continuity/simulations/{simulation.pk}/report/")
        assert "attachment" in report["Content-Disposition"]
        assert "<svg" in report.content.decode()

    def test_bad_runs(self, built: dict[str, Any], analyst: Client) -> None:
        """Zero runs: 400, nothing queued."""
        response = analyst.post(f"/continuity/scenarios/{built['ransomware'].pk}/simulate/", {"runs": 0, "seed": 0})
        assert 400 == response.status_code
        assert not Simulation.objects.exists()


class TestExercises:
    """Plan, record as held, actions in the findings register, the calendar."""

    def _exercise(self, tenants: Any, **extra: Any) -> Exercise:
        fields = {
            "node": tenants.hospital_a,
            "kind": ExerciseKind.PCA_FIELD_TEST,
            "title": "Field test",
            "planned_on": dt.date(2026, 10, 14),
        } | extra
        return Exercise.objects.create(**fields)

    def test_create(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """A valid form creates the exercise with its entities and activities."""
        data = {
            "node": tenants.hospital_a.pk,
            "kind": "tabletop",
            "title": "Tabletop",
            "planned_on": "2026-12-01",
            "entities": [tenants.hospital_a.pk],
            "activities": [built["emergencies"].pk],
        }
        assert 302 == analyst.post("/continuity/exercises/add/", data).status_code
        exercise = Exercise.objects.get(title="Tabletop")
        assert [built["emergencies"]] == list(exercise.activities.all())
        page = analyst.get(exercise.get_absolute_url()).content.decode()
        assert "Emergencies" in page
        assert 400 == analyst.post("/continuity/exercises/add/", data | {"planned_on": "someday"}).status_code

    def test_record_held(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Held with timings (measured over plan in red) and lessons; bad timings: 400, nothing stored."""
        exercise = self._exercise(tenants)
        url = f"/continuity/exercises/{exercise.pk}/record/"
        bad = {"held_on": "2026-10-14", "timings_text": "Restore AD | six | 7"}
        assert 400 == analyst.post(url, bad).status_code
        exercise.refresh_from_db()
        assert ExerciseStatus.PLANNED == exercise.status
        good = {
            "held_on": "2026-10-14",
            "participants": "IT",
            "lessons": "AD slow",
            "timings_text": "Restore AD | 6 | 7.5\nSwitch to paper | 1 | 0.5",
        }
        assert 302 == analyst.post(url, good).status_code
        exercise.refresh_from_db()
        assert ExerciseStatus.HELD == exercise.status
        assert {"step": "Restore AD", "planned_h": 6.0, "measured_h": 7.5} == exercise.timings[0]
        page = analyst.get(exercise.get_absolute_url()).content.decode()
        assert 'class="missed">7.5 h' in page
        future = {"held_on": (dt.date.today() + dt.timedelta(days=30)).isoformat()}  # noqa: DTZ011 - a date
        assert 400 == analyst.post(url, future).status_code

    def test_action(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """An action becomes a finding with its owner and due date; an owner from another group is refused."""
        exercise = self._exercise(tenants)
        url = f"/continuity/exercises/{exercise.pk}/actions/"
        data = {
            "title": "Second tape drive",
            "severity": 3,
            "owner": tenants.users["manager"].pk,
            "due_date": "2027-01-31",
        }
        assert 302 == analyst.post(url, data).status_code
        finding = Finding.objects.get(exercise_action__exercise=exercise)
        assert (tenants.users["manager"], dt.date(2027, 1, 31)) == (finding.owner, finding.due_date)
        assert "Second tape drive" in analyst.get(exercise.get_absolute_url()).content.decode()
        response = analyst.post(url, data | {"owner": tenants.outsider.pk, "title": "Other"})
        assert 400 == response.status_code
        assert 1 == Finding.objects.filter(exercise_action__exercise=exercise).count()

    def test_calendar(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """The group's month shows its establishments' exercises; previous and next months link."""
        self._exercise(tenants, title="October field test")
        self._exercise(tenants, title="Held in November", status=ExerciseStatus.HELD, held_on=dt.date(2026, 11, 3))
        page = analyst.get(f"/continuity/nodes/{tenants.group_a.pk}/calendar/", {"month": "2026-10"}).content.decode()
        assert "October field test" in page
        assert "Held in November" not in page
        assert "?month=2026-09" in page
        assert "?month=2026-11" in page
        page = analyst.get(f"/continuity/nodes/{tenants.group_a.pk}/calendar/", {"month": "2026-11"}).content.decode()
        assert "Held in November" in page
        assert 200 == analyst.get(f"/continuity/nodes/{tenants.group_a.pk}/calendar/", {"month": "x"}).status_code


class TestDocuments:
    """The PCA/PRA page and downloads, the readiness page, the programme form."""

    def test_plan_page_and_pdf(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """The page has every section; the PDF download is a PDF."""
        page = analyst.get(f"/continuity/nodes/{tenants.hospital_a.pk}/plan/").content.decode()
        assert 'data-testid="plan-recovery"' in page
        response = analyst.get(f"/continuity/nodes/{tenants.hospital_a.pk}/plan/", {"format": "pdf"})
        assert response.content.startswith(b"%PDF")
        response = analyst.get(f"/continuity/nodes/{tenants.hospital_a.pk}/plan/", {"format": "html"})
        assert "attachment" in response["Content-Disposition"]

    def test_readiness_page(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Every objective row, with evidence links."""
        page = analyst.get(f"/continuity/nodes/{tenants.hospital_a.pk}/readiness/").content.decode()
        for objective in ("d2.p1", "d2.o1.c", "d2.o1.d", "d2.o3.c", "d2.o4"):
            assert f'data-testid="objective-{objective}"' in page
        assert f"/continuity/activities/{built['emergencies'].pk}/bia/" in page

    def test_programme(self, built: dict[str, Any], tenants: Any, analyst: Client) -> None:
        """Created on first save; a date that is no date is refused."""
        url = f"/continuity/nodes/{tenants.hospital_a.pk}/programme/"
        assert 400 == analyst.post(url, {"security_policy_signed_on": "yesterday"}).status_code
        assert 302 == analyst.post(url, {"plan_owner": "CIO"}).status_code
        assert "CIO" == tenants.hospital_a.continuity_programme.plan_owner
