"""Recovery after a scenario, simulated: a schedule, and downtime and data loss per activity (Monte Carlo).

**Schedule.** Lost components are restored in one fixed order (dependencies first, in the model's
order otherwise). Each starts when its dependencies are back *and* a slot of its team is free (the
earliest one), and ends ``restore_h`` later. This serial scheme never lets a later component jump
ahead, which makes it monotone: more capacity or shorter restores never delay anything (the
greedy "first ready task" rule does not have that property).

**Monte Carlo.** The schedule is computed for every run at once: each quantity is a NumPy vector
over the runs, restore times drawn from a log-normal factor of sigma ``spread`` (0: exact). A
component that is not lost is available at time 0 once its dependencies are; one under an outage
comes back by itself when the outage ends (and its dependencies are back). A lost component with
backups of which no copy survives is rebuilt (``rebuild_h``) instead of restored.

**Activities.** Downtime is the time the last needed component is back; the care impact is the
downtime beyond what the activity's degraded modes can hold. Data loss is, over the lost components
the activity needs, the age of the newest copy that survives: a uniform phase within the copy cycle
(the attack strikes at any time in it); when online backups are destroyed only offline or immutable
copies count. A lost component without backups, or without a surviving copy, loses everything: the
loss is unbounded (``inf``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hygie.engines.continuity.model import Component, Model, Scenario

from hygie.engines.continuity.model import selects

__all__ = ["ActivityOutcome", "ScheduledRestore", "Simulation", "simulate"]


@dataclass(frozen=True, slots=True)
class ScheduledRestore:
    """One restore of the median schedule: component, team, start and end hours."""

    component: str
    team: str
    start_h: float
    end_h: float
    end_p90_h: float
    rebuilt: bool = False


@dataclass(frozen=True, slots=True)
class ActivityOutcome:
    """Downtime and data loss of one activity over the runs (percentiles), against its targets."""

    name: str
    rto_h: float
    rpo_h: float
    downtime_p50: float
    downtime_p90: float
    data_loss_p50: float
    data_loss_p90: float
    degraded_hold_h: float = 0.0
    care_impact_p50: float = 0.0
    care_impact_p90: float = 0.0
    downtime_mean: float = 0.0

    @property
    def meets_rto(self) -> bool:
        """The activity is back within its RTO in at least half of the runs."""
        return self.downtime_p50 <= self.rto_h

    @property
    def meets_rpo(self) -> bool:
        """At most the RPO of data is lost in at least half of the runs."""
        return self.data_loss_p50 <= self.rpo_h

    @property
    def degraded_mode_holds(self) -> bool:
        """The degraded modes hold until the activity is back in at least half of the runs."""
        return self.care_impact_p50 <= 0.0


@dataclass(slots=True)
class Simulation:
    """What a simulation gives: per-activity outcomes, the median schedule, and the raw run matrices.

    ``ends`` is components x runs and ``downtimes`` activities x runs; ``starts`` is components x
    the first :data:`SCHEDULE_RUNS` runs (all of them below that: the median schedule reads no more).
    """

    scenario: str
    runs: int
    activities: list[ActivityOutcome]
    schedule: list[ScheduledRestore]
    starts: NDArray[np.float64]
    ends: NDArray[np.float64]
    components: list[str]
    downtimes: NDArray[np.float64]

    @property
    def total_downtime_mean(self) -> float:
        """Hours of care downtime summed over the activities, averaged over the runs."""
        return float(self.downtimes.sum(axis=0).mean()) if len(self.activities) else 0.0


def _lost(model: Model, scenario: Scenario) -> list[bool]:
    return [any(selects(item, component) for item in scenario.lost) for component in model.components]


def _outages(model: Model, scenario: Scenario) -> list[float]:
    return [
        max((hours for item, hours in scenario.outages if selects(item, component)), default=0.0)
        for component in model.components
    ]


def _rebuilt(component: Component, destroyed: bool) -> bool:
    """Backed up, but no copy survives: the component is rebuilt rather than restored."""
    backup = component.backup
    return backup is not None and backup.newest_surviving_cycle_h(destroyed) is None


def _stream(seed: int, name: str, purpose: int) -> np.random.Generator:
    """The random stream of one component: keyed on its name, so that what-ifs draw the same numbers.

    Common random numbers: a what-if that adds capacity, a copy or re-orders the restores sees
    exactly the restore times and attack phases the baseline saw, so differences come from the change.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8")), purpose])


def _loss(component: Component, destroyed: bool, runs: int, seed: int) -> NDArray[np.float64]:
    """Hours of data lost: the age of the newest surviving copy (uniform phase within its cycle)."""
    cycle = component.backup.newest_surviving_cycle_h(destroyed) if component.backup is not None else None
    if cycle is None:
        return np.full(runs, np.inf)
    return _stream(seed, component.name, 1).random(runs) * cycle


def _percentiles(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """P50 and P90 of each row, as values of the runs (no interpolation: an unbounded loss stays ``inf``)."""
    return np.percentile(values, [50, 90], axis=-1, method="inverted_cdf")


#: Runs the median schedule is read from: enough for stable medians, cheaper than all 10,000.
SCHEDULE_RUNS = 2000


@dataclass(frozen=True, slots=True)
class _Situation:
    """What the scenario does to each component (by position in the model's order)."""

    index: dict[str, int]
    lost: list[bool]
    rebuilt: list[bool]
    outages: list[float]
    destroyed: bool

    @classmethod
    def of(cls, model: Model, scenario: Scenario) -> _Situation:
        lost = _lost(model, scenario)
        destroyed = scenario.online_backups_destroyed
        return cls(
            index={component.name: position for position, component in enumerate(model.components)},
            lost=lost,
            rebuilt=[lost[i] and _rebuilt(c, destroyed) for i, c in enumerate(model.components)],
            outages=_outages(model, scenario),
            destroyed=destroyed,
        )


def _durations(component: Component, hours: float, runs: int, seed: int, uncertainty: bool) -> NDArray[np.float64]:
    if uncertainty and component.spread > 0:
        return hours * np.exp(component.spread * _stream(seed, component.name, 0).standard_normal(runs))
    return np.full(runs, hours)


def _restore(
    model: Model, situation: _Situation, runs: int, seed: int, uncertainty: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start and end hours of every component in every run (the serial schedule, vectorised over runs)."""
    count = len(model.components)
    # Every row is written below; empty skips zero-filling the components x runs matrix. Starts are
    # kept for the runs the median schedule reads only: at 10,000 runs that spares a matrix as large.
    kept = min(runs, SCHEDULE_RUNS)
    starts = np.empty((count, kept))
    ends = np.empty((count, runs))
    # Slot free times, one row per parallel restore of each team, sorted per run.
    slots = {name: np.zeros((team.capacity, runs)) for name, team in model.teams.items()}
    for position, component in enumerate(model.components):
        ready = np.zeros(runs)
        for dependency in component.depends_on:
            np.maximum(ready, ends[situation.index[dependency]], out=ready)
        if situation.outages[position]:
            np.maximum(ready, situation.outages[position], out=ready)
        if not situation.lost[position]:
            starts[position] = ready[:kept]
            ends[position] = ready
            continue
        hours = component.rebuild_hours if situation.rebuilt[position] else component.restore_h
        duration = _durations(component, hours, runs, seed, uncertainty)
        team = slots[component.team]
        # Slots kept sorted per run (row 0 frees first): start on row 0, then re-insert the new end
        # in order with one pass (cheaper than argmin and fancy indexing over the runs).
        start = np.maximum(ready, team[0], out=ready)
        np.add(start, duration, out=ends[position])
        starts[position] = start[:kept]
        moving = ends[position].copy()
        for slot in range(1, len(team)):
            np.minimum(team[slot], moving, out=team[slot - 1])
            np.maximum(team[slot], moving, out=moving)
        team[-1] = moving
    return starts, ends


def _activities(
    model: Model, situation: _Situation, ends: NDArray[np.float64], seed: int
) -> tuple[list[ActivityOutcome], NDArray[np.float64]]:
    """Each activity's outcome, and its downtime in every run."""
    activities = model.activities
    runs = ends.shape[1]
    downtimes = np.zeros((len(activities), runs))
    losses = np.zeros((len(activities), runs))
    holds = np.array([activity.degraded_hold_h for activity in activities]).reshape(len(activities), 1)
    component_losses: dict[int, NDArray[np.float64]] = {}
    for row, activity in enumerate(activities):
        needed = [situation.index[name] for name in activity.needs]
        if needed:
            np.max(ends[needed], axis=0, out=downtimes[row])
        for i in (i for i in needed if situation.lost[i]):
            if i not in component_losses:
                component_losses[i] = _loss(model.components[i], situation.destroyed, runs, seed)
            np.maximum(losses[row], component_losses[i], out=losses[row])
    downtime_p, loss_p, impact_p = (
        _percentiles(matrix) for matrix in (downtimes, losses, np.maximum(downtimes - holds, 0.0))
    )
    means = downtimes.mean(axis=1)
    outcomes = [
        ActivityOutcome(
            name=activity.name,
            rto_h=activity.rto_h,
            rpo_h=activity.rpo_h,
            downtime_p50=float(downtime_p[0, row]),
            downtime_p90=float(downtime_p[1, row]),
            data_loss_p50=float(loss_p[0, row]),
            data_loss_p90=float(loss_p[1, row]),
            degraded_hold_h=activity.degraded_hold_h,
            care_impact_p50=float(impact_p[0, row]),
            care_impact_p90=float(impact_p[1, row]),
            downtime_mean=float(means[row]),
        )
        for row, activity in enumerate(activities)
    ]
    return outcomes, downtimes


def _median_schedule(
    model: Model, situation: _Situation, starts: NDArray[np.float64], ends: NDArray[np.float64]
) -> list[ScheduledRestore]:
    """The restores with their median start and end (and P90 end), earliest first."""
    restored = [position for position, lost in enumerate(situation.lost) if lost]
    if not restored:
        return []
    sample = slice(0, min(ends.shape[1], SCHEDULE_RUNS))
    start_p = np.median(starts[restored, sample], axis=1)
    end_p = _percentiles(ends[restored, sample])
    schedule = [
        ScheduledRestore(
            model.components[position].name,
            model.components[position].team,
            float(start_p[row]),
            float(end_p[0, row]),
            float(end_p[1, row]),
            rebuilt=situation.rebuilt[position],
        )
        for row, position in enumerate(restored)
    ]
    return sorted(schedule, key=lambda item: (item.start_h, item.component))


def simulate(
    model: Model, scenario: Scenario, *, runs: int = 1000, seed: int = 0, uncertainty: bool = True
) -> Simulation:
    """Simulate ``scenario`` on ``model`` over ``runs`` runs (the same seed gives the same result)."""
    runs = max(1, runs)
    situation = _Situation.of(model, scenario)
    starts, ends = _restore(model, situation, runs, seed, uncertainty)
    outcomes, downtimes = _activities(model, situation, ends, seed)
    return Simulation(
        scenario=scenario.name,
        runs=runs,
        activities=outcomes,
        schedule=_median_schedule(model, situation, starts, ends),
        starts=starts,
        ends=ends,
        components=[component.name for component in model.components],
        downtimes=downtimes,
    )
