"""Domain policy checks on hand-built domain rows; all of them are not evaluated on SharpHound data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines.directory.checks import policy
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tests.directory_builders import row, snapshot_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines.directory.snapshot import Snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)

#: A domain that passes every policy check.
GOOD: dict[str, Any] = {
    "functional_level": "2016",
    "forest_functional_level": "2016",
    "machine_account_quota": 0,
    "min_pwd_length": 14,
    "pwd_history_length": 24,
    "max_pwd_age_days": 365,
    "lockout_threshold": 10,
    "pwd_properties": 1,
    "dsheuristics": None,
    "sysvol_replication": "DFSR",
    "schema_version": 88,
}


def domains(**bad: Any) -> Snapshot:
    """Two domains: GOOD.LOCAL as above and BAD.LOCAL with ``bad`` changed."""
    good = row("domains", object_id="S-1-5-21-1-1-1", name="GOOD.LOCAL", **GOOD)
    worse = row("domains", object_id="S-1-5-21-2-2-2", name="BAD.LOCAL", **{**GOOD, **bad})
    return snapshot_of(domains=[good, worse])


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


CASES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (policy.machine_account_quota, {"machine_account_quota": 10}),
    (policy.functional_level_below_2008, {"functional_level": "2003"}),
    (policy.functional_level_below_2012r2, {"forest_functional_level": "2012"}),
    (policy.functional_level_below_2016, {"functional_level": "2012 R2"}),
    (policy.password_policy_weak, {"min_pwd_length": 8}),
    (policy.password_policy_weak, {"pwd_properties": 0}),
    (policy.password_policy_weak, {"lockout_threshold": 0}),
    (policy.password_policy_weak, {"pwd_history_length": 5}),
    (policy.policy_reversible_encryption, {"pwd_properties": 17}),
    (policy.dsheuristics_anonymous, {"dsheuristics": "0000002"}),
    (policy.dsheuristics_adminsdexmask, {"dsheuristics": "000000000100000f"}),
    (policy.sysvol_frs, {"sysvol_replication": "FRS"}),
    (policy.schema_outdated, {"schema_version": 69}),
]


@pytest.mark.parametrize(("check", "bad"), CASES)
def test_policy_check_flags_only_the_bad_domain(check: Callable[..., Any], bad: dict[str, Any]) -> None:
    """Each weakness is reported on the domain that has it, not on the good one."""
    assert names(check(domains(**bad), NOW)) == {"BAD.LOCAL"}
    assert check(domains(), NOW) == []


@pytest.mark.parametrize("check", list(dict.fromkeys(check for check, _ in CASES)))
def test_policy_check_not_evaluated_without_policy(check: Callable[..., Any]) -> None:
    """A domain row without policy columns (SharpHound) is not evaluated."""
    empty = snapshot_of(domains=[row("domains", object_id="S-1-5-21-1-1-1", name="LAB.LOCAL")])
    with pytest.raises(NotEvaluatedError):
        check(empty, NOW)


def test_functional_levels_also_read_numbers() -> None:
    """A bare msDS-Behavior-Version number is read like the level names."""
    assert names(policy.functional_level_below_2016(domains(functional_level="6"), NOW)) == {"BAD.LOCAL"}
    assert policy.functional_level_below_2016(domains(functional_level="7"), NOW) == []


def test_password_policy_evidence_lists_the_rules() -> None:
    """The evidence says which rules of the policy fail."""
    findings = policy.password_policy_weak(domains(min_pwd_length=7, lockout_threshold=0), NOW)
    assert findings[0].evidence["objects"][0]["weaknesses"] == ["minimum length below 12", "no account lockout"]


def test_corpus_functional_levels_and_policy(example: Snapshot) -> None:
    """The three example domains are at the 2016 level (``functionallevel`` of domains.json); no policy."""
    assert policy.functional_level_below_2016(example, NOW) == []
    with pytest.raises(NotEvaluatedError):
        policy.password_policy_weak(example, NOW)
