"""Findings models."""

from hygie.apps.findings.models.findings import (
    ACTIVE_STATUSES,
    Finding,
    FindingEvent,
    FindingStatus,
    SeverityChoices,
)

__all__ = ["ACTIVE_STATUSES", "Finding", "FindingEvent", "FindingStatus", "SeverityChoices"]
