"""The 5-10 % rule per project, the shares of a year, milestones in order and late, findings in the register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hygie.apps.budget.editing import complete_milestone, set_budget_year
from hygie.apps.budget.flags import BELOW_RULE, LATE_MILESTONE, SOURCE
from hygie.apps.budget.models import FundingProgramme, ItProject, ProjectStatus, SharePosition
from hygie.apps.budget.programmes import PROGRAMMES, load_programmes
from hygie.apps.budget.summary import node_year, rollup
from hygie.apps.findings.models import Finding, FindingStatus

from .support import application, project


class TestProjectShare:
    """A project's share is its cybersecurity lines over all its lines; below 5 % is flagged."""

    @pytest.mark.parametrize(("cyber", "position", "flagged"), [
        (0, SharePosition.BELOW, True),
        (4_999, SharePosition.BELOW, True),
        (5_000, SharePosition.IN_BAND, False),
        (10_000, SharePosition.IN_BAND, False),
        (10_001, SharePosition.ABOVE, False),
    ])
    def test_band(self, tenants: Any, cyber: int, position: SharePosition, flagged: bool) -> None:
        made = project(tenants.hospital_a, "P", 100_000, cyber)
        assert (position, flagged) == (made.position, made.flagged)
        annotated = ItProject.objects.with_totals().get(pk=made.pk)
        assert (Decimal(100_000), Decimal(cyber)) == (annotated.total, annotated.cyber)

    def test_missing_amount_reaches_the_band(self, tenants: Any) -> None:
        """Adding the missing amount as a cybersecurity line brings the project to 5 %."""
        made = project(tenants.hospital_a, "P", 200_000, 2_000)
        missing = made.missing_for_rule()
        share = (Decimal(2_000) + missing) * 100 / (Decimal(200_000) + missing)
        assert Decimal("5.00") <= share < Decimal("5.01")

    def test_no_lines_no_judgement(self, tenants: Any) -> None:
        made = ItProject.objects.create(node=tenants.hospital_a, year=2026, name="Empty")
        assert (None, SharePosition.NONE, False) == (made.cyber_share, made.position, made.flagged)

    def test_cancelled_is_not_flagged(self, tenants: Any) -> None:
        made = project(tenants.hospital_a, "P", 100_000, 0)
        made.status = ProjectStatus.CANCELLED
        assert not made.flagged


class TestFindings:
    """Projects below 5 % and late milestones become findings; fixing them closes the findings."""

    def test_project_below_rule(self, tenants: Any) -> None:
        made = project(tenants.hospital_a, "PACS", 100_000, 1_000)
        finding = Finding.objects.get(node=tenants.hospital_a, source=SOURCE, check_id=BELOW_RULE)
        assert "PACS" in finding.title
        assert FindingStatus.OPEN == finding.status
        assert "1.00" == finding.evidence["share_percent"]
        from hygie.apps.budget.editing import LineData, save_project

        save_project(made, [LineData("Work", Decimal(90_000)), LineData("EDR", Decimal(10_000), cybersecurity=True)])
        finding.refresh_from_db()
        assert FindingStatus.FIXED == finding.status

    def test_within_band_raises_nothing(self, tenants: Any) -> None:
        project(tenants.hospital_a, "PACS", 100_000, 7_000)
        assert not Finding.objects.filter(source=SOURCE).exists()

    def test_late_milestone(self, tenants: Any) -> None:
        past = timezone.localdate() - dt.timedelta(days=10)
        made = application(tenants.hospital_a, planned={"applied": past})
        assert ["applied"] == [m.kind for m in made.late_milestones()]
        finding = Finding.objects.get(source=SOURCE, check_id=LATE_MILESTONE)
        complete_milestone(made.milestones.get(kind="applied"), done_on=past)
        finding.refresh_from_db()
        assert FindingStatus.FIXED == finding.status


class TestMilestones:
    """Milestones happen in order; the state is the last one done; amounts update the application."""

    def test_order(self, tenants: Any) -> None:
        made = application(tenants.hospital_a)
        with pytest.raises(ValidationError, match="Earlier milestones"):
            complete_milestone(made.milestones.get(kind="validated"), done_on=timezone.localdate())
        assert "" == made.state
        assert "applied" == made.next_milestone.kind

    def test_state_and_amounts(self, tenants: Any) -> None:
        made = application(tenants.hospital_a)
        today = timezone.localdate()
        complete_milestone(made.milestones.get(kind="applied"), done_on=today)
        complete_milestone(made.milestones.get(kind="validated"), done_on=today, amount=Decimal(80_000))
        made.refresh_from_db()
        assert ("validated", "declared", Decimal(80_000)) == (made.state, made.next_milestone.kind,
                                                               made.amount_granted)

    def test_not_in_the_future(self, tenants: Any) -> None:
        made = application(tenants.hospital_a)
        with pytest.raises(ValidationError, match="future"):
            complete_milestone(made.milestones.get(kind="applied"), done_on=timezone.localdate() + dt.timedelta(7))


class TestSummaries:
    """A node's year and the roll-up of a group, seen through the permission choke point."""

    def test_node_year(self, tenants: Any) -> None:
        set_budget_year(tenants.hospital_a, 2026, operating=Decimal(1_000_000), investment=Decimal(500_000),
                        cyber_operating=Decimal(45_000), cyber_investment=Decimal(30_000))
        project(tenants.hospital_a, "A", 100_000, 2_000)
        project(tenants.hospital_a, "B", 100_000, 8_000)
        data = node_year(tenants.users["viewer"], tenants.hospital_a, 2026)
        assert Decimal("5.00") == data["budget"].cyber_share
        assert (Decimal("5.00"), ["A"]) == (data["projects_share"], [p.name for p in data["flagged"]])

    def test_rollup_keeps_to_the_scope(self, tenants: Any) -> None:
        set_budget_year(tenants.hospital_a, 2026, operating=Decimal(1_000), investment=Decimal(0))
        set_budget_year(tenants.hospital_b, 2026, operating=Decimal(2_000), investment=Decimal(0))
        project(tenants.hospital_a, "A", 100_000, 2_000)
        application(tenants.hospital_a)
        data = rollup(tenants.users["viewer"], tenants.region, 2026)
        assert [tenants.hospital_a] == [row["node"] for row in data["rows"]]
        assert (1, 1) == (data["flagged"], data["not_applied"])
        everything = rollup(tenants.superuser, tenants.region, 2026)
        assert Decimal(3_000) == everything["it_total"]


class TestProgrammes:
    """The shipped programmes load idempotently and keep a superuser's changes."""

    def test_idempotent(self, db: Any) -> None:
        load_programmes()
        assert 0 == load_programmes()
        assert {p["key"] for p in PROGRAMMES} == set(FundingProgramme.objects.values_list("key", flat=True))
        care_d2 = FundingProgramme.objects.get(key="care_d2")
        assert (Decimal(45_000_000), dt.date(2026, 1, 16), "care_d2") == (
            care_d2.envelope, care_d2.objectives_from, care_d2.framework_key)
        # Unknown facts stay empty rather than invented.
        assert FundingProgramme.objects.get(key="care_d1_bis").envelope is None

    def test_changes_kept_unless_forced(self, db: Any) -> None:
        load_programmes()
        FundingProgramme.objects.filter(key="segur").update(conditions="Changed")
        load_programmes()
        assert "Changed" == FundingProgramme.objects.get(key="segur").conditions
        load_programmes(force=True)
        assert "Changed" != FundingProgramme.objects.get(key="segur").conditions

    def test_only_superusers_change(self, tenants: Any) -> None:
        load_programmes()
        assert 4 == FundingProgramme.objects.restrict(tenants.users["viewer"]).count()
        assert 0 == FundingProgramme.objects.restrict(tenants.users["administrator"], "change").count()
        assert 0 == FundingProgramme.objects.restrict(None).count()
        assert 4 == FundingProgramme.objects.restrict(tenants.superuser, "change").count()


class TestAuditLog:
    """Lines and milestones written in bulk still reach the audit log, filed under their node."""

    def test_lines_and_milestones_audited(self, tenants: Any) -> None:
        from hygie.apps.accounts.models import AuditEvent

        project(tenants.hospital_a, "PACS", 100_000, 1_000)
        application(tenants.hospital_a)
        lines = AuditEvent.objects.filter(object_type="budget.BudgetLine", action="create")
        milestones = AuditEvent.objects.filter(object_type="budget.ApplicationMilestone", action="create")
        assert (2, 5) == (lines.count(), milestones.count())
        assert {tenants.hospital_a.pk} == set(lines.values_list("node_id", flat=True))
