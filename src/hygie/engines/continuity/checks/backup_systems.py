"""Backup infrastructure checks (CaRE d2.o3): who administers the backups, and can they be cut off and watched.

One finding per backup system; its affected objects are the system and every component it backs up,
so that the platform shows which applications a weak console puts at risk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import AffectedObject, Severity
from hygie.engines.continuity.registry import CheckId, component_object, make_finding, model_check

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import BackupSystem
    from hygie.engines.continuity.registry import AuditContext

__all__ = [
    "backup_console_no_mfa",
    "backup_console_production_directory",
    "backup_no_isolation",
    "backup_not_supervised",
]


def _findings(
    context: AuditContext, check_id: CheckId, weak: Callable[[BackupSystem], bool], evidence_key: str
) -> list[Finding]:
    """One finding of ``check_id`` per backup system for which ``weak`` holds."""
    findings: list[Finding] = []
    for system in context.model.backup_systems.values():
        if not weak(system):
            continue
        components = [
            component
            for component in context.model.components
            if component.backup is not None and component.backup.system == system.name
        ]
        affected = [
            AffectedObject("backup_system", system.name, system.name),
            *(component_object(component) for component in components),
        ]
        evidence = {
            evidence_key: getattr(system, evidence_key),
            "components": [component.name for component in components],
            "critical_components": [component.name for component in components if component.name in context.critical],
        }
        findings.append(make_finding(check_id, affected, evidence))
    return findings


@model_check(
    CheckId.BACKUP_CONSOLE_PRODUCTION_DIRECTORY,
    title_en="Backup console authenticated by the production directory",
    title_fr="Console de sauvegarde authentifiée par l'annuaire de production",
    severity=Severity.HIGH,
    remediation=(
        "Authenticate backup administrators against a dedicated directory or local accounts, not the production "
        "Active Directory: an attacker holding the domain then holds the backups too."
    ),
    references=("care:d2.o3.a", "nis2:art21.2.c"),
)
def backup_console_production_directory(context: AuditContext) -> list[Finding]:
    """Backup systems whose administrators log in with production directory accounts."""
    return _findings(
        context,
        CheckId.BACKUP_CONSOLE_PRODUCTION_DIRECTORY,
        lambda system: system.authentication == "production_directory",
        "authentication",
    )


@model_check(
    CheckId.BACKUP_CONSOLE_NO_MFA,
    title_en="No multi-factor authentication on the backup console",
    title_fr="Pas d'authentification multifacteur sur la console de sauvegarde",
    severity=Severity.MEDIUM,
    remediation="Require multi-factor authentication for every backup administrator account.",
    references=("care:d2.o3.a", "nis2:art21.2.j"),
)
def backup_console_no_mfa(context: AuditContext) -> list[Finding]:
    """Backup systems whose console accepts a password alone."""
    return _findings(context, CheckId.BACKUP_CONSOLE_NO_MFA, lambda system: not system.mfa, "mfa")


@model_check(
    CheckId.BACKUP_NO_ISOLATION,
    title_en="Backup infrastructure cannot be isolated",
    title_fr="Infrastructure de sauvegarde sans capacité d'isolement",
    severity=Severity.MEDIUM,
    remediation=(
        'Segment the backup infrastructure and give it an isolation capability (a "red button" cutting it off '
        "the network) that the crisis procedure names."
    ),
    references=("care:d2.o3.b", "nis2:art21.2.c"),
)
def backup_no_isolation(context: AuditContext) -> list[Finding]:
    """Backup systems with no way to cut them off the network during an attack."""
    return _findings(context, CheckId.BACKUP_NO_ISOLATION, lambda system: not system.isolation, "isolation")


@model_check(
    CheckId.BACKUP_NOT_SUPERVISED,
    title_en="Backups not supervised",
    title_fr="Sauvegardes non supervisées",
    severity=Severity.MEDIUM,
    remediation=(
        "Supervise backup jobs with alerts on failure and a written procedure for failed backups (for a GHT, "
        "alerts reaching the group's central team)."
    ),
    references=("care:d2.o3.d", "nis2:art21.2.c"),
)
def backup_not_supervised(context: AuditContext) -> list[Finding]:
    """Backup systems whose failures nobody is alerted to."""
    return _findings(context, CheckId.BACKUP_NOT_SUPERVISED, lambda system: not system.supervised, "supervised")
