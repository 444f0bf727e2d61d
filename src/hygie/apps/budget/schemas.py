"""Schemas of the budget REST API (:mod:`hygie.apps.budget.api`).

Amounts go out as strings with two decimals (``"1234567.89"``) and come in as numbers or as text
in any notation :func:`~hygie.apps.budget.amounts.parse_amount` accepts (``"1 234 567,89 €"``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field

from hygie.apps.budget.amounts import parse_amount
from hygie.apps.budget.models import MilestoneKind, ProjectStatus
from hygie.web.validation import InputSchema

__all__ = [
    "Amount",
    "BudgetYearIn",
    "BudgetYearOut",
    "FundingApplicationIn",
    "FundingApplicationOut",
    "FundingApplicationPatch",
    "LineIn",
    "LineOut",
    "MilestoneOut",
    "MilestonePatch",
    "ObjectId",
    "ProgrammeOut",
    "ProjectDetailOut",
    "ProjectImportOut",
    "ProjectIn",
    "ProjectOut",
    "Year",
]

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: A budget year, as the models accept it.
Year = Annotated[int, Field(ge=2000, le=2100)]


def _amount(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return parse_amount(value)


#: An amount in euros: a JSON number or text such as "1 234,56 €".
Amount = Annotated[Decimal, BeforeValidator(_amount)]


class ProgrammeOut(Schema):
    """A funding programme (reference data)."""

    key: str
    name: str
    description: str
    legal_basis: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    objectives_from: dt.date | None
    envelope: Decimal | None
    conditions: str
    framework_key: str
    cyber_share_min: Decimal | None
    milestones: list[dict[str, Any]]


class BudgetYearOut(Schema):
    """The IT budget of an establishment for one year."""

    id: int
    node_id: int
    year: int
    operating: Decimal
    investment: Decimal
    cyber_operating: Decimal | None
    cyber_investment: Decimal | None
    hospital_operating: Decimal | None
    cyber_share: Decimal | None
    it_share: Decimal | None
    notes: str


class BudgetYearIn(InputSchema):
    """Set an IT budget (created when missing); fields left out keep their value."""

    node_id: ObjectId
    year: Year
    operating: Amount | None = None
    investment: Amount | None = None
    cyber_operating: Amount | None = None
    cyber_investment: Amount | None = None
    hospital_operating: Amount | None = None
    notes: str | None = Field(None, max_length=5000)


class LineIn(InputSchema):
    """A budget line."""

    label: str = Field(min_length=1, max_length=200)
    amount: Amount
    cybersecurity: bool = False


class LineOut(Schema):
    """A budget line."""

    label: str
    amount: Decimal
    cybersecurity: bool


class ProjectOut(Schema):
    """An IT project with its share against the 5-10 % rule."""

    id: int
    node_id: int
    year: int
    name: str
    status: str
    state_funded: bool
    funding_application_id: int | None
    total: Decimal
    cyber: Decimal
    cyber_share: Decimal | None
    position: str
    flagged: bool


class ProjectDetailOut(ProjectOut):
    """An IT project with its description and lines."""

    description: str
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        """The lines in order."""
        return list(obj.lines.all())


class ProjectIn(InputSchema):
    """An IT project and its lines (the lines replace the stored ones)."""

    node_id: ObjectId
    year: Year
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    status: ProjectStatus = ProjectStatus.PLANNED
    state_funded: bool = False
    funding_application_id: ObjectId | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class ProjectImportOut(Schema):
    """What a CSV import stored."""

    created: int
    updated: int
    lines: int


class MilestoneOut(Schema):
    """A milestone of a funding application."""

    id: int
    kind: str
    planned_on: dt.date | None
    done_on: dt.date | None
    amount: Decimal | None
    note: str
    late: bool


class MilestonePatch(InputSchema):
    """Record a milestone: ``done_on`` (null reopens it), optional amount, note, planned date."""

    done_on: dt.date | None = None
    planned_on: dt.date | None = None
    amount: Amount | None = None
    note: str | None = Field(None, max_length=5000)


class FundingApplicationOut(Schema):
    """A funding application with its milestones, state and next step."""

    id: int
    node_id: int
    programme: str
    title: str
    reference: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    amount_paid: Decimal | None
    notes: str
    state: str
    next_milestone: str | None
    late: list[str]
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_programme(obj: Any) -> str:
        """The programme's key."""
        return str(obj.programme.key)

    @staticmethod
    def resolve_next_milestone(obj: Any) -> str | None:
        """The first milestone not done."""
        milestone = obj.next_milestone
        return milestone.kind if milestone else None

    @staticmethod
    def resolve_late(obj: Any) -> list[str]:
        """Milestones late today."""
        return [m.kind for m in obj.late_milestones()]

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        """Milestones in order."""
        return list(obj.ordered_milestones())


class FundingApplicationIn(InputSchema):
    """A new application to a programme (named by its key); milestone dates planned optionally."""

    node_id: ObjectId
    programme: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    reference: str = Field("", max_length=100)
    amount_requested: Amount
    notes: str = Field("", max_length=10000)
    planned: dict[MilestoneKind, dt.date] = Field(default_factory=dict)


class FundingApplicationPatch(InputSchema):
    """Change an application's reference, title, amounts or notes."""

    title: str | None = Field(None, min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=100)
    amount_requested: Amount | None = None
    amount_granted: Amount | None = None
    amount_paid: Amount | None = None
    notes: str | None = Field(None, max_length=10000)
