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
downtime beyond what the activity's degraded modes can hold. Data loss is, for each
lost application with backups, the age of the newest copy that survives: a uniform phase within the
copy cycle (the attack strikes at any time in it); when online backups are destroyed only the offline
copy counts, and without any surviving copy the loss is unbounded (``inf``).
"""

from __future__ import annotations

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

    ``starts``/``ends`` are components x runs; ``downtimes`` is activities x runs.
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


def _loss(component: Component, destroyed: bool, runs: int, rng: np.random.Generator) -> NDArray[np.float64]:
    cycle = component.backup.newest_surviving_cycle_h(destroyed) if component.backup is not None else None
    if cycle is None:
        return np.full(runs, np.inf)
    return rng.uniform(0.0, cycle, runs) if cycle > 0 else np.zeros(runs)


def _percentile(values: NDArray[np.float64], q: float) -> float:
    """A percentile that is one of the runs' values (no interpolation: an unbounded loss stays ``inf``)."""
    return float(np.percentile(values, q, method="inverted_cdf"))


def simulate(
    model: Model, scenario: Scenario, *, runs: int = 1000, seed: int = 0, uncertainty: bool = True
) -> Simulation:
    """Simulate ``scenario`` on ``model`` over ``runs`` runs (the same seed gives the same result)."""
    runs = max(1, runs)
    rng = np.random.default_rng(seed)
    index = {component.name: position for position, component in enumerate(model.components)}
    lost = _lost(model, scenario)
    outages = _outages(model, scenario)
    destroyed = scenario.online_backups_destroyed
    rebuilt = [lost[i] and _rebuilt(c, destroyed) for i, c in enumerate(model.components)]
    count = len(model.components)
    starts = np.zeros((count, runs))
    ends = np.zeros((count, runs))
    slots = {name: np.zeros((runs, team.capacity)) for name, team in model.teams.items()}
    rows = np.arange(runs)
    # Draws happen in component order whatever the capacities: a what-if with more capacity sees
    # exactly the same restore times (common random numbers).
    factors = rng.lognormal(0.0, 1.0, (count, runs)) if uncertainty else np.ones((count, runs))
    for position, component in enumerate(model.components):
        ready = np.zeros(runs)
        for dependency in component.depends_on:
            np.maximum(ready, ends[index[dependency]], out=ready)
        if outages[position]:
            np.maximum(ready, outages[position], out=ready)
        if not lost[position]:
            starts[position] = ready
            ends[position] = ready
            continue
        hours = component.rebuild_hours if rebuilt[position] else component.restore_h
        duration = hours * (factors[position] ** component.spread)
        team = slots[component.team]
        slot = team.argmin(axis=1)
        start = np.maximum(ready, team[rows, slot])
        starts[position] = start
        ends[position] = start + duration
        team[rows, slot] = ends[position]
    outcomes = []
    downtimes = np.zeros((len(model.activities), runs))
    for row, activity in enumerate(model.activities):
        needed = [index[name] for name in activity.needs]
        downtime = ends[needed].max(axis=0) if needed else np.zeros(runs)
        downtimes[row] = downtime
        losses = [_loss(model.components[i], destroyed, runs, rng) for i in needed if lost[i]]
        loss = np.max(np.stack(losses), axis=0) if losses else np.zeros(runs)
        impact = np.maximum(downtime - activity.degraded_hold_h, 0.0)
        outcomes.append(
            ActivityOutcome(
                name=activity.name,
                rto_h=activity.rto_h,
                rpo_h=activity.rpo_h,
                downtime_p50=_percentile(downtime, 50),
                downtime_p90=_percentile(downtime, 90),
                data_loss_p50=_percentile(loss, 50),
                data_loss_p90=_percentile(loss, 90),
                degraded_hold_h=activity.degraded_hold_h,
                care_impact_p50=_percentile(impact, 50),
                care_impact_p90=_percentile(impact, 90),
                downtime_mean=float(downtime.mean()),
            )
        )
    schedule = [
        ScheduledRestore(
            component.name,
            component.team,
            float(np.median(starts[position])),
            float(np.median(ends[position])),
            _percentile(ends[position], 90),
            rebuilt=rebuilt[position],
        )
        for position, component in enumerate(model.components)
        if lost[position]
    ]
    return Simulation(
        scenario=scenario.name,
        runs=runs,
        activities=outcomes,
        schedule=sorted(schedule, key=lambda item: (item.start_h, item.component)),
        starts=starts,
        ends=ends,
        components=[component.name for component in model.components],
        downtimes=downtimes,
    )
