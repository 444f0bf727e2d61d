"""Statistics of incidents for a node and its subtree: per group or per region, run it on that node.

Counts by type, severity, status and establishment; time to report (awareness to the CERT Santé
report done) and time to recover (awareness to recovery), median and maximum; overdue clocks now.
Only incidents the user may see are counted (the permission choke point).
"""

from __future__ import annotations

import datetime as dt
import statistics as stats
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from hygie.apps.accounts.permissions import Action
from hygie.apps.incidents.models import Incident
from hygie.apps.incidents.services import overdue_clocks
from hygie.engines._core import Severity

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["REPORT_OBLIGATION", "Durations", "IncidentStatistics", "incident_statistics"]

#: The obligation whose completion measures the time to report.
REPORT_OBLIGATION = "cert_sante"


@dataclass(frozen=True)
class Durations:
    """Median and maximum of a set of durations, in hours (None when there is none)."""

    count: int
    median_hours: float | None
    max_hours: float | None

    @classmethod
    def of(cls, values: list[dt.timedelta]) -> Durations:
        """Summarise ``values`` (negative durations, a report made before awareness was recorded, count as 0)."""
        hours = [max(value.total_seconds(), 0) / 3600 for value in values]
        if not hours:
            return cls(0, None, None)
        return cls(len(hours), round(stats.median(hours), 2), round(max(hours), 2))

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"count": self.count, "median_hours": self.median_hours, "max_hours": self.max_hours}


@dataclass(frozen=True)
class IncidentStatistics:
    """What :func:`incident_statistics` computes."""

    node_id: int
    node_name: str
    total: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_establishment: dict[str, int] = field(default_factory=dict)
    time_to_report: Durations = Durations(0, None, None)
    time_to_recover: Durations = Durations(0, None, None)
    overdue_clocks: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form (API, CLI)."""
        return {"node_id": self.node_id, "node_name": self.node_name, "total": self.total,
                "by_kind": self.by_kind, "by_severity": self.by_severity, "by_status": self.by_status,
                "by_establishment": self.by_establishment, "time_to_report": self.time_to_report.to_dict(),
                "time_to_recover": self.time_to_recover.to_dict(), "overdue_clocks": self.overdue_clocks}


def incident_statistics(node: Node, user: Any, *, since: dt.datetime | None = None,
                        now: dt.datetime | None = None) -> IncidentStatistics:
    """Statistics of the incidents handled in ``node``'s subtree that ``user`` sees (aware since ``since``)."""
    incidents = (Incident.objects.restrict(user, Action.VIEW).filter(node__path__startswith=node.path)
                 .select_related("node").prefetch_related("establishments", "obligations"))
    if since is not None:
        incidents = incidents.filter(aware_at__gte=since)
    rows = list(incidents)
    kinds, severities, statuses, places = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    to_report, to_recover = [], []
    for incident in rows:
        kinds[incident.kind] += 1
        severities[Severity(incident.severity).name.lower()] += 1
        statuses[incident.status] += 1
        for place in list(incident.establishments.all()) or [incident.node]:
            places[place.name] += 1
        report = next((r for r in incident.obligations.all() if r.obligation == REPORT_OBLIGATION), None)
        if report is not None:
            to_report.append(report.done_at - incident.aware_at)
        if incident.recovered_at is not None:
            to_recover.append(incident.recovered_at - incident.aware_at)
    late = overdue_clocks(rows, now or timezone.now())
    return IncidentStatistics(
        node_id=node.pk, node_name=node.name, total=len(rows),
        by_kind=dict(sorted(kinds.items())), by_severity=dict(sorted(severities.items())),
        by_status=dict(sorted(statuses.items())), by_establishment=dict(sorted(places.items())),
        time_to_report=Durations.of(to_report), time_to_recover=Durations.of(to_recover),
        overdue_clocks=len(late),
    )
