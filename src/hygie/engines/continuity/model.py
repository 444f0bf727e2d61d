"""The continuity model: what recovers, in which order, by whom, from which backups; and what a scenario takes.

Plain data, built by :mod:`hygie.engines.continuity.loader` from a YAML/JSON document (or by the
platform from its database). Durations are hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Activity", "Backup", "Component", "Model", "Scenario", "Team"]


@dataclass(frozen=True, slots=True)
class Team:
    """A recovery team: how many restores it runs at once."""

    name: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Backup:
    """A component's backups: how often a copy is made, and whether a copy survives an online wipe.

    ``offline`` covers offline, immutable or off-site copies a ransomware cannot reach.
    """

    frequency_h: float
    offline: bool = False
    offline_frequency_h: float | None = None


@dataclass(frozen=True, slots=True)
class Component:
    """An infrastructure component or an application, restored by ``team`` in ``restore_h`` hours.

    ``spread`` is the uncertainty of the restore time (the sigma of a log-normal factor; 0: exact).
    """

    name: str
    kind: str
    team: str
    restore_h: float
    depends_on: tuple[str, ...] = ()
    spread: float = 0.0
    backup: Backup | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """A care activity or administrative process: the applications it needs and its targets."""

    name: str
    needs: tuple[str, ...]
    rto_h: float
    rpo_h: float
    degraded_hold_h: float = 0.0


@dataclass(frozen=True, slots=True)
class Scenario:
    """What an event takes: components lost (by name or kind), and whether online backups are destroyed."""

    name: str
    lost: tuple[str, ...]
    online_backups_destroyed: bool = False


@dataclass(slots=True)
class Model:
    """A validated model: components in dependency order, teams, activities and scenarios by name."""

    components: list[Component]
    teams: dict[str, Team]
    activities: list[Activity]
    scenarios: dict[str, Scenario] = field(default_factory=dict)
