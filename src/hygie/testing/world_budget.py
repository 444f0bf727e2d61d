"""The budget objects of the two-tenant test world (see :mod:`hygie.testing.world`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["BUDGET_KINDS", "WORLD_YEAR", "budget_objects"]

#: Kind of world object for each budget model label.
BUDGET_KINDS: dict[str, str] = {
    "budget.BudgetYear": "budgetyear",
    "budget.ItProject": "itproject",
    "budget.BudgetLine": "budgetline",
    "budget.FundingApplication": "fundingapplication",
    "budget.ApplicationMilestone": "applicationmilestone",
}

#: The budget year of the world's objects.
WORLD_YEAR = 2026


def budget_objects(nodes: tuple[Node, Node], marks: tuple[str, str]) -> dict[str, tuple[Any, Any]]:
    """Per side: an IT budget, a CaRE D1 application (applied), a project below 5 % with two lines."""
    from hygie.apps.budget.models import (
        ApplicationMilestone,
        BudgetLine,
        BudgetYear,
        FundingApplication,
        FundingProgramme,
        ItProject,
    )
    from hygie.apps.budget.models.funding import MILESTONE_ORDER
    from hygie.apps.budget.programmes import load_programmes

    load_programmes()
    programme = FundingProgramme.objects.get(key="care_d1")
    made: dict[str, list[Any]] = {kind: [] for kind in BUDGET_KINDS.values()}
    for node, mark in zip(nodes, marks, strict=True):
        budget = BudgetYear.objects.create(
            node=node, year=WORLD_YEAR, operating=Decimal("2500000.00"), investment=Decimal("800000.00"),
            cyber_operating=Decimal("90000.00"), notes=f"Budget {mark}",
        )
        application = FundingApplication.objects.create(
            node=node, programme=programme, title=f"CaRE D1 {mark}", reference=f"ARS-{mark}",
            amount_requested=Decimal("120000.00"),
        )
        milestones = [
            ApplicationMilestone.objects.create(
                application=application, kind=kind, planned_on=dt.date(2026, 3 + index, 1),
            )
            for index, kind in enumerate(MILESTONE_ORDER)
        ]
        project = ItProject.objects.create(
            node=node, year=WORLD_YEAR, name=f"DPI upgrade {mark}", state_funded=True,
            funding_application=application,
        )
        line = BudgetLine.objects.create(project=project, label=f"Licences {mark}", amount=Decimal("100000.00"))
        BudgetLine.objects.create(project=project, label=f"Audit {mark}", amount=Decimal("3000.00"),
                                  cybersecurity=True, order=1)
        for kind, obj in (("budgetyear", budget), ("itproject", project), ("budgetline", line),
                          ("fundingapplication", application), ("applicationmilestone", milestones[0])):
            made[kind].append(obj)
    return {kind: (pair[0], pair[1]) for kind, pair in made.items()}
