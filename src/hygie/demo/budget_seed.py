"""The demo group's budget data (see docs/user-guide/budget.md and :mod:`hygie.demo.budget_data`).

Three years of IT budgets per establishment, about fifteen IT projects (some below 5 % of
cybersecurity, one within the band, some above it), a CaRE domain-1 application with its first
three milestones done and the ARS check late, a CaRE domain-2 application just filed, and a
Ségur-funded project. Everything goes through the same functions as the UI, so the findings
register receives the projects below the rule and the late milestone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from hygie.apps.budget.editing import LineData, complete_milestone, create_application, save_project, set_budget_year
from hygie.apps.budget.models import FundingApplication, FundingProgramme, ItProject
from hygie.apps.budget.programmes import load_programmes
from hygie.demo.budget_data import APPLICATIONS, BUDGETS, PROJECTS, YEARLY_GROWTH

if TYPE_CHECKING:
    from hygie.apps.accounts.models import User
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["seed_budget"]

_CENT = Decimal("0.01")


def _grown(amount: int, years_ago: int) -> Decimal:
    return (Decimal(amount) / YEARLY_GROWTH**years_ago).quantize(Decimal(1000))


def _applications(owners: dict[str, Node], today: dt.date) -> dict[str, FundingApplication]:
    made = {}
    for key, owner, programme_key, title, reference, requested, granted, notes, milestones in APPLICATIONS:
        application = create_application(
            owners[owner], FundingProgramme.objects.get(key=programme_key), title=title, reference=reference,
            amount_requested=Decimal(requested), notes=notes,
            planned={kind: today + dt.timedelta(days=plan[0]) for kind, plan in milestones.items()},
        )
        for milestone in application.ordered_milestones():
            _planned, done, amount = milestones[milestone.kind]
            if done is not None:
                complete_milestone(milestone, done_on=today + dt.timedelta(days=done),
                                   amount=Decimal(amount) if amount else None)
        if granted is not None and application.amount_granted is None:
            application.amount_granted = Decimal(granted)
            application.save()
        made[key] = application
    return made


def seed_budget(owners: dict[str, Node], users: dict[str, User], progress: Progress, now: dt.datetime) -> None:
    """Write the demo's budget data through the models."""
    load_programmes()
    today = now.date()
    progress.start("Budgets and funding", total=len(BUDGETS) * 3 + len(PROJECTS) + len(APPLICATIONS))
    for key, (operating, investment, cyber_op, cyber_inv, hospital) in BUDGETS.items():
        for years_ago in range(3):
            set_budget_year(
                owners[key], today.year - years_ago, operating=_grown(operating, years_ago),
                investment=_grown(investment, years_ago), cyber_operating=_grown(cyber_op, years_ago),
                cyber_investment=_grown(cyber_inv, years_ago), hospital_operating=_grown(hospital, years_ago),
            )
            progress.advance()
    applications = _applications(owners, today)
    progress.advance(len(APPLICATIONS))
    for owner, years_ago, name, status, state_funded, application_key, lines in PROJECTS:
        project = ItProject(
            node=owners[owner], year=today.year - years_ago, name=name, status=status, state_funded=state_funded,
            funding_application=applications.get(application_key),
        )
        save_project(project, [LineData(label, Decimal(amount).quantize(_CENT), cyber)
                               for label, amount, cyber in lines])
        progress.advance()
