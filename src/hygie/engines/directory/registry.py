"""The directory engine's check registry and the metadata each check carries beyond the core spec."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from hygie.engines._core import CheckRegistry, Reference, ReferenceKind, Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["CHECKS", "META", "Category", "CheckImpl", "CheckMeta", "NotEvaluatedError", "directory_check"]


class NotEvaluatedError(Exception):
    """Raised by a check whose input data the collector did not provide.

    A SharpHound collection has no password policy or MachineAccountQuota, for instance: the
    check is then reported as not evaluated, with this reason, rather than silently passed.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Category(StrEnum):
    """PingCastle-style families the risk score is computed per."""

    STALE = "stale_objects"
    PRIVILEGED = "privileged_accounts"
    TRUSTS = "trusts"
    ANOMALIES = "anomalies"


class CheckImpl(Protocol):
    """A check: reads the snapshot (and a reference time for ages), returns findings."""

    def __call__(self, snapshot: Snapshot, now: datetime) -> list[Finding]:
        """Findings of this check on ``snapshot``, ages measured from ``now``."""
        ...


@dataclass(frozen=True, slots=True)
class CheckMeta:
    """What the scoring needs and the core spec does not hold: category and ANSSI levels."""

    category: Category
    anssi_levels: tuple[int, ...] = ()


CHECKS: CheckRegistry[CheckImpl] = CheckRegistry("directory")
META: dict[str, CheckMeta] = {}


def directory_check(
    check_id: str,
    *,
    title_en: str,
    title_fr: str,
    severity: Severity,
    category: Category,
    anssi: tuple[str, ...] = (),
    levels: tuple[int, ...] = (),
) -> Callable[[CheckImpl], CheckImpl]:
    """Register a directory check with its category and ANSSI control ids and levels."""
    references = tuple(Reference(ReferenceKind.ANSSI, control) for control in anssi)
    register = CHECKS.register(check_id, title_en=title_en, title_fr=title_fr, severity=severity, references=references)
    META[check_id] = CheckMeta(category, levels)
    return register
