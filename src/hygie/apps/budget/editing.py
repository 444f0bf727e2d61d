"""Writes shared by the web UI, the API and the CLI: budget years, projects with lines, applications.

Each write validates the whole object first (``ValidationError``, nothing stored), runs in one
transaction and then refreshes the node's budget findings, so the register follows the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import record_many, snapshot
from hygie.apps.budget.flags import refresh_findings
from hygie.apps.budget.models import (
    MILESTONE_ORDER,
    ApplicationMilestone,
    BudgetLine,
    BudgetYear,
    FundingApplication,
    FundingProgramme,
    ItProject,
)
from hygie.apps.organizations.models import Node

__all__ = ["LineData", "complete_milestone", "create_application", "save_project", "set_budget_year"]

#: Most lines one project may hold: a budget, not a ledger.
MAX_LINES = 500


@dataclass(frozen=True)
class LineData:
    """A budget line as given (amount already parsed)."""

    label: str
    amount: Decimal
    cybersecurity: bool = False


def set_budget_year(node: Node, year: int, **values: Any) -> BudgetYear:
    """Create or update ``node``'s IT budget of ``year`` (only the fields given change)."""
    budget = BudgetYear.objects.filter(node=node, year=year).first() or BudgetYear(
        node=node, year=year, operating=Decimal(0), investment=Decimal(0)
    )
    for field, value in values.items():
        setattr(budget, field, value)
    budget.updated = timezone.now()
    budget.full_clean()
    with transaction.atomic():
        budget.save()
    return budget


def save_project(
    project: ItProject, lines: list[LineData] | None = None, *, refresh: bool = True
) -> ItProject:
    """Validate and save ``project``; with ``lines``, they replace its lines. Findings are refreshed."""
    if lines is not None and len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("A project holds at most %(max)d lines.") % {"max": MAX_LINES}]})
    if project.funding_application_id and project.funding_application.node_id != project.node_id and not (
        project.node.path.startswith(project.funding_application.node.path)
    ):
        raise ValidationError({"funding_application": [_("The application belongs to another establishment.")]})
    project.updated = timezone.now()
    project.full_clean()
    built = []
    for index, line in enumerate(lines or []):
        item = BudgetLine(project=project, label=line.label.strip(), amount=line.amount,
                          cybersecurity=line.cybersecurity, order=index)
        try:
            item.full_clean(exclude=["project"])
        except ValidationError as error:
            raise ValidationError({"lines": [_("line %(n)d: %(errors)s") % {
                "n": index + 1, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()),
            }]}) from error
        built.append(item)
    with transaction.atomic():
        project.save()
        if lines is not None:
            project.lines.all().delete()
            for item in built:
                item.project = project
            BudgetLine.objects.bulk_create(built)
            # bulk_create bypasses the signals of the audit log: write its events in one go.
            record_many(("create", item, None, snapshot(item)) for item in built)
        if refresh:
            refresh_findings(project.node)
    return project


def create_application(
    node: Node,
    programme: FundingProgramme,
    *,
    title: str,
    amount_requested: Decimal,
    reference: str = "",
    notes: str = "",
    planned: dict[str, dt.date | None] | None = None,
) -> FundingApplication:
    """A new application with its five milestones (planned dates optional)."""
    application = FundingApplication(node=node, programme=programme, title=title, reference=reference,
                                     amount_requested=amount_requested, notes=notes)
    application.full_clean()
    planned = planned or {}
    unknown = sorted(set(planned) - set(MILESTONE_ORDER))
    if unknown:
        raise ValidationError({"planned": [_("Unknown milestones: %(names)s.") % {"names": ", ".join(unknown)}]})
    with transaction.atomic():
        application.save()
        milestones = ApplicationMilestone.objects.bulk_create(
            ApplicationMilestone(application=application, kind=kind, planned_on=planned.get(kind))
            for kind in MILESTONE_ORDER
        )
        record_many(("create", item, None, snapshot(item)) for item in milestones)
        refresh_findings(node)
    return application


def complete_milestone(
    milestone: ApplicationMilestone,
    *,
    done_on: dt.date | None,
    amount: Decimal | None = None,
    note: str | None = None,
    planned_on: dt.date | None = None,
) -> ApplicationMilestone:
    """Record a milestone (done on a date, or reopened with None); a paid or granted amount updates the application.

    Milestones happen in order: one cannot be done while an earlier one is not.
    """
    application = milestone.application
    if done_on is not None:
        if done_on > timezone.localdate() + dt.timedelta(days=1):
            raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
        earlier = MILESTONE_ORDER[: MILESTONE_ORDER.index(milestone.kind)]
        pending = [m.get_kind_display() for m in application.ordered_milestones()
                   if m.kind in earlier and m.done_on is None]
        if pending:
            raise ValidationError({"done_on": [
                _("Earlier milestones are not done yet: %(names)s.") % {"names": ", ".join(map(str, pending))}
            ]})
    milestone.done_on = done_on
    if planned_on is not None:
        milestone.planned_on = planned_on
    if amount is not None:
        milestone.amount = amount
    if note is not None:
        milestone.note = note
    milestone.full_clean()
    with transaction.atomic():
        milestone.save()
        if amount is not None and milestone.kind == "validated":
            application.amount_granted = amount
        if amount is not None and milestone.kind == "paid":
            application.amount_paid = amount
        application.updated = timezone.now()
        application.save()
        refresh_findings(application.node)
    return milestone
