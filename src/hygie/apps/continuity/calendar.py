"""The exercise calendar of a node's subtree: a month grid of planned and held exercises."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hygie.apps.continuity.models import Exercise

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from hygie.apps.organizations.models import Node

__all__ = ["Day", "Month", "month_grid", "parse_month"]


@dataclass
class Day:
    """One cell of the grid."""

    date: dt.date
    in_month: bool
    exercises: list[Exercise] = field(default_factory=list)


@dataclass
class Month:
    """A month of weeks (Monday first), with the previous and next months."""

    first: dt.date
    weeks: list[list[Day]]
    previous: dt.date
    next: dt.date

    @property
    def count(self) -> int:
        """Exercises shown in the month."""
        return sum(len(d.exercises) for week in self.weeks for d in week if d.in_month)


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """The first day of ``YYYY-MM``; today's month when missing or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _day_of(exercise: Exercise) -> dt.date:
    # A held exercise sits on the day it was held, a planned one on the day it is planned.
    return exercise.held_on or exercise.planned_on


def month_grid(node: Node, first: dt.date, exercises: QuerySet[Any]) -> Month:
    """The grid of ``first``'s month with the exercises (already restricted) of ``node``'s subtree."""
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks_dates[0][0], weeks_dates[-1][-1]
    rows = exercises.filter(node__path__startswith=node.path).select_related("node")
    by_day: dict[dt.date, list[Exercise]] = {}
    for exercise in rows.filter(planned_on__range=(start, end)) | rows.filter(held_on__range=(start, end)):
        day = _day_of(exercise)
        if start <= day <= end:
            by_day.setdefault(day, []).append(exercise)
    weeks = [[Day(d, d.month == first.month, by_day.get(d, [])) for d in week] for week in weeks_dates]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Month(first, weeks, previous, following)
