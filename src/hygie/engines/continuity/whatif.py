"""What-if comparisons: which single change to the plan shortens care downtime most.

Each candidate change builds a variant of the model (``dataclasses.replace`` on the frozen parts)
and simulates it with the **same seed and number of runs** as the baseline: restore-time draws are
made per component in model order whatever the capacities (common random numbers), so a difference
is the change's effect and not sampling noise. The candidates:

- ``team_capacity``: one more parallel restore for a team that restores something ("a second team");
- ``offline_copy``: a daily offline copy (:data:`OFFLINE_COPY_CYCLE_H`, or the backup's own cycle when
  longer) for a lost, backed-up component that no copy of which survives the scenario, and that an
  activity needs directly or through its dependencies: it is restored instead of rebuilt and its
  data loss is bounded. At most :data:`MAX_OFFLINE_CANDIDATES`, the most needed first;
- ``faster_storage``: every component's data transfer twice as fast (``restore_h - transfer_h / 2``);
- ``restore_order``: components restored by the smallest RTO of the activities that need them,
  dependencies still first.

``downtime_saved_h`` is the baseline's :attr:`Simulation.total_downtime_mean` minus the variant's:
hours of care downtime saved, summed over the activities, averaged over the runs. Adding capacity or
an offline copy never lengthens downtime (the schedule is monotone); a new restore order can, so its
figure may be negative. ``data_loss_saved_h`` sums, over the activities whose loss is bounded in
both, the median data loss saved; ``made_recoverable`` counts the activities whose median loss goes
from unbounded to bounded. The ranking is by downtime saved, then activities made recoverable, then
data loss saved.

What-ifs may run on fewer runs than the main simulation (the CLI uses ``min(runs, 2000)``): one
simulation per candidate, and common random numbers keep differences stable with fewer runs.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hygie.engines._core.i18n import gettext as _
from hygie.engines.continuity.model import Backup, BackupCopy, Component, Model, Scenario, selects
from hygie.engines.continuity.simulate import Simulation, simulate

if TYPE_CHECKING:
    from hygie.engines._core.progress import Progress

__all__ = [
    "KINDS",
    "MAX_OFFLINE_CANDIDATES",
    "OFFLINE_COPY_CYCLE_H",
    "WHAT_IF_RUNS",
    "WhatIf",
    "candidates",
    "describe",
    "what_ifs",
]

#: What a what-if changes.
KINDS = ("offline_copy", "team_capacity", "faster_storage", "restore_order")
#: At most this many offline-copy candidates (the components most activities need).
MAX_OFFLINE_CANDIDATES = 10
#: The refresh period assumed for an added offline copy (hours): a daily offline/immutable copy.
OFFLINE_COPY_CYCLE_H = 24.0
#: The CLI's cap on what-if runs (each candidate is one more simulation).
WHAT_IF_RUNS = 2000


@dataclass(frozen=True, slots=True)
class WhatIf:
    """One change to the plan and what it saves against the baseline (hours)."""

    change: str
    kind: str
    target: str
    downtime_saved_h: float
    data_loss_saved_h: float
    made_recoverable: int = 0
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: str
    target: str
    model: Model
    capacity: int | None = None

    @property
    def change(self) -> str:
        return describe(self.kind, self.target, self.capacity)


def describe(kind: str, target: str, capacity: int | None = None) -> str:
    """The change as a sentence in the current language (``capacity``: a team's new capacity).

    Kept apart from the figures so that a page can describe a stored what-if in its reader's language.
    """
    if kind == "team_capacity" and capacity is not None:
        return _("One more parallel restore for team %(team)s (%(before)d → %(after)d)") % {
            "team": target,
            "before": capacity - 1,
            "after": capacity,
        }
    if kind == "offline_copy":
        return _("Add an offline copy of %(component)s") % {"component": target}
    if kind == "faster_storage":
        return _("Faster storage: data transfers twice as fast")
    if kind == "restore_order":
        return _("Restore in order of the activities' RTO (dependencies first)")
    return target


def _needed(model: Model) -> dict[str, int]:
    """For each component, how many activities need it, directly or through dependencies."""
    by_name = {component.name: component for component in model.components}
    counts: dict[str, int] = {}
    for activity in model.activities:
        seen: set[str] = set()
        stack = list(activity.needs)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(by_name[name].depends_on)
        for name in seen:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _lost(component: Component, scenario: Scenario) -> bool:
    return any(selects(item, component) for item in scenario.lost)


def _with_components(model: Model, components: list[Component]) -> Model:
    return replace(model, components=components)


def _capacity_candidates(model: Model, scenario: Scenario) -> list[_Candidate]:
    busy = {component.team for component in model.components if _lost(component, scenario)}
    result = []
    for name, team in model.teams.items():
        if name not in busy:
            continue
        teams = {**model.teams, name: replace(team, capacity=team.capacity + 1)}
        result.append(_Candidate("team_capacity", name, replace(model, teams=teams), team.capacity + 1))
    return result


def _offline_copy(backup: Backup) -> Backup:
    cycle = max(backup.frequency_h, OFFLINE_COPY_CYCLE_H)
    copy = BackupCopy(site="", medium="offline", online=False, frequency_h=cycle)
    return replace(backup, copies=(*backup.copies, copy))


def _offline_candidates(model: Model, scenario: Scenario) -> list[_Candidate]:
    needed = _needed(model)
    destroyed = scenario.online_backups_destroyed
    eligible = [
        (position, component)
        for position, component in enumerate(model.components)
        if component.backup is not None
        and component.name in needed
        and _lost(component, scenario)
        and component.backup.newest_surviving_cycle_h(destroyed) is None
    ]
    eligible.sort(key=lambda item: (-needed[item[1].name], item[0]))
    result = []
    for position, component in eligible[:MAX_OFFLINE_CANDIDATES]:
        assert component.backup is not None  # noqa: S101 - filtered above; narrows the type for mypy
        components = list(model.components)
        components[position] = replace(component, backup=_offline_copy(component.backup))
        result.append(_Candidate("offline_copy", component.name, _with_components(model, components)))
    return result


def _faster_storage(model: Model, scenario: Scenario) -> list[_Candidate]:
    if not any(component.transfer_h > 0 and _lost(component, scenario) for component in model.components):
        return []  # no restore of this scenario moves data: nothing to gain
    components = [
        replace(c, restore_h=c.restore_h - c.transfer_h / 2, transfer_h=c.transfer_h / 2) if c.transfer_h > 0 else c
        for c in model.components
    ]
    return [_Candidate("faster_storage", "", _with_components(model, components))]


def priority_order(model: Model) -> list[Component]:
    """Components by the smallest RTO of the activities needing them, dependencies always first.

    A topological order (Kahn's algorithm) that, among the components whose dependencies are placed,
    takes the one with the most urgent activity, then the model's order.
    """
    by_name = {component.name: component for component in model.components}
    urgency = {component.name: math.inf for component in model.components}
    for activity in model.activities:
        stack = list(activity.needs)
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            urgency[name] = min(urgency[name], activity.rto_h)
            stack.extend(by_name[name].depends_on)
    position = {component.name: index for index, component in enumerate(model.components)}
    waiting = {component.name: len(set(component.depends_on)) for component in model.components}
    dependents: dict[str, list[str]] = {component.name: [] for component in model.components}
    for component in model.components:
        for dependency in set(component.depends_on):
            dependents[dependency].append(component.name)
    ready = [(urgency[name], position[name], name) for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[Component] = []
    while ready:
        _rto, _position, name = heapq.heappop(ready)
        ordered.append(by_name[name])
        for child in dependents[name]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (urgency[child], position[child], child))
    return ordered


def _order_candidates(model: Model) -> list[_Candidate]:
    ordered = priority_order(model)
    if [c.name for c in ordered] == [c.name for c in model.components]:
        return []
    return [_Candidate("restore_order", "", _with_components(model, ordered))]


def candidates(model: Model, scenario: Scenario) -> list[tuple[str, str, str, Model]]:
    """Every candidate change as ``(change, kind, target, variant model)``."""
    return [(c.change, c.kind, c.target, c.model) for c in _candidates(model, scenario)]


def _candidates(model: Model, scenario: Scenario) -> list[_Candidate]:
    return [
        *_capacity_candidates(model, scenario),
        *_offline_candidates(model, scenario),
        *_faster_storage(model, scenario),
        *_order_candidates(model),
    ]


def _data_loss_saved(baseline: Simulation, variant: Simulation) -> tuple[float, int]:
    saved = 0.0
    recovered = 0
    for before, after in zip(baseline.activities, variant.activities, strict=True):
        if math.isinf(before.data_loss_p50) and not math.isinf(after.data_loss_p50):
            recovered += 1
        elif not math.isinf(before.data_loss_p50) and not math.isinf(after.data_loss_p50):
            saved += before.data_loss_p50 - after.data_loss_p50
    return saved, recovered


def what_ifs(
    model: Model,
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    baseline: Simulation | None = None,
    uncertainty: bool = True,
    progress: Progress | None = None,
) -> list[WhatIf]:
    """Every candidate change simulated against the baseline, the one saving most downtime first.

    ``baseline`` is reused only when it was run on ``runs`` runs (else simulated again, with the same
    seed: common random numbers need the same runs).
    """
    if baseline is None or baseline.runs != max(1, runs) or baseline.scenario != scenario.name:
        baseline = simulate(model, scenario, runs=runs, seed=seed, uncertainty=uncertainty)
    found = _candidates(model, scenario)
    if progress is not None:
        progress.start(_("What-ifs"), len(found))
    results = []
    for candidate in found:
        variant = simulate(candidate.model, scenario, runs=runs, seed=seed, uncertainty=uncertainty)
        loss_saved, recovered = _data_loss_saved(baseline, variant)
        results.append(
            WhatIf(
                change=candidate.change,
                kind=candidate.kind,
                target=candidate.target,
                downtime_saved_h=baseline.total_downtime_mean - variant.total_downtime_mean,
                data_loss_saved_h=loss_saved,
                made_recoverable=recovered,
                capacity=candidate.capacity,
            )
        )
        if progress is not None:
            progress.advance()
    return sorted(results, key=lambda w: (-w.downtime_saved_h, -w.made_recoverable, -w.data_loss_saved_h, w.change))
