"""Figures of the dashboard of a node: active findings by severity and source, and their trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from hygie.apps.findings.models import Finding, FindingStatus, SeverityChoices
from hygie.apps.findings.models.findings import ACTIVE_STATUSES

if TYPE_CHECKING:
    from django.db.models import QuerySet

TREND_WEEKS = 12


@dataclass(frozen=True)
class Bar:
    """One bar of a chart."""

    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class Summary:
    """Everything the dashboard draws."""

    active: int
    critical: int
    overdue: int
    closed_30d: int
    by_severity: list[Bar]
    by_source: list[Bar]
    trend: list[tuple[dt.date, int, int]]  # (week start, opened that week, closed that week)

    @property
    def trend_max(self) -> int:
        """Largest weekly figure, to scale the trend chart."""
        return max([1, *[max(o, c) for _, o, c in self.trend]])


def _bars(rows: list[tuple[str, str, int]]) -> list[Bar]:
    top = max([1, *[count for _, _, count in rows]])
    return [Bar(key, label, count, round(100 * count / top)) for key, label, count in rows]


def summarise(findings: QuerySet[Finding], today: dt.date | None = None) -> Summary:
    """Aggregate ``findings`` (already restricted and narrowed to a subtree) in four queries."""
    today = today or timezone.localdate()
    now = timezone.now()
    active = findings.filter(status__in=ACTIVE_STATUSES)
    counts = active.aggregate(
        active=Count("id"),
        critical=Count("id", filter=Q(severity=SeverityChoices.CRITICAL)),
        overdue=Count("id", filter=Q(due_date__lt=today)),
    )
    closed_30d = findings.filter(
        status__in=[FindingStatus.FIXED, FindingStatus.FALSE_POSITIVE], closed_at__gte=now - dt.timedelta(days=30),
    ).count()
    severity_counts = dict(active.order_by().values_list("severity").annotate(n=Count("id")))
    by_severity = _bars([
        (SeverityChoices(value).name.lower(), str(label), severity_counts.get(value, 0))
        for value, label in reversed(SeverityChoices.choices)
    ])
    source_counts = active.order_by().values_list("source").annotate(n=Count("id")).order_by("-n")
    by_source = _bars([(source, source, n) for source, n in source_counts])
    return Summary(counts["active"], counts["critical"], counts["overdue"], closed_30d,
                   by_severity, by_source, _trend(findings, today))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _trend(findings: QuerySet[Finding], today: dt.date) -> list[tuple[dt.date, int, int]]:
    first = _week_start(today) - dt.timedelta(weeks=TREND_WEEKS - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    weeks: dict[dt.date, list[int]] = {first + dt.timedelta(weeks=i): [0, 0] for i in range(TREND_WEEKS)}
    for column, slot in (("first_seen", 0), ("closed_at", 1)):
        rows: Any = (
            findings.filter(**{f"{column}__gte": since}).order_by()
            .annotate(week=TruncWeek(column)).values_list("week").annotate(n=Count("id"))
        )
        for week, count in rows:
            day = week.date() if isinstance(week, dt.datetime) else week
            if day in weeks:
                weeks[day][slot] += count
    return [(week, opened, closed) for week, (opened, closed) in sorted(weeks.items())]
