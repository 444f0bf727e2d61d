"""Contracts shared by every engine: findings, check registries, progress reporting."""

from hygie.engines._core.finding import AffectedObject, Finding, Reference, ReferenceKind, Severity
from hygie.engines._core.progress import NullProgress, Progress
from hygie.engines._core.registry import CheckRegistry, CheckSpec

__all__ = [
    "AffectedObject",
    "CheckRegistry",
    "CheckSpec",
    "Finding",
    "NullProgress",
    "Progress",
    "Reference",
    "ReferenceKind",
    "Severity",
]
