"""Training coverage: people trained in the last twelve months over the headcount, per staff category.

Per node, the headcount of a category is the sum, over the node and its descendants, of each
one's latest census on or before the date; the trained are the distinct people (per
establishment) with a completion in the twelve months up to that date. Coverage is capped at
100 % (turnover makes the trained outnumber a census taken before arrivals). A group or region
rolls its establishments up the same way. Targets are inherited: the nearest node of the lineage
that sets a value gives it.

``user`` restricts every query through the choke point; ``None`` is the platform itself (the
checks that write findings, the demo), which reads the whole subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hygie.apps.accounts.permissions import Action
from hygie.apps.awareness.models import AwarenessTarget, StaffCategory, StaffCensus, TrainingCompletion
from hygie.apps.organizations.models import NodeKind

if TYPE_CHECKING:
    from decimal import Decimal

    from hygie.apps.organizations.models import Node

__all__ = [
    "WINDOW_DAYS",
    "CategoryCoverage",
    "NodeCoverage",
    "Targets",
    "coverage_rate",
    "effective_targets",
    "node_coverage",
    "quarter_points",
    "rollup",
    "trend",
]

#: The window of "trained recently": twelve months.
WINDOW_DAYS = 365


@dataclass(frozen=True)
class Targets:
    """The targets in force at a node and the nodes that set them (None: no node of the lineage does)."""

    coverage_pct: Decimal | None = None
    click_ceiling_pct: Decimal | None = None
    coverage_set_by: int | None = None
    ceiling_set_by: int | None = None


def effective_targets(node: Node) -> Targets:
    """Each target from the nearest node of ``node``'s lineage that sets it.

    The ancestors' target rows are read without ``restrict``: they are settings that apply to this
    node (a user of an establishment is measured against the group's target without seeing the group).
    """
    rows = {t.node.path: t for t in AwarenessTarget.objects.filter(node__path__in=node.lineage_paths())
            .select_related("node")}
    coverage = ceiling = None
    coverage_by = ceiling_by = None
    for path in reversed(node.lineage_paths()):
        target = rows.get(path)
        if target is None:
            continue
        if coverage is None and target.coverage_target_pct is not None:
            coverage, coverage_by = target.coverage_target_pct, target.node_id
        if ceiling is None and target.click_ceiling_pct is not None:
            ceiling, ceiling_by = target.click_ceiling_pct, target.node_id
    return Targets(coverage, ceiling, coverage_by, ceiling_by)


def coverage_rate(trained: int, headcount: int) -> float | None:
    """Trained over headcount, capped at 1; None without a headcount."""
    if headcount <= 0:
        return None
    return min(trained, headcount) / headcount


@dataclass(frozen=True)
class CategoryCoverage:
    """Coverage of one category at one node."""

    category: str
    label: str
    headcount: int
    trained: int
    rate: float | None
    target: float | None

    @property
    def below(self) -> bool:
        """True when a target is set, staff is counted and the rate is under the target."""
        return self.target is not None and self.rate is not None and self.rate < self.target

    @property
    def percent(self) -> float | None:
        """The rate in percent, for bars."""
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def target_percent(self) -> float | None:
        """The target in percent."""
        return None if self.target is None else round(self.target * 100, 1)


@dataclass(frozen=True)
class NodeCoverage:
    """Coverage of a node on a date: per category and overall."""

    node_id: int
    as_of: dt.date
    categories: list[CategoryCoverage] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        """Staff counted in every category."""
        return sum(c.headcount for c in self.categories)

    @property
    def trained(self) -> int:
        """People trained, each category capped at its headcount."""
        return sum(min(c.trained, c.headcount) for c in self.categories)

    @property
    def rate(self) -> float | None:
        """Overall coverage."""
        return coverage_rate(self.trained, self.headcount)

    @property
    def percent(self) -> float | None:
        """Overall coverage in percent."""
        rate = self.rate
        return None if rate is None else round(rate * 100, 1)

    @property
    def below(self) -> list[CategoryCoverage]:
        """Categories under the target."""
        return [c for c in self.categories if c.below]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "node_id": self.node_id,
            "as_of": self.as_of.isoformat(),
            "headcount": self.headcount,
            "trained": self.trained,
            "rate": self.rate,
            "categories": [
                {"category": c.category, "headcount": c.headcount, "trained": c.trained, "rate": c.rate,
                 "target": c.target, "below_target": c.below}
                for c in self.categories
            ],
        }


class _Data:
    """The censuses and completions of a subtree up to a date, loaded once."""

    def __init__(self, root: Node, user: Any, as_of: dt.date) -> None:
        censuses = StaffCensus.objects.all() if user is None else StaffCensus.objects.restrict(user, Action.VIEW)
        completions = (TrainingCompletion.objects.all() if user is None
                       else TrainingCompletion.objects.restrict(user, Action.VIEW))
        self.latest: dict[tuple[str, str], int] = {}
        rows = (censuses.filter(node__path__startswith=root.path, as_of__lte=as_of)
                .order_by("node__path", "category", "-as_of").values_list("node__path", "category", "headcount"))
        for path, category, headcount in rows:
            self.latest.setdefault((path, category), headcount)
        start = as_of - dt.timedelta(days=WINDOW_DAYS)
        self.trained = set(
            completions.filter(node__path__startswith=root.path, completed_on__gt=start, completed_on__lte=as_of)
            .values_list("node__path", "person", "category").distinct()
        )

    def coverage(self, node: Node, target: float | None, as_of: dt.date) -> NodeCoverage:
        heads: dict[str, int] = defaultdict(int)
        for (path, category), count in self.latest.items():
            if path.startswith(node.path):
                heads[category] += count
        trained: dict[str, int] = defaultdict(int)
        for path, _person, category in self.trained:
            if path.startswith(node.path):
                trained[category] += 1
        categories = [
            CategoryCoverage(c.value, str(c.label), heads.get(c.value, 0), trained.get(c.value, 0),
                             coverage_rate(trained.get(c.value, 0), heads.get(c.value, 0)), target)
            for c in StaffCategory
            if heads.get(c.value) or trained.get(c.value)
        ]
        return NodeCoverage(node.pk, as_of, categories)


def _target_fraction(node: Node) -> float | None:
    value = effective_targets(node).coverage_pct
    return None if value is None else float(value) / 100


def node_coverage(node: Node, *, user: Any, as_of: dt.date) -> NodeCoverage:
    """Coverage of ``node`` (its subtree) on ``as_of`` against its inherited target."""
    return _Data(node, user, as_of).coverage(node, _target_fraction(node), as_of)


def quarter_points(as_of: dt.date, quarters: int = 4) -> list[dt.date]:
    """The ends of the last ``quarters`` complete quarters, then ``as_of``."""
    points: list[dt.date] = []
    year, quarter = as_of.year, (as_of.month - 1) // 3  # the quarter before the current one, 0-based
    for _ in range(quarters):
        if quarter == 0:
            year, quarter = year - 1, 4
        month = quarter * 3
        end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)  # noqa: PLR2004
        points.append(end)
        quarter -= 1
    return [*reversed(points), as_of]


def trend(node: Node, *, user: Any, as_of: dt.date, quarters: int = 4) -> list[dict[str, Any]]:
    """Coverage at the end of each of the last quarters and today: ``[{"date", "rate", "categories"}]``."""
    points = []
    target = _target_fraction(node)
    for point in quarter_points(as_of, quarters):
        coverage = _Data(node, user, point).coverage(node, target, point)
        points.append({
            "date": point,
            "rate": coverage.rate,
            "percent": coverage.percent,
            "categories": {c.category: c.rate for c in coverage.categories},
        })
    return points


def rollup(node: Node, *, user: Any, as_of: dt.date) -> list[tuple[Node, NodeCoverage]]:
    """The establishments under ``node`` with their coverage (one load of the subtree's data)."""
    from hygie.apps.organizations.models import Node as NodeModel

    nodes = NodeModel.objects.all() if user is None else NodeModel.objects.restrict(user, Action.VIEW)
    establishments = list(nodes.filter(path__startswith=node.path, kind=NodeKind.ESTABLISHMENT).order_by("path"))
    data = _Data(node, user, as_of)
    return [(child, data.coverage(child, _target_fraction(child), as_of)) for child in establishments]
