"""The shipped obligation rules, one by one: which facts make each apply, its deadline, its declaration."""

from __future__ import annotations

import pytest

from hygie.engines._core import i18n
from hygie.engines.incidents import (
    AUTHORITIES,
    DECLARATIONS,
    ClockState,
    Deadline,
    DeadlineKind,
    Fact,
    Situation,
    shipped_rules,
)

F = Fact
#: rule id -> (facts it requires, deadline, authority, declaration, starts)
EXPECTED: dict[str, tuple[frozenset[Fact], Deadline, str, str | None, str]] = {
    "cert_sante": (
        frozenset({F.HEALTH_ESTABLISHMENT, F.SIGNIFICANT}),
        Deadline(DeadlineKind.WITHOUT_DELAY, 24),
        "cert_sante",
        "cert_sante",
        "awareness",
    ),
    "ars": (
        frozenset({F.HEALTH_ESTABLISHMENT, F.SIGNIFICANT}),
        Deadline(DeadlineKind.WITHOUT_DELAY, 24),
        "ars",
        None,
        "awareness",
    ),
    "anssi_ose": (
        frozenset({F.OSE, F.SIGNIFICANT}),
        Deadline(DeadlineKind.WITHOUT_DELAY, 24),
        "anssi",
        "anssi",
        "awareness",
    ),
    "nis2_early_warning": (
        frozenset({F.NIS2_ENTITY, F.SIGNIFICANT}),
        Deadline(DeadlineKind.HOURS, 24),
        "anssi",
        "nis2_early_warning",
        "awareness",
    ),
    "nis2_notification": (
        frozenset({F.NIS2_ENTITY, F.SIGNIFICANT}),
        Deadline(DeadlineKind.HOURS, 72),
        "anssi",
        "nis2_notification",
        "awareness",
    ),
    "nis2_final_report": (
        frozenset({F.NIS2_ENTITY, F.SIGNIFICANT}),
        Deadline(DeadlineKind.MONTHS, 1),
        "anssi",
        "nis2_final_report",
        "nis2_notification",
    ),
    "cnil": (
        frozenset({F.PERSONAL_DATA_BREACH}),
        Deadline(DeadlineKind.HOURS, 72),
        "cnil",
        "cnil",
        "awareness",
    ),
    "data_subjects": (
        frozenset({F.PERSONAL_DATA_BREACH, F.HIGH_RISK_TO_PERSONS}),
        Deadline(DeadlineKind.WITHOUT_DELAY, 72),
        "data_subjects",
        None,
        "awareness",
    ),
    "criminal_complaint": (
        frozenset({F.INSURED, F.MALICIOUS}),
        Deadline(DeadlineKind.HOURS, 72),
        "police",
        None,
        "awareness",
    ),
    "insurer": (
        frozenset({F.INSURED}),
        Deadline(DeadlineKind.POLICY, 120),
        "insurer",
        None,
        "awareness",
    ),
}


def applicable_ids(*facts: Fact) -> list[str]:
    """Ids of the shipped rules applicable when exactly ``facts`` hold."""
    return [rule.id for rule in shipped_rules().applicable(Situation(frozenset(facts)))]


class TestShippedRules:
    """Each shipped rule applies with exactly its facts, and not when one of them is missing."""

    def test_the_shipped_file_holds_exactly_the_ten_rules_in_order(self) -> None:
        """Given the shipped file, when it is loaded, then it holds the ten rules in the documented order."""
        assert list(EXPECTED) == [rule.id for rule in shipped_rules()]

    @pytest.mark.parametrize("rule_id", list(EXPECTED))
    def test_applies_with_exactly_its_facts(self, rule_id: str) -> None:
        """Given exactly the facts a rule requires, when rules are chosen, then the rule is among them."""
        facts = EXPECTED[rule_id][0]
        assert rule_id in applicable_ids(*facts)

    @pytest.mark.parametrize("rule_id", list(EXPECTED))
    def test_does_not_apply_when_one_required_fact_is_missing(self, rule_id: str) -> None:
        """Given every fact but one of those a rule requires (all others true), then the rule does not apply."""
        required = EXPECTED[rule_id][0]
        for missing in required:
            others = set(Fact) - {missing}
            assert rule_id not in applicable_ids(*others), missing

    @pytest.mark.parametrize("rule_id", list(EXPECTED))
    def test_deadline_authority_declaration_and_start(self, rule_id: str) -> None:
        """Given a shipped rule, then its deadline, authority, declaration and start are the documented ones."""
        rule = shipped_rules().get(rule_id)
        _, deadline, authority, declaration, starts = EXPECTED[rule_id]
        assert (deadline, authority, declaration, starts) == (
            rule.deadline,
            rule.authority,
            rule.declaration,
            rule.starts,
        )
        assert rule.authority in AUTHORITIES
        assert rule.declaration is None or rule.declaration in DECLARATIONS

    def test_a_ransomware_at_an_insured_nis2_hospital_with_a_data_breach(self) -> None:
        """Given a ransomware at an insured NIS2 hospital with patient data at high risk: all but the OSE report.

        Every rule applies except the OSE report to ANSSI, in rule order.
        """
        facts = set(Fact) - {F.OSE}
        expected = [rule_id for rule_id in EXPECTED if rule_id != "anssi_ose"]
        assert expected == applicable_ids(*facts)

    def test_an_accidental_outage_without_data_breach_needs_no_complaint(self) -> None:
        """Given an insured hospital's significant accidental outage, then CERT Santé, ARS and insurer apply."""
        assert ["cert_sante", "ars", "insurer"] == applicable_ids(
            F.HEALTH_ESTABLISHMENT, F.SIGNIFICANT, F.INSURED
        )

    def test_nothing_applies_to_a_minor_incident_of_an_uninsured_clinic(self) -> None:
        """Given a health establishment's minor incident with no other fact, then no rule applies."""
        assert [] == applicable_ids(F.HEALTH_ESTABLISHMENT)

    def test_titles_and_bases_exist_in_both_languages(self) -> None:
        """Given the shipped rules, then each has distinct English and French titles, chosen by language."""
        for rule in shipped_rules():
            assert rule.title == rule.title_in("en")
            assert rule.title_fr == rule.title_in("fr-fr")
            assert rule.title != rule.title_fr
            assert rule.basis_fr == rule.basis_in("fr")
            assert rule.basis == rule.basis_in("en-gb")


class TestLabels:
    """Facts, states and deadlines are described through the engine translator."""

    def test_labels_go_through_the_installed_translator(self) -> None:
        """Given an installed translator, when labels are read, then they are translated at that moment."""
        before = i18n._translator[0]
        try:
            i18n.set_translator(lambda message: f"<{message}>")
            assert "<Personal data breach>" == Fact.PERSONAL_DATA_BREACH.label
            assert "<within 72 h>" == shipped_rules().get("cnil").deadline.describe()
            assert "<Done late>" == ClockState.DONE_LATE.label
        finally:
            i18n.set_translator(before)
        assert "Personal data breach" == Fact.PERSONAL_DATA_BREACH.label

    def test_every_deadline_kind_is_described(self) -> None:
        """Given each kind of deadline, then its description states the amount and the policy when known."""
        assert "without delay (target 24 h)" == Deadline(DeadlineKind.WITHOUT_DELAY, 24).describe()
        assert "within 1.5 h" == Deadline(DeadlineKind.HOURS, 1.5).describe()
        assert "within 1 month" == Deadline(DeadlineKind.MONTHS, 1).describe()
        assert "within 3 months" == Deadline(DeadlineKind.MONTHS, 3).describe()
        policy = Deadline(DeadlineKind.POLICY, 120)
        assert "within 120 h (policy period not recorded)" == policy.describe()
        insured = Situation(frozenset({F.INSURED}), insurer_notice_hours=48)
        assert "within 48 h (insurance policy)" == policy.describe(insured)
