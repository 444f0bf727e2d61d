"""Clocks of one incident: start, deadline, state at a fixed moment, and provisional starts of chained rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hygie.engines.incidents import (
    PARIS,
    Clock,
    ClockState,
    Deadline,
    DeadlineKind,
    Fact,
    ObligationRule,
    RuleSet,
    Situation,
    clocks,
    shipped_rules,
)

#: Friday 27 March 2026 10:00 in Paris (CET), 09:00 UTC: two days before the spring change. Kept in
#: UTC because Python adds a timedelta to a zoned datetime on its wall clock, not in elapsed time.
AWARE = datetime(2026, 3, 27, 10, tzinfo=PARIS).astimezone(UTC)
NIS2 = Situation(frozenset({Fact.NIS2_ENTITY, Fact.SIGNIFICANT}))


def by_id(found: list[Clock]) -> dict[str, Clock]:
    """The clocks keyed by rule id."""
    return {clock.rule.id: clock for clock in found}


def nis2_clocks(now: datetime, **done: datetime) -> dict[str, Clock]:
    """The shipped NIS2 clocks of an incident known at :data:`AWARE`, at ``now``."""
    return by_id(clocks(shipped_rules(), NIS2, AWARE, done, now))


def hours(value: float) -> timedelta:
    """``value`` hours."""
    return timedelta(hours=value)


class TestStates:
    """Due, overdue, done and done late, at fixed moments."""

    def test_one_hour_after_awareness_every_clock_is_due(self) -> None:
        """Given an hour since awareness and nothing done, then the three NIS2 clocks are due, in rule order."""
        now = AWARE + hours(1)
        found = clocks(shipped_rules(), NIS2, AWARE, {}, now)
        assert ["nis2_early_warning", "nis2_notification", "nis2_final_report"] == [c.rule.id for c in found]
        assert [ClockState.DUE] * 3 == [clock.state for clock in found]
        assert hours(23) == found[0].remaining(now)
        assert datetime(2026, 3, 27, 9, tzinfo=UTC) == found[0].starts_at

    def test_after_its_deadline_an_open_clock_is_overdue_with_negative_time_left(self) -> None:
        """Given 25 h since awareness, then the early warning is overdue by 1 h and the notification still due."""
        now = AWARE + hours(25)
        found = nis2_clocks(now)
        assert ClockState.OVERDUE == found["nis2_early_warning"].state
        assert -hours(1) == found["nis2_early_warning"].remaining(now)
        assert ClockState.DUE == found["nis2_notification"].state

    def test_at_the_exact_deadline_a_clock_is_still_due(self) -> None:
        """Given now equal to the deadline, then the clock is due with nothing left, not overdue."""
        now = AWARE + hours(24)
        clock = nis2_clocks(now)["nis2_early_warning"]
        assert (ClockState.DUE, timedelta(0)) == (clock.state, clock.remaining(now))

    def test_done_by_the_deadline_is_done_and_keeps_its_margin(self) -> None:
        """Given the early warning sent 3 h after awareness, then done, with 21 h to spare whatever now."""
        sent = AWARE + hours(3)
        clock = nis2_clocks(AWARE + hours(200), nis2_early_warning=sent)["nis2_early_warning"]
        assert (ClockState.DONE, sent) == (clock.state, clock.done_at)
        assert hours(21) == clock.remaining(AWARE + hours(500))

    def test_done_after_the_deadline_is_done_late(self) -> None:
        """Given the notification sent 80 h after awareness (deadline 72 h), then done late by 8 h."""
        sent = AWARE + hours(80)
        clock = nis2_clocks(AWARE + hours(90), nis2_notification=sent)["nis2_notification"]
        assert ClockState.DONE_LATE == clock.state
        assert -hours(8) == clock.remaining(AWARE + hours(90))

    def test_done_exactly_at_the_deadline_is_on_time(self) -> None:
        """Given the early warning sent at the 24th hour, then done (not late)."""
        clock = nis2_clocks(AWARE + hours(30), nis2_early_warning=AWARE + hours(24))["nis2_early_warning"]
        assert ClockState.DONE == clock.state

    def test_done_before_awareness_was_recorded_counts_as_done(self) -> None:
        """Given an early warning sent 2 h before the recorded awareness, then it is done."""
        clock = nis2_clocks(AWARE + hours(1), nis2_early_warning=AWARE - hours(2))["nis2_early_warning"]
        assert ClockState.DONE == clock.state

    def test_the_insurer_clock_follows_the_policy(self) -> None:
        """Given an insured establishment whose policy gives 48 h, then the insurer clock ends 48 h later."""
        insured = Situation(frozenset({Fact.INSURED}), insurer_notice_hours=48)
        found = by_id(clocks(shipped_rules(), insured, AWARE, {}, AWARE))
        assert AWARE + hours(48) == found["insurer"].deadline

    def test_done_times_of_rules_that_do_not_apply_are_ignored(self) -> None:
        """Given done times for the CNIL and an unknown rule in a NIS2-only incident, then only NIS2 clocks."""
        found = clocks(shipped_rules(), NIS2, AWARE, {"cnil": AWARE, "nope": AWARE}, AWARE)
        assert 3 == len(found)

    def test_clocks_are_in_utc(self) -> None:
        """Given a Paris awareness time, then starts and deadlines are UTC-aware."""
        for clock in clocks(shipped_rules(), NIS2, AWARE, {}, AWARE):
            assert (UTC, UTC) == (clock.starts_at.tzinfo, clock.deadline.tzinfo)


class TestChainedStarts:
    """The NIS2 final report starts from the notification: provisionally from its deadline until it is sent."""

    def test_the_final_report_starts_provisionally_at_the_notification_deadline(self) -> None:
        """Given the notification not sent, then the final report starts provisionally at its deadline.

        That is 30 March 11:00 CEST; it ends one calendar month later on the Paris wall clock (30 April 11:00).
        """
        clock = nis2_clocks(AWARE + hours(1))["nis2_final_report"]
        assert datetime(2026, 3, 30, 11, tzinfo=PARIS) == clock.starts_at
        assert datetime(2026, 4, 30, 11, tzinfo=PARIS) == clock.deadline
        assert clock.provisional

    def test_once_the_notification_is_sent_the_final_report_starts_then(self) -> None:
        """Given the notification sent on 29 March 2026 10:00 CEST, then the final report starts then, for real.

        It ends 29 April 10:00 CEST.
        """
        sent = datetime(2026, 3, 29, 10, tzinfo=PARIS).astimezone(UTC)
        clock = nis2_clocks(sent + hours(1), nis2_notification=sent)["nis2_final_report"]
        assert (sent, False) == (clock.starts_at, clock.provisional)
        assert datetime(2026, 4, 29, 10, tzinfo=PARIS) == clock.deadline
        assert ClockState.DUE == clock.state

    def test_a_late_notification_moves_the_final_report_later(self) -> None:
        """Given the notification sent 80 h after awareness, then the final report starts at that moment."""
        sent = AWARE + hours(80)
        clock = nis2_clocks(sent, nis2_notification=sent)["nis2_final_report"]
        assert sent == clock.starts_at

    def test_provisional_starts_follow_a_longer_chain(self) -> None:
        """Given a -> b -> c, then b and c are provisional until a is done; c until b is done too."""
        rules = RuleSet(
            (
                ObligationRule("a", "anssi", "A", "A", "x", "x", Deadline(DeadlineKind.HOURS, 10), order=0),
                ObligationRule("b", "anssi", "B", "B", "x", "x", Deadline(DeadlineKind.HOURS, 10), "a", order=1),
                ObligationRule("c", "anssi", "C", "C", "x", "x", Deadline(DeadlineKind.HOURS, 10), "b", order=2),
            )
        )
        nothing = Situation(frozenset())

        def state(**done: datetime) -> list[tuple[datetime, bool]]:
            return [(c.starts_at, c.provisional) for c in clocks(rules, nothing, AWARE, done, AWARE)]

        assert [(AWARE, False), (AWARE + hours(10), True), (AWARE + hours(20), True)] == state()
        a_done = AWARE + hours(2)
        assert [(AWARE, False), (a_done, False), (a_done + hours(10), True)] == state(a=a_done)
        b_done = AWARE + hours(5)
        assert [(AWARE, False), (a_done, False), (b_done, False)] == state(a=a_done, b=b_done)


class TestNaiveTimes:
    """Every time given to the engine must carry its zone."""

    @pytest.mark.parametrize("which", ["aware_at", "now", "done"])
    def test_a_naive_time_is_refused(self, which: str) -> None:
        """Given a naive awareness, now, or done time, then ValueError naming it."""
        naive = datetime(2026, 3, 27, 10)  # noqa: DTZ001
        aware_at = naive if which == "aware_at" else AWARE
        now = naive if which == "now" else AWARE
        done = {"nis2_early_warning": naive} if which == "done" else {}
        with pytest.raises(ValueError, match=which):
            clocks(shipped_rules(), NIS2, aware_at, done, now)

    def test_remaining_refuses_a_naive_now(self) -> None:
        """Given an open clock, when the time left is asked with a naive now, then ValueError."""
        clock = nis2_clocks(AWARE)["nis2_early_warning"]
        with pytest.raises(ValueError, match="now"):
            clock.remaining(datetime(2026, 3, 27, 10))  # noqa: DTZ001
