"""Coverage per category, inherited targets, the quarterly trend and the roll-up; findings open and close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hygie.apps.awareness.checks import CHECK_CLICK, CHECK_COVERAGE, SOURCE, check_node
from hygie.apps.awareness.coverage import effective_targets, node_coverage, quarter_points, rollup, trend
from hygie.apps.awareness.gophish import CLICKED, SENT, funnels_by_category
from hygie.apps.awareness.models import (
    AwarenessTarget,
    PhishingCampaign,
    StaffCensus,
    TrainingCompletion,
    TrainingSession,
)
from hygie.apps.findings.models import Finding, FindingStatus

TODAY = dt.date(2026, 6, 30)


def _trained(node: Any, session: TrainingSession, category: str, count: int, on: dt.date, *, prefix: str = "p") -> None:
    TrainingCompletion.objects.bulk_create(
        TrainingCompletion(session=session, node=node, person=f"{prefix}{category}{i}", category=category,
                           completed_on=on)
        for i in range(count)
    )


@pytest.fixture
def staffed(tenants: Any) -> dict[str, Any]:
    """Hospital A: 100 medical (census updated to 100 from 80), 200 paramedical; a session on the group."""
    hospital = tenants.hospital_a
    StaffCensus.objects.create(node=hospital, category="medical", headcount=80, as_of=dt.date(2025, 1, 1))
    StaffCensus.objects.create(node=hospital, category="medical", headcount=100, as_of=dt.date(2026, 1, 1))
    StaffCensus.objects.create(node=hospital, category="paramedical", headcount=200, as_of=dt.date(2026, 1, 1))
    session = TrainingSession.objects.create(node=tenants.group_a, title="Hygiene")
    _trained(hospital, session, "medical", 90, dt.date(2026, 3, 1))
    _trained(hospital, session, "paramedical", 100, dt.date(2026, 5, 1))
    _trained(hospital, session, "paramedical", 50, dt.date(2025, 5, 1), prefix="old")  # out of the 12 months
    return {"hospital": hospital, "session": session}


class TestCoverage:
    """``node_coverage``."""

    def test_per_category_latest_census(self, staffed: dict[str, Any]) -> None:
        """Latest census per category; only completions of the last twelve months count."""
        coverage = node_coverage(staffed["hospital"], user=None, as_of=TODAY)
        by_category = {c.category: c for c in coverage.categories}
        assert (100, 90) == (by_category["medical"].headcount, by_category["medical"].trained)
        assert (200, 100) == (by_category["paramedical"].headcount, by_category["paramedical"].trained)
        assert 190 / 300 == pytest.approx(coverage.rate)

    def test_capped_at_headcount(self, staffed: dict[str, Any]) -> None:
        """More people trained than counted (turnover): 100 %, not more."""
        _trained(staffed["hospital"], staffed["session"], "medical", 30, dt.date(2026, 4, 1), prefix="new")
        coverage = node_coverage(staffed["hospital"], user=None, as_of=TODAY)
        assert 1.0 == next(c.rate for c in coverage.categories if c.category == "medical")

    def test_group_rolls_up_and_user_scope(self, staffed: dict[str, Any], tenants: Any) -> None:
        """The group sums its establishments; group B's manager sees nothing of it."""
        assert 300 == node_coverage(tenants.group_a, user=None, as_of=TODAY).headcount
        assert 300 == node_coverage(tenants.group_a, user=tenants.users["viewer"], as_of=TODAY).headcount
        assert 0 == node_coverage(tenants.group_a, user=tenants.outsider, as_of=TODAY).headcount
        rows = rollup(tenants.region, user=None, as_of=TODAY)
        assert ["Hospital A", "Hospital B"] == [node.name for node, _cov in rows]
        assert [300, 0] == [cov.headcount for _node, cov in rows]

    def test_trend_per_quarter(self, staffed: dict[str, Any]) -> None:
        """Quarter ends then today; coverage grows as the completions come in."""
        assert [dt.date(2025, 6, 30), dt.date(2025, 9, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31),
                dt.date(2026, 6, 30)] == quarter_points(dt.date(2026, 6, 30))
        points = trend(staffed["hospital"], user=None, as_of=TODAY)
        # The 2025 census (80 medical) counts before the 2026 one; nobody trained yet.
        assert [0.0, 0.0, 0.0, 0.9, 0.9] == [p["categories"]["medical"] for p in points]
        # The May 2025 completions are within twelve months of March 2026, not of June 2026.
        assert [0.25, 0.5] == [p["categories"]["paramedical"] for p in points[3:]]
        # Trained before any paramedical census: no rate rather than a division by zero.
        assert points[0]["categories"]["paramedical"] is None


class TestTargets:
    """Targets are inherited from the nearest node that sets them, value by value."""

    def test_inherited(self, tenants: Any) -> None:
        """Coverage from the group, ceiling from the region; the hospital overrides the coverage."""
        AwarenessTarget.objects.create(node=tenants.region, coverage_target_pct=Decimal(70),
                                       click_ceiling_pct=Decimal(20))
        AwarenessTarget.objects.create(node=tenants.group_a, coverage_target_pct=Decimal(80))
        targets = effective_targets(tenants.hospital_a)
        assert (Decimal(80), Decimal(20)) == (targets.coverage_pct, targets.click_ceiling_pct)
        assert (tenants.group_a.pk, tenants.region.pk) == (targets.coverage_set_by, targets.ceiling_set_by)
        AwarenessTarget.objects.create(node=tenants.hospital_a, coverage_target_pct=Decimal(90))
        assert Decimal(90) == effective_targets(tenants.hospital_a).coverage_pct
        assert effective_targets(tenants.site_a).coverage_pct == Decimal(90)

    def test_none(self, tenants: Any) -> None:
        """No target anywhere: none, and no category is below."""
        assert effective_targets(tenants.hospital_a).coverage_pct is None


class TestFindings:
    """``check_node`` writes findings when below target, closes them when back to target."""

    def test_open_then_close(self, staffed: dict[str, Any], tenants: Any) -> None:
        """Paramedical at 50 % under an 80 % target: one finding; training 60 more closes it."""
        hospital = staffed["hospital"]
        AwarenessTarget.objects.create(node=tenants.group_a, coverage_target_pct=Decimal(80))
        raised = check_node(tenants.group_a, as_of=TODAY)
        assert {tenants.group_a.pk: 1, hospital.pk: 1} == raised
        finding = Finding.objects.get(node=hospital, source=SOURCE)
        assert CHECK_COVERAGE == finding.check_id
        assert "paramedical" in finding.title
        assert {"coverage_pct": "50.0", "target_pct": "80.0"}.items() <= finding.evidence.items()
        _trained(hospital, staffed["session"], "paramedical", 60, dt.date(2026, 6, 1), prefix="more")
        check_node(tenants.group_a, as_of=TODAY)
        finding.refresh_from_db()
        assert FindingStatus.FIXED == finding.status

    def test_click_rate_over_ceiling(self, tenants: Any) -> None:
        """Latest campaign at 30 % clicks over a 15 % ceiling: a finding; a later one at 10 % closes it."""
        hospital = tenants.hospital_a
        AwarenessTarget.objects.create(node=hospital, click_ceiling_pct=Decimal(15))
        bad = [("medical", CLICKED, False)] * 3 + [("medical", SENT, False)] * 7
        PhishingCampaign.objects.create(node=hospital, name="Spring", launched_on=dt.date(2026, 3, 1),
                                        funnel=funnels_by_category(bad))
        check_node(hospital, as_of=TODAY)
        finding = Finding.objects.get(node=hospital, check_id=CHECK_CLICK)
        assert FindingStatus.OPEN == finding.status
        assert "30.0" == finding.evidence["click_rate_pct"]
        good = [("medical", CLICKED, False)] + [("medical", SENT, False)] * 9
        PhishingCampaign.objects.create(node=hospital, name="Autumn", launched_on=dt.date(2026, 6, 1),
                                        funnel=funnels_by_category(good))
        check_node(hospital, as_of=TODAY)
        finding.refresh_from_db()
        assert FindingStatus.FIXED == finding.status
