"""Contracts shared by every engine: findings, check registries, progress reporting."""

from hygie.engines._core.finding import (
    MAX_CHECK_ID_LENGTH,
    AffectedObject,
    Finding,
    FindingFormatError,
    Reference,
    ReferenceKind,
    Severity,
    validate_check_id,
)
from hygie.engines._core.progress import NullProgress, Progress
from hygie.engines._core.registry import CheckRegistry, CheckSpec

__all__ = [
    "MAX_CHECK_ID_LENGTH",
    "AffectedObject",
    "CheckRegistry",
    "CheckSpec",
    "Finding",
    "FindingFormatError",
    "NullProgress",
    "Progress",
    "Reference",
    "ReferenceKind",
    "Severity",
    "validate_check_id",
]
