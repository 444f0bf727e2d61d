"""Deadline arithmetic: elapsed hours across daylight-saving changes, calendar months on the Paris wall clock.

2026 changes in Europe/Paris: 29 March 02:00 CET -> 03:00 CEST; 25 October 03:00 CEST -> 02:00 CET.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hygie.engines.incidents import (
    PARIS,
    Deadline,
    DeadlineKind,
    Fact,
    ObligationRule,
    Situation,
    deadline_for,
    local_time,
)

NOTHING = Situation(frozenset())
NEW_YORK = ZoneInfo("America/New_York")


def rule(kind: DeadlineKind, amount: float) -> ObligationRule:
    """A rule with only a deadline that matters."""
    return ObligationRule("r", "anssi", "R", "R", "b", "b", Deadline(kind, amount))


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Paris wall-clock time (first occurrence when ambiguous)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class TestHours:
    """HOURS, WITHOUT_DELAY and POLICY add elapsed time to the instant."""

    def test_72_hours_over_the_spring_change_are_72_real_hours(self) -> None:
        """Given Friday 27 March 2026 10:00 CET, when 72 h are added, then Monday 30 March 11:00 CEST."""
        deadline = deadline_for(rule(DeadlineKind.HOURS, 72), paris(2026, 3, 27, 10), NOTHING)
        assert utc(2026, 3, 30, 9) == deadline
        assert (2026, 3, 30, 11, 0) == local_time(deadline).timetuple()[:5]
        assert timedelta(hours=2) == local_time(deadline).utcoffset()

    def test_72_hours_over_the_autumn_change_are_72_real_hours(self) -> None:
        """Given Friday 23 October 2026 10:00 CEST, when 72 h are added, then Monday 26 October 09:00 CET."""
        deadline = deadline_for(rule(DeadlineKind.HOURS, 72), paris(2026, 10, 23, 10), NOTHING)
        assert utc(2026, 10, 26, 8) == deadline
        assert paris(2026, 10, 26, 9) == local_time(deadline)

    def test_without_delay_counts_its_target_hours_across_the_spring_gap(self) -> None:
        """Given Saturday 28 March 2026 12:00 CET, when the 24 h target is added, then Sunday 13:00 CEST."""
        deadline = deadline_for(rule(DeadlineKind.WITHOUT_DELAY, 24), paris(2026, 3, 28, 12), NOTHING)
        assert utc(2026, 3, 29, 11) == deadline
        assert (2026, 3, 29, 13) == local_time(deadline).timetuple()[:4]

    def test_policy_uses_the_recorded_notice_period_else_the_fallback(self) -> None:
        """Given a policy deadline of 120 h fallback, then 48 h when the policy says 48, else 120 h."""
        policy = rule(DeadlineKind.POLICY, 120)
        start = utc(2026, 6, 1, 8)
        assert utc(2026, 6, 6, 8) == deadline_for(policy, start, Situation(frozenset({Fact.INSURED})))
        recorded = Situation(frozenset({Fact.INSURED}), insurer_notice_hours=48)
        assert utc(2026, 6, 3, 8) == deadline_for(policy, start, recorded)

    def test_a_start_in_another_zone_is_the_same_instant(self) -> None:
        """Given 05:00 in New York (EDT) on 27 March 2026, i.e. 10:00 Paris, then 72 h end 30 March 09:00 UTC."""
        start = datetime(2026, 3, 27, 5, tzinfo=NEW_YORK)
        deadline = deadline_for(rule(DeadlineKind.HOURS, 72), start, NOTHING)
        assert utc(2026, 3, 30, 9) == deadline
        assert UTC == deadline.tzinfo

    @given(st.datetimes(timezones=st.just(PARIS)), st.floats(min_value=0.01, max_value=10_000))
    def test_hours_are_always_elapsed_time(self, start: datetime, hours: float) -> None:
        """Given any aware start and amount of hours, then the deadline is that much real time later."""
        deadline = deadline_for(rule(DeadlineKind.HOURS, hours), start, NOTHING)
        assert timedelta(hours=hours) == deadline - start


class TestMonths:
    """MONTHS keep the Paris wall-clock time, clamp the day, and resolve gaps and repeated hours."""

    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            pytest.param((2026, 1, 31, 10), 1, (2026, 2, 28, 10), id="31 Jan -> 28 Feb"),
            pytest.param((2028, 1, 31, 10), 1, (2028, 2, 29, 10), id="31 Jan -> 29 Feb in a leap year"),
            pytest.param((2026, 3, 31, 10), 1, (2026, 4, 30, 10), id="31 Mar CET -> 30 Apr CEST"),
            pytest.param((2026, 12, 15, 23), 1, (2027, 1, 15, 23), id="December -> January"),
            pytest.param((2028, 2, 29, 8), 12, (2029, 2, 28, 8), id="29 Feb + 12 months"),
            pytest.param((2026, 10, 31, 18), 4, (2027, 2, 28, 18), id="31 Oct CET + 4"),
        ],
    )
    def test_same_wall_time_n_months_later_day_clamped(
        self, start: tuple[int, int, int, int], months: int, expected: tuple[int, int, int, int]
    ) -> None:
        """Given a Paris wall time, when N months are added, then the same wall time, day clamped."""
        deadline = deadline_for(rule(DeadlineKind.MONTHS, months), paris(*start), NOTHING)
        assert paris(*expected) == deadline
        assert UTC == deadline.tzinfo

    def test_over_the_spring_change_the_wall_time_is_kept(self) -> None:
        """Given 15 March 2026 10:00 CET (09:00 UTC), then 15 April 10:00 CEST (08:00 UTC): one hour less."""
        deadline = deadline_for(rule(DeadlineKind.MONTHS, 1), paris(2026, 3, 15, 10), NOTHING)
        assert utc(2026, 4, 15, 8) == deadline

    def test_a_time_in_the_spring_gap_moves_forward_by_the_gap(self) -> None:
        """Given 29 January 2026 02:30 CET + 2 months, when 29 March 02:30 does not exist, then 03:30 CEST."""
        deadline = deadline_for(rule(DeadlineKind.MONTHS, 2), paris(2026, 1, 29, 2, 30), NOTHING)
        assert utc(2026, 3, 29, 1, 30) == deadline
        assert (2026, 3, 29, 3, 30) == local_time(deadline).timetuple()[:5]

    def test_an_ambiguous_autumn_time_is_its_first_occurrence(self) -> None:
        """Given 25 September 2026 02:30 CEST + 1 month, when 25 October 02:30 occurs twice, then the first (CEST)."""
        deadline = deadline_for(rule(DeadlineKind.MONTHS, 1), paris(2026, 9, 25, 2, 30), NOTHING)
        assert utc(2026, 10, 25, 0, 30) == deadline
        assert timedelta(hours=2) == local_time(deadline).utcoffset()

    def test_a_utc_start_is_counted_on_the_paris_calendar(self) -> None:
        """Given 30 April 2026 22:30 UTC (1 May 00:30 in Paris), then 1 June 00:30 Paris (31 May 22:30 UTC).

        Counting on the UTC calendar would give 30 May: the Paris date is the one that counts.
        """
        deadline = deadline_for(rule(DeadlineKind.MONTHS, 1), utc(2026, 4, 30, 22, 30), NOTHING)
        assert utc(2026, 5, 31, 22, 30) == deadline

    def test_a_new_york_start_is_counted_on_the_paris_calendar(self) -> None:
        """Given 31 January 2026 20:00 in New York (1 February 02:00 Paris), then 1 March 02:00 Paris."""
        start = datetime(2026, 1, 31, 20, tzinfo=NEW_YORK)
        deadline = deadline_for(rule(DeadlineKind.MONTHS, 1), start, NOTHING)
        assert paris(2026, 3, 1, 2) == deadline

    # hypothesis bounds are naive by its API; the zone is given apart.
    @given(st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1), timezones=st.just(PARIS)))  # noqa: DTZ001
    def test_the_paris_date_is_the_same_day_next_month_or_its_last_day(self, start: datetime) -> None:
        """Given any Paris start, then the deadline falls in the next month, on the same day or the month's last."""
        local_start = local_time(start)
        local_deadline = local_time(deadline_for(rule(DeadlineKind.MONTHS, 1), start, NOTHING))
        next_month = (local_start.year * 12 + local_start.month) % 12 + 1
        assert next_month == local_deadline.month
        if local_deadline.day != local_start.day:
            assert local_start.day > 28
            assert (local_deadline + timedelta(days=1)).month != local_deadline.month


class TestNaiveTimes:
    """A time without a zone is ambiguous: refused."""

    def test_a_naive_start_is_refused(self) -> None:
        """Given a naive start, when a deadline is asked, then ValueError naming the start."""
        with pytest.raises(ValueError, match="start must carry a time zone"):
            deadline_for(rule(DeadlineKind.HOURS, 1), datetime(2026, 3, 27, 10), NOTHING)  # noqa: DTZ001

    def test_local_time_refuses_a_naive_time_and_converts_an_aware_one(self) -> None:
        """Given 29 March 2026 01:00 UTC, then 03:00 CEST in Paris; a naive time is refused."""
        assert (2026, 3, 29, 3) == local_time(utc(2026, 3, 29, 1)).timetuple()[:4]
        with pytest.raises(ValueError, match="naive"):
            local_time(datetime(2026, 3, 29, 1))  # noqa: DTZ001
