"""The demo group's budgets: three years per establishment, projects on both sides of the rule, applications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hygie.apps.budget.flags import BELOW_RULE, LATE_MILESTONE
from hygie.apps.budget.models import BudgetYear, FundingApplication, ItProject, SharePosition
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.models import Node, NodeKind
from hygie.demo import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.mark.usefixtures("demo")
class TestDemoBudget:
    """What the demo shows on the budget pages."""

    def test_three_years_each(self, db: Any) -> None:
        establishments = Node.objects.filter(kind=NodeKind.ESTABLISHMENT)
        for node in establishments:
            assert 3 == BudgetYear.objects.filter(node=node).count(), node
        support = BudgetYear.objects.filter(node__bed_count__gt=800).order_by("-year").first()
        assert 5_000_000 < support.total < 50_000_000  # a large hospital: millions, not thousands

    def test_projects_on_both_sides(self, db: Any) -> None:
        projects = list(ItProject.objects.with_totals())
        positions = {p.position for p in projects}
        assert 12 <= len(projects) <= 20
        assert {SharePosition.BELOW, SharePosition.IN_BAND, SharePosition.ABOVE} <= positions
        assert Finding.objects.filter(source="budget", check_id=BELOW_RULE).count() == sum(
            1 for p in projects if p.flagged)

    def test_applications(self, db: Any) -> None:
        d1 = FundingApplication.objects.get(programme__key="care_d1")
        assert ("declared", "checked") == (d1.state, d1.next_milestone.kind)
        assert ["checked"] == [m.kind for m in d1.late_milestones()]
        assert Finding.objects.filter(source="budget", check_id=LATE_MILESTONE, node=d1.node).exists()
        assert "applied" == FundingApplication.objects.get(programme__key="care_d2").state
        segur = FundingApplication.objects.get(programme__key="segur")
        assert segur.projects.filter(state_funded=True).exists()
