"""Rules and rule sets built in code: applicability, chains, ordering, and the values refused."""

from __future__ import annotations

import math

import pytest

from hygie.engines.incidents import (
    Deadline,
    DeadlineKind,
    Fact,
    ObligationRule,
    RuleError,
    RuleSet,
    Situation,
)

HOURS = Deadline(DeadlineKind.HOURS, 24)


def make(
    rule_id: str,
    starts: str = "awareness",
    order: int = 0,
    requires: frozenset[Fact] = frozenset(),
    excludes: frozenset[Fact] = frozenset(),
) -> ObligationRule:
    """A rule with id ``rule_id``, start ``starts`` and ``requires``/``excludes`` facts."""
    return ObligationRule(
        rule_id, "anssi", rule_id, rule_id, "b", "b", HOURS, starts, requires, excludes, order=order
    )


class TestApplies:
    """A rule applies when its required facts hold and none of its excluded ones does."""

    def test_excluded_facts_stop_a_rule(self) -> None:
        """Given a rule requiring insured and excluding malicious, then it applies only without malicious."""
        rule = make("r", requires=frozenset({Fact.INSURED}), excludes=frozenset({Fact.MALICIOUS}))
        assert rule.applies(Situation(frozenset({Fact.INSURED})))
        assert not rule.applies(Situation(frozenset({Fact.INSURED, Fact.MALICIOUS})))

    def test_a_rule_that_starts_from_an_inapplicable_rule_does_not_apply(self) -> None:
        """Given b starting from a, when a does not apply, then b does not either, even if its own facts hold."""
        rules = RuleSet(
            (
                make("b", "a", order=1),
                make("a", requires=frozenset({Fact.OSE}), order=0),
            )
        )
        assert [] == rules.applicable(Situation(frozenset()))
        assert ["a", "b"] == [rule.id for rule in rules.applicable(Situation(frozenset({Fact.OSE})))]

    def test_rules_are_kept_in_their_order_and_found_by_id(self) -> None:
        """Given rules out of order, then the set holds them by order; an unknown id is a KeyError."""
        rules = RuleSet((make("z", order=2), make("y", order=1)))
        assert ["y", "z"] == [rule.id for rule in rules]
        assert "z" == rules.get("z").id
        with pytest.raises(KeyError):
            rules.get("nope")


class TestLinks:
    """A rule set refuses duplicate ids, unknown starts and cycles, naming the rule at fault."""

    def test_duplicate_ids(self) -> None:
        """Given two rules with id a, then RuleError naming the second."""
        with pytest.raises(RuleError, match=r"^rules: rules\[1\]\.id: 'a' is already the id of rules\[0\]$"):
            RuleSet((make("a"), make("a", order=1)))

    def test_unknown_start(self) -> None:
        """Given a rule starting from a rule that does not exist, then RuleError naming it."""
        with pytest.raises(RuleError, match=r"rules\[0\]\.starts: no rule has the id 'ghost'"):
            RuleSet((make("a", "ghost"),))

    def test_a_rule_starting_from_itself(self) -> None:
        """Given a rule that starts from itself, then RuleError: a cycle."""
        with pytest.raises(RuleError, match=r"rules\[0\]\.starts: cycle a -> a"):
            RuleSet((make("a", "a"),))

    def test_a_longer_cycle_is_reported_at_one_of_its_rules(self) -> None:
        """Given x -> b -> c -> b, then the cycle is reported at b, not at x which only leads to it."""
        with pytest.raises(RuleError, match=r"rules\[1\]\.starts: cycle b -> c -> b"):
            RuleSet((make("x", "b", order=0), make("b", "c", order=1), make("c", "b", order=2)))


class TestValues:
    """Deadlines and situations refuse values that make no sense."""

    @pytest.mark.parametrize(
        ("kind", "amount"),
        [
            (DeadlineKind.HOURS, 0),
            (DeadlineKind.HOURS, -1),
            (DeadlineKind.HOURS, math.inf),
            (DeadlineKind.WITHOUT_DELAY, math.nan),
            (DeadlineKind.MONTHS, 1.5),
            (DeadlineKind.POLICY, True),
        ],
    )
    def test_a_deadline_refuses_an_unusable_amount(self, kind: DeadlineKind, amount: float) -> None:
        """Given a zero, negative, infinite, fractional-month or boolean amount, then ValueError."""
        with pytest.raises(ValueError, match="deadline"):
            Deadline(kind, amount)

    @pytest.mark.parametrize("hours", [0, -5, math.inf, math.nan])
    def test_a_situation_refuses_an_unusable_notice_period(self, hours: float) -> None:
        """Given an insurer notice period that is not a positive number of hours, then ValueError."""
        with pytest.raises(ValueError, match="insurer_notice_hours"):
            Situation(frozenset({Fact.INSURED}), insurer_notice_hours=hours)

    def test_a_situation_keeps_its_facts_as_a_frozenset_of_facts(self) -> None:
        """Given facts as a set of spellings, then the situation holds them as a frozenset of Fact."""
        situation = Situation({"ose", Fact.INSURED})  # type: ignore[arg-type]  # callers pass sets
        assert frozenset({Fact.OSE, Fact.INSURED}) == situation.facts
        with pytest.raises(ValueError, match="hospital"):
            Situation(frozenset({"hospital"}))  # type: ignore[arg-type]  # what a typo looks like
