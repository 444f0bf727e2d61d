"""The continuity model: what recovers, in which order, by whom, from which backups; and what a scenario takes.

Plain data, built by :mod:`hygie.engines.continuity.loader` from a YAML/JSON document (the platform
writes the same document from its database). Durations are hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "REBUILD_FACTOR",
    "SELECTOR_FIELDS",
    "Activity",
    "Backup",
    "BackupCopy",
    "BackupSystem",
    "Component",
    "DegradedMode",
    "Model",
    "RestoreTest",
    "Scenario",
    "Team",
    "selects",
]


@dataclass(frozen=True, slots=True)
class Team:
    """A recovery team: how many restores it runs at once."""

    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class BackupSystem:
    """The backup infrastructure: how it is administered and whether it can be cut off.

    ``authentication`` is ``production_directory`` (the console trusts the directory a ransomware
    takes first), ``dedicated_directory`` or ``local_accounts``.
    """

    name: str
    authentication: str = "production_directory"
    mfa: bool = False
    isolation: bool = False
    supervised: bool = False


@dataclass(frozen=True, slots=True)
class BackupCopy:
    """One copy of a backup: where it lies, on what, and whether a ransomware can reach it.

    ``frequency_h`` is how often this copy is refreshed (``None``: with every backup).
    """

    site: str
    medium: str
    online: bool = True
    immutable: bool = False
    encrypted: bool = False
    frequency_h: float | None = None

    @property
    def survives_wipe(self) -> bool:
        """The copy outlives an attack that destroys everything reachable online."""
        return not self.online or self.immutable


@dataclass(frozen=True, slots=True)
class Backup:
    """A component's backup plan: method, frequency, retention, copies and the system that runs it."""

    frequency_h: float
    copies: tuple[BackupCopy, ...]
    method: str = "full"
    retention_days: float = 30.0
    system: str | None = None

    def newest_surviving_cycle_h(self, online_destroyed: bool) -> float | None:
        """The refresh period of the best copy left (``None``: no copy survives)."""
        cycles = [
            copy.frequency_h if copy.frequency_h is not None else self.frequency_h
            for copy in self.copies
            if copy.survives_wipe or not online_destroyed
        ]
        return min(cycles) if cycles else None

    @property
    def offline(self) -> bool:
        """At least one copy is offline or immutable."""
        return any(copy.survives_wipe for copy in self.copies)


@dataclass(frozen=True, slots=True)
class RestoreTest:
    """A restore test: when, whether it succeeded, and how long it took (hours)."""

    date: dt.date
    success: bool
    duration_h: float | None = None


@dataclass(frozen=True, slots=True)
class Component:
    """An infrastructure component or an application, restored by ``team`` in ``restore_h`` hours.

    ``restore_basis`` says where ``restore_h`` comes from: ``measured`` (the latest successful restore
    test), ``declared``, or ``estimated`` (data size over throughput plus set-up). ``spread`` is the
    uncertainty of the restore time (the sigma of a log-normal factor). ``rebuild_h`` is the time to
    rebuild it when it has backups and none survives. ``transfer_h`` is the part of ``restore_h``
    spent moving data (what faster storage shortens).
    """

    name: str
    kind: str
    team: str
    restore_h: float
    depends_on: tuple[str, ...] = ()
    spread: float = 0.0
    backup: Backup | None = None
    category: str = "application"
    site: str = ""
    platform: str = ""
    critical: bool = False
    rebuild_h: float | None = None
    restore_basis: str = "declared"
    transfer_h: float = 0.0
    restore_tests: tuple[RestoreTest, ...] = ()

    @property
    def rebuild_hours(self) -> float:
        """Hours to rebuild without a surviving copy (declared, else three restores)."""
        return self.rebuild_h if self.rebuild_h is not None else REBUILD_FACTOR * self.restore_h


#: Without a declared rebuild time, rebuilding from nothing takes this many times a restore.
REBUILD_FACTOR = 3.0


@dataclass(frozen=True, slots=True)
class DegradedMode:
    """A degraded-mode procedure (paper forms, fallback) and how long it can hold."""

    name: str
    hold_h: float
    procedure: str = ""


@dataclass(frozen=True, slots=True)
class Activity:
    """A care activity or administrative process: the components it needs, its targets, its fallbacks.

    ``kind`` is ``care``, ``administrative`` or ``technical_platform``. ``mtpd_h`` is the maximum
    tolerable period of disruption and ``min_service_pct`` the share of normal activity to keep.
    """

    name: str
    needs: tuple[str, ...]
    rto_h: float
    rpo_h: float
    degraded_hold_h: float = 0.0
    kind: str = "care"
    mtpd_h: float | None = None
    min_service_pct: float | None = None
    degraded_modes: tuple[DegradedMode, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    """What an event takes.

    ``lost`` selects components to restore: a name, a kind, or ``category:``, ``site:``,
    ``platform:`` selectors. ``outages`` selects components unavailable for a fixed time that come
    back by themselves (a vendor SaaS, a power cut). ``online_backups_destroyed``: only offline or
    immutable copies survive.
    """

    name: str
    lost: tuple[str, ...]
    online_backups_destroyed: bool = False
    outages: tuple[tuple[str, float], ...] = ()
    description: str = ""


@dataclass(slots=True)
class Model:
    """A validated model: components in dependency order, teams, activities and scenarios by name."""

    components: list[Component]
    teams: dict[str, Team]
    activities: list[Activity]
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    backup_systems: dict[str, BackupSystem] = field(default_factory=dict)


#: Scenario selector prefixes (besides a component's name and its kind).
SELECTOR_FIELDS = ("category", "site", "platform")


def selects(selector: str, component: Component) -> bool:
    """``selector`` (a name, a kind, or ``category:``/``site:``/``platform:`` + value) takes ``component``."""
    field_name, _, value = selector.partition(":")
    if value and field_name in SELECTOR_FIELDS:
        return bool(getattr(component, field_name) == value)
    return selector in {component.name, component.kind}
