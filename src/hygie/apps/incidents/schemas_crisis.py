"""Schemas of the crisis-cell REST API (:mod:`hygie.apps.incidents.api_crisis`): cell, members, rota, kits.

Names start with ``Crisis`` (they must be unique across the whole API). Times going out are ISO 8601
in UTC; times coming in carry their offset, or are read on the Paris wall clock. The fields' own
rules (e-mail addresses, URLs, one template per audience and title) are checked by the UI's forms,
so the API and the pages refuse the same things.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from hygie.apps.incidents.models import Audience, CrisisRole, KitTrigger
from hygie.web.validation import InputSchema

__all__ = [
    "CrisisCellIn",
    "CrisisCellOut",
    "CrisisCellSettingsOut",
    "CrisisKitOut",
    "CrisisMemberIn",
    "CrisisMemberOut",
    "CrisisMemberPatchIn",
    "CrisisShiftIn",
    "CrisisShiftOut",
    "CrisisTemplateIn",
    "CrisisTemplateOut",
    "CrisisTemplatePatchIn",
]

Place = Annotated[str, Field(max_length=300)]
Phone = Annotated[str, Field(max_length=40)]
Email = Annotated[str, Field(max_length=254)]
Rank = Annotated[int, Field(ge=1, le=99)]


# --- Out ---------------------------------------------------------------------------------------------


class CrisisCellSettingsOut(Schema):
    """How the cell meets and works when the information system is down."""

    plan_blanc_url: str
    plan_blanc_location: str
    meeting_place: str
    fallback_meeting_place: str
    conference_bridge: str
    notes: str
    kit_daily: bool
    updated: dt.datetime


class CrisisMemberOut(Schema):
    """A member of the cell or an outside contact, with the ways to reach them out of band."""

    id: int
    node_id: int
    role: CrisisRole
    rank: int
    name: str
    position: str
    organisation: str
    mobile: str
    landline: str
    personal_email: str
    work_email: str
    external: bool
    on_duty: bool = False
    updated: dt.datetime


class CrisisShiftOut(Schema):
    """A member on duty over a period."""

    id: int
    member_id: int
    member_name: str
    role: CrisisRole
    starts_at: dt.datetime
    ends_at: dt.datetime
    current: bool = False


class CrisisTemplateOut(Schema):
    """A communication template prepared in peacetime."""

    id: int
    node_id: int
    audience: Audience
    title: str
    body: str
    updated: dt.datetime


class CrisisCellOut(Schema):
    """A node's crisis cell: settings (null when never set), members, the next 14 days of rota, templates."""

    node_id: int
    node_name: str
    settings: CrisisCellSettingsOut | None
    members: list[CrisisMemberOut]
    shifts: list[CrisisShiftOut]
    templates: list[CrisisTemplateOut]
    #: The regulatory profile in force (inherited values filled in), as ``/profiles/{node_id}`` gives it.
    profile: dict[str, Any]


class CrisisKitOut(Schema):
    """One generation of a node's offline crisis kit (download it from ``/kits/{id}/html`` or ``/pdf``)."""

    id: int
    node_id: int
    trigger: KitTrigger
    generated_at: dt.datetime
    generated_by_id: int | None
    html_sha256: str
    html_size: int
    pdf_sha256: str
    pdf_size: int | None
    summary: dict[str, Any]


# --- In ----------------------------------------------------------------------------------------------


class CrisisCellIn(InputSchema):
    """The cell's settings, all replaced (PUT); an address typed without a scheme is https."""

    plan_blanc_url: Annotated[str, Field(max_length=500)] = ""
    plan_blanc_location: Place = ""
    meeting_place: Place = ""
    fallback_meeting_place: Place = ""
    conference_bridge: Place = ""
    notes: Annotated[str, Field(max_length=20_000)] = ""
    kit_daily: bool = True


class CrisisMemberIn(InputSchema):
    """A member of the cell (rank 1 holds the role, 2 and more are deputies) or an outside contact."""

    role: CrisisRole
    rank: Rank = 1
    name: Annotated[str, Field(min_length=1, max_length=150)]
    position: Annotated[str, Field(max_length=200)] = ""
    organisation: Annotated[str, Field(max_length=200)] = ""
    mobile: Phone = ""
    landline: Phone = ""
    personal_email: Email = ""
    work_email: Email = ""


class CrisisMemberPatchIn(InputSchema):
    """Change a member: only the fields given (null empties a text field)."""

    role: CrisisRole | None = None
    rank: Rank | None = None
    name: Annotated[str, Field(min_length=1, max_length=150)] | None = None
    position: Annotated[str, Field(max_length=200)] | None = None
    organisation: Annotated[str, Field(max_length=200)] | None = None
    mobile: Phone | None = None
    landline: Phone | None = None
    personal_email: Email | None = None
    work_email: Email | None = None


class CrisisShiftIn(InputSchema):
    """A period on duty; it ends after it starts. Naive times are read on the Paris wall clock."""

    starts_at: dt.datetime
    ends_at: dt.datetime


class CrisisTemplateIn(InputSchema):
    """A message for an audience; the body may name {establishment}, {date}, {time} and {reference}."""

    audience: Audience
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=20_000)]


class CrisisTemplatePatchIn(InputSchema):
    """Change a template: only the fields given."""

    audience: Audience | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    body: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
