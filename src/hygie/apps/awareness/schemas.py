"""Schemas of the awareness REST API (:mod:`hygie.apps.awareness.api`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from hygie.apps.awareness.models import StaffCategory
from hygie.web.validation import InputSchema

__all__ = [
    "AwarenessImportOut",
    "AwarenessTargetsIn",
    "AwarenessTargetsOut",
    "CampaignDetailOut",
    "CampaignOut",
    "CensusIn",
    "CensusOut",
    "CheckOut",
    "CoverageOut",
    "ObjectId",
    "RollupOut",
    "SessionDetailOut",
    "SessionOut",
]

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Headcount = Annotated[int, Field(ge=0, le=1_000_000)]


class CensusOut(Schema):
    """The headcount of a staff category at a node as of a date."""

    id: int
    node_id: int
    node_name: str = Field(alias="node.name")
    category: str
    headcount: int
    as_of: dt.date


class CensusIn(InputSchema):
    """A census: headcount per category (medical, paramedical, administrative, technical, it, management)."""

    node_id: ObjectId
    as_of: dt.date | None = None
    headcounts: dict[StaffCategory, Headcount] = Field(min_length=1)


class AwarenessTargetsIn(InputSchema):
    """A node's own targets; null means inherited from the nearest ancestor that sets one."""

    coverage_target_pct: Percent | None = None
    click_ceiling_pct: Percent | None = None


class AwarenessTargetsOut(Schema):
    """A node's own targets and the targets in force (inherited or its own)."""

    node_id: int
    node_name: str
    own_coverage_target_pct: Decimal | None
    own_click_ceiling_pct: Decimal | None
    coverage_target_pct: Decimal | None
    click_ceiling_pct: Decimal | None
    coverage_set_by: int | None
    ceiling_set_by: int | None


class CategoryCoverageOut(Schema):
    """Coverage of one staff category."""

    category: str
    headcount: int
    trained: int
    rate: float | None
    target: float | None
    below_target: bool


class CoverageOut(Schema):
    """Coverage of a node's staff over the last twelve months, per category, with the quarterly trend."""

    node_id: int
    node_name: str
    as_of: dt.date
    headcount: int
    trained: int
    rate: float | None
    categories: list[CategoryCoverageOut]
    trend: list[dict[str, Any]]


class RollupRowOut(Schema):
    """One establishment of a roll-up."""

    node_id: int
    node_name: str
    headcount: int
    trained: int
    rate: float | None
    below_target: list[str]


class RollupOut(Schema):
    """The establishments under a group or region with their coverage."""

    node_id: int
    node_name: str
    headcount: int
    trained: int
    rate: float | None
    establishments: list[RollupRowOut]


class SessionOut(Schema):
    """A training session or module."""

    id: int
    node_id: int
    title: str
    kind: str
    description: str


class SessionDetailOut(SessionOut):
    """A session with its completion counts per category (people are pseudonyms: none listed)."""

    completions: int
    per_category: dict[str, int]


class CampaignOut(Schema):
    """A phishing-simulation campaign."""

    id: int
    node_id: int
    name: str
    launched_on: dt.date
    source_name: str
    click_rate: float | None


class CampaignDetailOut(CampaignOut):
    """A campaign with its funnel overall and per staff category (counts and rates over delivered e-mails)."""

    funnel: dict[str, Any]


class AwarenessImportOut(Schema):
    """What a training import changed."""

    lines: int
    sessions_created: int
    completions_created: int
    already_known: int


class CheckOut(Schema):
    """Findings raised per node id by an awareness check."""

    raised: dict[str, int]
