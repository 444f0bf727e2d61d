"""Obligation rules: what an incident obliges its owner to do, for whom, and by when.

A rule applies to a :class:`Situation` (facts about the owner and the incident) when every fact it
requires holds and none it excludes does. Rules are data (``obligations.yaml``); this module holds
their shape and the checks that hold whatever file they come from (unique ids, known predecessors,
no cycle through ``starts``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from hygie.engines._core.i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "AUTHORITIES",
    "AWARENESS",
    "DECLARATIONS",
    "Deadline",
    "DeadlineKind",
    "Fact",
    "ObligationRule",
    "RuleError",
    "RuleSet",
    "Situation",
]

#: Who an obligation is owed to (the platform shows these with their own labels and contact points).
AUTHORITIES = ("cert_sante", "anssi", "cnil", "police", "insurer", "ars", "data_subjects")
#: The declaration documents the platform can generate; a rule names the one that fulfils it.
DECLARATIONS = ("cert_sante", "cnil", "nis2_early_warning", "nis2_notification", "nis2_final_report", "anssi")
#: The ``starts`` of a rule whose clock starts when the owner becomes aware of the incident.
AWARENESS = "awareness"


class RuleError(ValueError):
    """A rule file or rule set is invalid; the one-line message names the file and the element."""


class Fact(StrEnum):
    """What rules test about the owner and the incident; the values are the YAML spellings."""

    HEALTH_ESTABLISHMENT = "health_establishment"  # a health or medico-social establishment
    OSE = "ose"  # operator of essential services (NIS)
    NIS2_ENTITY = "nis2_entity"  # essential or important entity under NIS2
    INSURED = "insured"  # holds a cyber insurance policy
    SIGNIFICANT = "significant"  # the incident is significant / serious
    MALICIOUS = "malicious"  # a cyber-attack, not an accidental outage
    PERSONAL_DATA_BREACH = "personal_data_breach"
    HIGH_RISK_TO_PERSONS = "high_risk_to_persons"  # GDPR art. 34: the persons concerned must be told

    @property
    def label(self) -> str:
        """The fact as a short sentence, in the current language (for forms and reports)."""
        return _FACT_LABELS[self]()


_FACT_LABELS = {
    Fact.HEALTH_ESTABLISHMENT: lambda: _("Health or medico-social establishment"),
    Fact.OSE: lambda: _("Operator of essential services (OSE)"),
    Fact.NIS2_ENTITY: lambda: _("Essential or important entity under NIS2"),
    Fact.INSURED: lambda: _("Holds a cyber insurance policy"),
    Fact.SIGNIFICANT: lambda: _("Significant or serious incident"),
    Fact.MALICIOUS: lambda: _("Cyber-attack (not an accidental outage)"),
    Fact.PERSONAL_DATA_BREACH: lambda: _("Personal data breach"),
    Fact.HIGH_RISK_TO_PERSONS: lambda: _("High risk to the persons concerned"),
}


@dataclass(frozen=True)
class Situation:
    """The facts that hold for one incident, and the insurer's notice period when the policy sets one."""

    facts: frozenset[Fact]
    insurer_notice_hours: float | None = None

    def __post_init__(self) -> None:
        # Callers build facts as sets; a frozenset keeps the situation hashable and unchanging.
        object.__setattr__(self, "facts", frozenset(Fact(fact) for fact in self.facts))
        hours = self.insurer_notice_hours
        if hours is not None and (isinstance(hours, bool) or not math.isfinite(hours) or hours <= 0):
            raise ValueError(f"insurer_notice_hours must be a positive number of hours, not {hours!r}")


class DeadlineKind(StrEnum):
    """How a deadline is counted."""

    WITHOUT_DELAY = "without_delay"  # no legal hours: ``amount`` is Hygie's operational target
    HOURS = "hours"  # elapsed hours
    MONTHS = "months"  # calendar months on the Paris wall clock
    POLICY = "policy"  # the insurance policy's notice period; ``amount`` hours when none is recorded


@dataclass(frozen=True)
class Deadline:
    """A deadline: its kind and amount (months for MONTHS, hours for every other kind)."""

    kind: DeadlineKind
    amount: float

    def __post_init__(self) -> None:
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount):
            raise ValueError(f"a deadline amount must be a number, not {amount!r}")
        if amount <= 0:
            raise ValueError(f"a deadline amount must be positive, not {amount!r}")
        if self.kind is DeadlineKind.MONTHS and amount != int(amount):
            raise ValueError(f"a deadline in months must be a whole number, not {amount!r}")

    def describe(self, situation: Situation | None = None) -> str:
        """The deadline in words, in the current language ("within 72 h", "without delay (target 24 h)")."""
        hours = f"{self.amount:g}"
        if self.kind is DeadlineKind.WITHOUT_DELAY:
            return _("without delay (target %(hours)s h)") % {"hours": hours}
        if self.kind is DeadlineKind.MONTHS:
            if self.amount == 1:
                return _("within 1 month")
            return _("within %(months)s months") % {"months": hours}
        if self.kind is DeadlineKind.POLICY:
            if situation is not None and situation.insurer_notice_hours is not None:
                return _("within %(hours)s h (insurance policy)") % {"hours": f"{situation.insurer_notice_hours:g}"}
            return _("within %(hours)s h (policy period not recorded)") % {"hours": hours}
        return _("within %(hours)s h") % {"hours": hours}


@dataclass(frozen=True)
class ObligationRule:
    """One obligation: to whom, on which legal basis, by when, from what start, in which situations."""

    id: str
    authority: str
    title: str
    title_fr: str
    basis: str
    basis_fr: str
    deadline: Deadline
    starts: str = AWARENESS  # "awareness", or the id of the rule whose completion starts this one
    requires: frozenset[Fact] = frozenset()
    excludes: frozenset[Fact] = frozenset()
    declaration: str | None = None
    order: int = 0

    def title_in(self, language: str) -> str:
        """The title in ``language`` (French for any ``fr`` variant, English otherwise)."""
        return self.title_fr if language.lower().startswith("fr") else self.title

    def basis_in(self, language: str) -> str:
        """The legal basis in ``language`` (French for any ``fr`` variant, English otherwise)."""
        return self.basis_fr if language.lower().startswith("fr") else self.basis

    def applies(self, situation: Situation) -> bool:
        """Whether every required fact holds in ``situation`` and no excluded one does."""
        return self.requires <= situation.facts and not (self.excludes & situation.facts)


@dataclass(frozen=True)
class RuleSet:
    """Rules in order, checked: unique ids, every ``starts`` names another rule, no cycle.

    ``source`` names where the rules come from in error messages (the file name for a loaded set).
    """

    rules: tuple[ObligationRule, ...]
    source: str = "rules"
    _by_id: dict[str, ObligationRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.rules, key=lambda rule: rule.order))
        check_links(ordered, self.source)
        object.__setattr__(self, "rules", ordered)
        object.__setattr__(self, "_by_id", {rule.id: rule for rule in ordered})

    def __iter__(self) -> Iterator[ObligationRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> ObligationRule:
        """The rule with id ``rule_id``; :class:`KeyError` when there is none."""
        return self._by_id[rule_id]

    def applicable(self, situation: Situation) -> list[ObligationRule]:
        """The rules that apply in ``situation``, in rule order.

        A rule that starts from another applies only when that one does too: without the
        predecessor's clock there is nothing to start it (a final report follows a notification).
        """
        chosen: dict[str, ObligationRule] = {}
        # Predecessors first, so that a chain is decided in one pass whatever the file order.
        for rule in _chain_order(self.rules):
            if rule.applies(situation) and (rule.starts == AWARENESS or rule.starts in chosen):
                chosen[rule.id] = rule
        return [rule for rule in self.rules if rule.id in chosen]


def _chain_order(rules: Sequence[ObligationRule]) -> list[ObligationRule]:
    """``rules`` with every rule after the rule it starts from (the links are known to be acyclic)."""
    by_id = {rule.id: rule for rule in rules}
    placed: dict[str, ObligationRule] = {}

    def place(rule: ObligationRule) -> None:
        if rule.id in placed:
            return
        if rule.starts != AWARENESS:
            place(by_id[rule.starts])
        placed[rule.id] = rule

    for rule in rules:
        place(rule)
    return list(placed.values())


def check_links(rules: Sequence[ObligationRule], source: str) -> None:
    """Refuse duplicate ids, a ``starts`` naming no rule, and cycles through ``starts``."""
    index: dict[str, int] = {}
    for position, rule in enumerate(rules):
        if rule.id in index:
            raise RuleError(f"{source}: rules[{position}].id: {rule.id!r} is already the id of rules[{index[rule.id]}]")
        index[rule.id] = position
    for position, rule in enumerate(rules):
        if rule.starts != AWARENESS and rule.starts not in index:
            raise RuleError(
                f"{source}: rules[{position}].starts: no rule has the id {rule.starts!r}"
                f" (use {AWARENESS!r} or the id of another rule)"
            )
    by_id = {rule.id: rule for rule in rules}
    for position, rule in enumerate(rules):
        seen = [rule.id]
        current = rule
        while current.starts != AWARENESS:
            current = by_id[current.starts]
            if current.id == rule.id:
                path = " -> ".join([*seen, current.id])
                raise RuleError(f"{source}: rules[{position}].starts: cycle {path}")
            if current.id in seen:
                break  # a cycle further up the chain, reported at one of its own rules
            seen.append(current.id)
