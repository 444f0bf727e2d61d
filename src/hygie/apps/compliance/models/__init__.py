"""Compliance on the platform: stored frameworks, assessments per node, requirement statuses and evidence.

A **framework** is stored from a validated file (shipped with Hygie, or imported by a node: our
format or a CISO Assistant library) with its **sections** and **requirements**. An **assessment**
holds a node's status for each requirement, with owner, due date, comment, **evidence** (uploaded
files, links, findings, audits, scans, exercises) and **history**; the engines' latest runs give a
**measure** per requirement that a person confirms.
"""

from hygie.apps.compliance.models.assessments import (
    Assessment,
    Evidence,
    EvidenceKind,
    Measure,
    RequirementAssessment,
    RequirementEvent,
    Status,
)
from hygie.apps.compliance.models.frameworks import (
    Framework,
    FrameworkOrigin,
    FrameworkRequirement,
    FrameworkSection,
)

__all__ = [
    "Assessment",
    "Evidence",
    "EvidenceKind",
    "Framework",
    "FrameworkOrigin",
    "FrameworkRequirement",
    "FrameworkSection",
    "Measure",
    "RequirementAssessment",
    "RequirementEvent",
    "Status",
]
