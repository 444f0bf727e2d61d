"""Restore test checks: a backup is only as good as its last successful restore.

Tests dated after the audit date are ignored (they have not happened yet, as far as the audit goes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import Severity
from hygie.engines.continuity.registry import CheckId, component_object, make_finding, model_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import Component, RestoreTest
    from hygie.engines.continuity.registry import AuditContext

__all__ = ["MAX_TEST_AGE_DAYS", "restore_test_failed", "restore_test_never_done", "restore_test_outdated"]

#: A successful restore test older than this (12 months) no longer proves the backups restore.
MAX_TEST_AGE_DAYS = 365


def _done(component: Component, context: AuditContext) -> list[RestoreTest]:
    """The component's restore tests up to the audit date, oldest first."""
    # The loader sorts them; a model built in code may not have.
    return sorted((test for test in component.restore_tests if test.date <= context.as_of), key=lambda t: t.date)


@model_check(
    CheckId.RESTORE_TEST_NEVER_DONE,
    title_en="Backups of a critical system never tested by a restore",
    title_fr="Sauvegardes d'un système critique jamais testées par une restauration",
    severity=Severity.MEDIUM,
    remediation=(
        "Restore this system's backups into an isolated environment, with a business referent checking the "
        "data, measure how long it takes and record the test."
    ),
    references=("care:d2.o4", "nis2:art21.2.c", "anssi:hygiene_37"),
)
def restore_test_never_done(context: AuditContext) -> list[Finding]:
    """Critical components with backups and no restore test recorded."""
    return [
        make_finding(
            CheckId.RESTORE_TEST_NEVER_DONE,
            [component_object(component)],
            {"activities": context.activity_names(component), "restore_basis": component.restore_basis},
        )
        for component in context.critical_components()
        if component.backup is not None and not _done(component, context)
    ]


@model_check(
    CheckId.RESTORE_TEST_OUTDATED,
    title_en="Last successful restore test older than 12 months",
    title_fr="Dernier test de restauration réussi datant de plus de 12 mois",
    severity=Severity.LOW,
    remediation="Run a restore test at least once a year, and after every major change of the backup system.",
    references=("care:d2.o4", "nis2:art21.2.c"),
)
def restore_test_outdated(context: AuditContext) -> list[Finding]:
    """Components whose last successful restore test is more than 365 days before the audit date."""
    findings: list[Finding] = []
    for component in context.model.components:
        successes = [test for test in _done(component, context) if test.success]
        if not successes:
            continue
        age = (context.as_of - successes[-1].date).days
        if age > MAX_TEST_AGE_DAYS:
            evidence = {"last_success": successes[-1].date.isoformat(), "age_days": age}
            findings.append(make_finding(CheckId.RESTORE_TEST_OUTDATED, [component_object(component)], evidence))
    return findings


@model_check(
    CheckId.RESTORE_TEST_FAILED,
    title_en="Last restore test failed",
    title_fr="Échec du dernier test de restauration",
    severity=Severity.HIGH,
    remediation=(
        "Find why the restore failed (missing data, keys, dependencies, procedure), fix the backup or the "
        "runbook, and test again."
    ),
    references=("care:d2.o4", "care:d2.o2.a", "nis2:art21.2.c"),
)
def restore_test_failed(context: AuditContext) -> list[Finding]:
    """Components whose most recent restore test failed."""
    findings: list[Finding] = []
    for component in context.model.components:
        tests = _done(component, context)
        if tests and not tests[-1].success:
            successes = [test for test in tests if test.success]
            evidence = {
                "last_test": tests[-1].date.isoformat(),
                "last_success": successes[-1].date.isoformat() if successes else None,
            }
            findings.append(make_finding(CheckId.RESTORE_TEST_FAILED, [component_object(component)], evidence))
    return findings
