"""Schemas of the compliance REST API (:mod:`hygie.apps.compliance.api`): what goes out and what comes in."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from hygie.web.validation import InputSchema

__all__ = [
    "AssessmentDetailOut",
    "AssessmentIn",
    "AssessmentOut",
    "EvidenceOut",
    "FrameworkDetailOut",
    "FrameworkOut",
    "ItemIn",
    "ItemOut",
    "LinkIn",
    "ObjectId",
    "RefreshOut",
    "RemediationIn",
    "RemediationOut",
    "RequirementOut",
    "SectionOut",
]

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class FrameworkOut(Schema):
    """A stored framework version (shipped: ``node_id`` null; imported: the node that imported it)."""

    id: int
    key: str
    name: str
    name_fr: str
    version: str
    digest: str
    origin: str
    provisional: bool
    node_id: int | None
    created: dt.datetime


class SectionOut(Schema):
    """A section of a framework."""

    id: int
    ref: str
    title: str
    title_fr: str
    parent_ref: str


class RequirementOut(Schema):
    """A requirement and the engine checks that measure it."""

    id: int
    ref: str
    section_ref: str
    title: str
    title_fr: str
    description: str
    description_fr: str
    parent_ref: str
    level: int | None
    checks: list[str]
    provisional: bool

    @staticmethod
    def resolve_section_ref(obj: Any) -> str:
        """The section's id in the framework."""
        return str(obj.section.ref)


class FrameworkDetailOut(FrameworkOut):
    """A framework with its sections and requirements, in file order."""

    levels: list[dict[str, Any]]
    sections: list[SectionOut]
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_levels(obj: Any) -> list[dict[str, Any]]:
        """The framework's maturity levels (ANSSI AD), from its document."""
        return list((obj.document or {}).get("levels", []))

    @staticmethod
    def resolve_sections(obj: Any) -> list[Any]:
        """Sections in order."""
        return list(obj.sections.order_by("order"))

    @staticmethod
    def resolve_requirements(obj: Any) -> list[Any]:
        """Requirements in order."""
        return list(obj.requirements.select_related("section").order_by("order"))


class AssessmentOut(Schema):
    """An assessment of a node against a framework version."""

    id: int
    node_id: int
    node_name: str
    framework_id: int
    framework_key: str
    framework_name: str
    framework_version: str
    owner: str
    target_level: int | None
    scope: str
    due_date: dt.date | None
    created: dt.datetime
    measured_at: dt.datetime | None

    @staticmethod
    def resolve_node_name(obj: Any) -> str:
        """The assessed node's name."""
        return str(obj.node.name)

    @staticmethod
    def resolve_framework_key(obj: Any) -> str:
        """The framework's id."""
        return str(obj.framework.key)

    @staticmethod
    def resolve_framework_name(obj: Any) -> str:
        """The framework's name."""
        return str(obj.framework.name)

    @staticmethod
    def resolve_framework_version(obj: Any) -> str:
        """The framework's version."""
        return str(obj.framework.version)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        """The owner's user name ("" when none)."""
        return obj.owner.get_username() if obj.owner else ""


class ItemOut(Schema):
    """A requirement's status within an assessment, with the engines' measure."""

    id: int
    requirement_id: int
    ref: str
    section_ref: str
    title: str
    title_fr: str
    checks: list[str]
    status: str
    reason: str
    owner: str
    owner_id: int | None
    due_date: dt.date | None
    comment: str
    measure: str
    measure_detail: dict[str, Any]
    measured_at: dt.datetime | None
    confirmed_measure: str
    needs_review: bool
    evidence_count: int

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        """The requirement's id."""
        return str(obj.requirement.ref)

    @staticmethod
    def resolve_section_ref(obj: Any) -> str:
        """The requirement's section."""
        return str(obj.requirement.section.ref)

    @staticmethod
    def resolve_title(obj: Any) -> str:
        """The requirement's title."""
        return str(obj.requirement.title)

    @staticmethod
    def resolve_title_fr(obj: Any) -> str:
        """The requirement's French title."""
        return str(obj.requirement.title_fr)

    @staticmethod
    def resolve_checks(obj: Any) -> list[str]:
        """The engine checks measuring the requirement."""
        return list(obj.requirement.checks or [])

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        """The owner's user name ("" when none)."""
        return obj.owner.get_username() if obj.owner else ""

    @staticmethod
    def resolve_evidence_count(obj: Any) -> int:
        """Pieces of evidence attached (annotated by the query, else counted)."""
        count = getattr(obj, "evidence_count", None)
        return int(count) if count is not None else int(obj.evidence.count())


class AssessmentDetailOut(AssessmentOut):
    """An assessment with its maturity and every requirement."""

    maturity: dict[str, Any]
    items: list[ItemOut]

    @staticmethod
    def resolve_maturity(obj: Any) -> dict[str, Any]:
        """Score, counts, sections and level (computed by the API before answering)."""
        return dict(obj.maturity_dict)

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        """The requirements in framework order, with their evidence counts."""
        return list(obj.items_list)


class AssessmentIn(InputSchema):
    """Open an assessment of a node against a stored framework."""

    node_id: ObjectId
    framework_id: ObjectId


class ItemIn(InputSchema):
    """Change a requirement's status; fields left out are kept (``owner_id: null`` clears the owner)."""

    status: str | None = None
    reason: str = Field("", max_length=5000)
    owner_id: ObjectId | None = None
    due_date: dt.date | None = None
    comment: str = Field("", max_length=10000)


class LinkIn(InputSchema):
    """Attach a link (``url``) or one platform object as evidence."""

    title: str = Field("", max_length=300)
    url: str = Field("", max_length=1000)
    note: str = Field("", max_length=5000)
    finding_id: ObjectId | None = None
    directory_audit_id: ObjectId | None = None
    exposure_scan_id: ObjectId | None = None
    exercise_id: ObjectId | None = None


class EvidenceOut(Schema):
    """A piece of evidence."""

    id: int
    item_id: int
    kind: str
    title: str
    note: str
    file_name: str
    content_type: str
    size: int | None
    sha256: str
    url: str
    finding_id: int | None
    directory_audit_id: int | None
    exposure_scan_id: int | None
    exercise_id: int | None
    added_by: str
    added: dt.datetime

    @staticmethod
    def resolve_added_by(obj: Any) -> str:
        """Who added it."""
        return obj.added_by.get_username() if obj.added_by else ""


class RefreshOut(Schema):
    """How many measures changed."""

    changed: int
    measured_at: dt.datetime | None


class RemediationIn(InputSchema):
    """Gaps to put in the findings register (none given: every gap), with an owner and a due date."""

    item_ids: list[ObjectId] = Field(default_factory=list, max_length=2000)
    owner_id: ObjectId | None = None
    due_date: dt.date | None = None


class RemediationOut(Schema):
    """The findings of the gaps (existing ones included)."""

    finding_ids: list[int]
    count: int
