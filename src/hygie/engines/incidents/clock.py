"""Regulatory clocks: when each applicable obligation started, when it ends, and where it stands.

Hours are elapsed time: a timedelta is added to the UTC instant, so 72 h across a daylight-saving
change are 72 real hours (the wall clock shows 71 or 73). Months are calendar months on the Paris
wall clock (the law counts "one month" in the establishment's time): same local time N months
later, the day clamped to the month's end; a local time that does not exist (spring gap) moves
forward by the gap, an ambiguous one (autumn) is its first occurrence.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hygie.engines._core.i18n import gettext as _
from hygie.engines.incidents.rules import AWARENESS, DeadlineKind, ObligationRule, RuleSet, Situation

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["PARIS", "Clock", "ClockState", "clocks", "deadline_for", "local_time"]

#: The time zone of French establishments; calendar deadlines are counted on its wall clock.
PARIS = ZoneInfo("Europe/Paris")


def _aware(moment: datetime, name: str) -> datetime:
    """``moment`` in UTC; :class:`ValueError` when it has no time zone (a naive time is ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone, not be naive ({moment.isoformat()})")
    return moment.astimezone(UTC)


def local_time(moment: datetime) -> datetime:
    """``moment`` on the Paris wall clock; :class:`ValueError` for a naive datetime."""
    return _aware(moment, "moment").astimezone(PARIS)


def _add_months(start: datetime, months: int) -> datetime:
    local = start.astimezone(PARIS)
    index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    # fold=0 gives both wanted readings (PEP 495): an ambiguous wall time is its first occurrence,
    # and a time in the spring gap is read with the offset before the change, so it lands the
    # gap's length later on the wall clock (02:30 that does not exist becomes 03:30).
    wall = datetime(year, month, day, local.hour, local.minute, local.second, local.microsecond, tzinfo=PARIS, fold=0)
    return wall.astimezone(UTC)


def deadline_for(rule: ObligationRule, start: datetime, situation: Situation) -> datetime:
    """The moment (UTC) the obligation of ``rule`` ends when its clock starts at ``start``."""
    start = _aware(start, "start")
    deadline = rule.deadline
    if deadline.kind is DeadlineKind.MONTHS:
        return _add_months(start, int(deadline.amount))
    hours = deadline.amount
    if deadline.kind is DeadlineKind.POLICY and situation.insurer_notice_hours is not None:
        hours = situation.insurer_notice_hours
    return start + timedelta(hours=hours)


class ClockState(StrEnum):
    """Where an obligation stands at a given moment."""

    DUE = "due"  # open, deadline not passed
    OVERDUE = "overdue"  # open, deadline passed
    DONE = "done"  # done by the deadline
    DONE_LATE = "done_late"  # done after the deadline

    @property
    def label(self) -> str:
        """The state in the current language."""
        return _STATE_LABELS[self]()


_STATE_LABELS = {
    ClockState.DUE: lambda: _("Due"),
    ClockState.OVERDUE: lambda: _("Overdue"),
    ClockState.DONE: lambda: _("Done"),
    ClockState.DONE_LATE: lambda: _("Done late"),
}


@dataclass(frozen=True)
class Clock:
    """One obligation's clock: start, deadline (both UTC), state at ``now``, and completion.

    ``provisional`` is true when the start is taken from a predecessor's deadline because the
    predecessor is not done yet: the real start is known once it is.
    """

    rule: ObligationRule
    starts_at: datetime
    deadline: datetime
    state: ClockState
    done_at: datetime | None
    provisional: bool

    def remaining(self, now: datetime) -> timedelta:
        """Time left before the deadline at ``now`` (negative when overdue).

        For a done clock, the margin it was done with (negative when done late), whatever ``now``.
        """
        moment = self.done_at if self.done_at is not None else _aware(now, "now")
        return self.deadline - moment


def clocks(
    rules: RuleSet,
    situation: Situation,
    aware_at: datetime,
    done: Mapping[str, datetime],
    now: datetime,
) -> list[Clock]:
    """The clocks of the rules applicable in ``situation``, in rule order.

    ``done`` maps rule ids to the moment each obligation was fulfilled; ids of rules that do not
    apply are ignored (the facts may have changed since). A done time before ``aware_at`` is
    accepted (a report made before formal awareness was recorded) and counts as on time.
    """
    aware_at = _aware(aware_at, "aware_at")
    now = _aware(now, "now")
    done_at = {rule_id: _aware(moment, f"done[{rule_id!r}]") for rule_id, moment in done.items()}
    applicable = rules.applicable(situation)
    built: dict[str, Clock] = {}

    def build(rule: ObligationRule) -> Clock:
        if rule.id in built:
            return built[rule.id]
        if rule.starts == AWARENESS:
            start, provisional = aware_at, False
        else:
            # The predecessor applies (RuleSet.applicable keeps chains whole) and has no cycle.
            before = build(rules.get(rule.starts))
            if before.done_at is not None:
                start, provisional = before.done_at, False  # a real moment, however its own start was known
            else:
                start, provisional = before.deadline, True
        deadline = deadline_for(rule, start, situation)
        finished = done_at.get(rule.id)
        if finished is not None:
            state = ClockState.DONE if finished <= deadline else ClockState.DONE_LATE
        else:
            state = ClockState.OVERDUE if now > deadline else ClockState.DUE
        clock = Clock(rule, start, deadline, state, finished, provisional)
        built[rule.id] = clock
        return clock

    return [build(rule) for rule in applicable]
