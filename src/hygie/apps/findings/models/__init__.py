"""Findings models."""

from hygie.apps.findings.models.findings import Finding, FindingEvent, FindingStatus, SeverityChoices

__all__ = ["Finding", "FindingEvent", "FindingStatus", "SeverityChoices"]
