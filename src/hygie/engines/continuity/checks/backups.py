"""Backup plan checks: a plan for each critical system, 3-2-1 with a copy a ransomware cannot reach, RPO reachable.

A copy is **off-site** when it lies on another site than the component (than the first copy when
the component's site is not given) and **offline** when it is not online; ``survives_wipe`` (offline
or immutable) is what outlives a ransomware that destroys everything reachable online.

The 3-2-1 rule (CaRE d2.o3.c) is read the usual way, the production data being one of the three
copies: at least two backup copies, on at least two media, one of them off-site or offline. Copies
whose medium is not given do not count towards the two media.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import Severity
from hygie.engines.continuity.registry import CheckId, component_object, make_finding, model_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.continuity.model import Activity, Backup, BackupCopy, Component
    from hygie.engines.continuity.registry import AuditContext

__all__ = [
    "backup_321_not_met",
    "backup_no_offline_copy",
    "critical_without_backup",
    "rpo_unreachable",
    "rpo_unreachable_after_ransomware",
]

#: Copies the 3-2-1 rule asks for, production data included; distinct media; off-site or offline ones.
RULE_COPIES, RULE_MEDIA, RULE_OFF_SITE = 3, 2, 1


@model_check(
    CheckId.CRITICAL_WITHOUT_BACKUP,
    title_en="Critical system without a backup plan",
    title_fr="Système critique sans plan de sauvegarde",
    severity=Severity.HIGH,
    remediation=(
        "Define a backup plan (method, frequency, retention, copies) for this system, with an offline or "
        "immutable copy, and record it in the continuity model."
    ),
    references=("care:d2.o2.b", "nis2:art21.2.c", "anssi:hygiene_37"),
)
def critical_without_backup(context: AuditContext) -> list[Finding]:
    """Critical applications, and critical directories, with no backup plan.

    Infrastructure without backups (hypervisors, network, servers) is rebuilt from installation
    media by design; a directory is not: its accounts, groups and policies are the data.
    """
    return [
        make_finding(
            CheckId.CRITICAL_WITHOUT_BACKUP,
            [component_object(component)],
            {"kind": component.kind, "category": component.category, "activities": context.activity_names(component)},
        )
        for component in context.critical_components()
        if component.backup is None and (component.kind == "application" or component.category == "directory")
    ]


def _primary_site(component: Component, backup: Backup) -> str:
    return component.site or next((copy.site for copy in backup.copies if copy.site), "")


def _off_site(copy: BackupCopy, primary: str) -> bool:
    """The copy is offline, or lies on a known site other than the component's."""
    return not copy.online or bool(primary and copy.site and copy.site != primary)


@model_check(
    CheckId.BACKUP_321_NOT_MET,
    title_en="Backups of a critical system do not follow the 3-2-1 rule",
    title_fr="Sauvegardes d'un système critique non conformes à la règle 3-2-1",
    severity=Severity.MEDIUM,
    remediation=(
        "Keep three copies of the data (production included) on two different media, one of them off-site or offline."
    ),
    references=("care:d2.o3.c", "nis2:art21.2.c", "anssi:hygiene_37"),
)
def backup_321_not_met(context: AuditContext) -> list[Finding]:
    """Critical components whose backups have fewer than 2 copies (3 with production), 2 media, or no off-site copy."""
    findings: list[Finding] = []
    for component in context.critical_components():
        backup = component.backup
        if backup is None:
            continue
        primary = _primary_site(component, backup)
        copies = 1 + len(backup.copies)
        media = sorted({copy.medium.casefold() for copy in backup.copies if copy.medium})
        off_site = sum(1 for copy in backup.copies if _off_site(copy, primary))
        missing = [
            reason
            for reason, broken in (
                ("copies", copies < RULE_COPIES),
                ("media", len(media) < RULE_MEDIA),
                ("off_site", off_site < RULE_OFF_SITE),
            )
            if broken
        ]
        if missing:
            evidence = {
                "copies": copies,
                "backup_copies": len(backup.copies),
                "media": media,
                "off_site_copies": off_site,
                "missing": missing,
            }
            findings.append(make_finding(CheckId.BACKUP_321_NOT_MET, [component_object(component)], evidence))
    return findings


@model_check(
    CheckId.BACKUP_NO_OFFLINE_COPY,
    title_en="No offline or immutable backup copy of a critical system",
    title_fr="Aucune copie de sauvegarde hors ligne ou immuable d'un système critique",
    severity=Severity.HIGH,
    remediation=(
        "Add a copy that a ransomware cannot reach: offline (tape, removable disk, air-gapped vault) or "
        "immutable (WORM storage, object lock)."
    ),
    references=("care:d2.o3.c", "nis2:art21.2.c", "anssi:hygiene_37"),
)
def backup_no_offline_copy(context: AuditContext) -> list[Finding]:
    """Critical components whose every backup copy is online and mutable: a ransomware destroys them all."""
    return [
        make_finding(
            CheckId.BACKUP_NO_OFFLINE_COPY,
            [component_object(component)],
            {"backup_copies": len(component.backup.copies), "activities": context.activity_names(component)},
        )
        for component in context.critical_components()
        if component.backup is not None and not component.backup.offline
    ]


def _tightest(context: AuditContext, component: Component) -> Activity | None:
    """The activity with the smallest RPO among those that need ``component`` directly.

    Direct needs only, as in the simulation's data loss: the data an activity loses is that of the
    components it uses, not of the hypervisor or the directory under them (their loss is downtime).
    """
    users = [activity for activity in context.model.activities if component.name in activity.needs]
    return min(users, key=lambda activity: activity.rpo_h, default=None)


def _rpo_evidence(
    cycle: float | None, activity: Activity, context: AuditContext, component: Component
) -> dict[str, object]:
    return {
        "backup_cycle_h": cycle,
        "rpo_h": activity.rpo_h,
        "activity": activity.name,
        "activities": context.activity_names(component),
    }


@model_check(
    CheckId.RPO_UNREACHABLE,
    title_en="Backup frequency longer than the RPO of the activities relying on it",
    title_fr="Fréquence de sauvegarde plus longue que la PDMA des activités qui en dépendent",
    severity=Severity.MEDIUM,
    remediation=(
        "Back up at least as often as the smallest RPO of the activities relying on the system (incremental "
        "or journal backups, snapshots, replication), or revise the RPO with the business owners."
    ),
    references=("care:d2.o2.b", "nis2:art21.2.c"),
)
def rpo_unreachable(context: AuditContext) -> list[Finding]:
    """Components whose best copy in normal conditions is refreshed less often than the smallest RPO relying on it.

    The RPO is the smallest of the activities that need the component directly.
    """
    findings: list[Finding] = []
    for component in context.model.components:
        activity = _tightest(context, component)
        if component.backup is None or activity is None:
            continue
        cycle = component.backup.newest_surviving_cycle_h(online_destroyed=False)
        cycle = component.backup.frequency_h if cycle is None else cycle
        if cycle > activity.rpo_h:
            evidence = _rpo_evidence(cycle, activity, context, component)
            findings.append(make_finding(CheckId.RPO_UNREACHABLE, [component_object(component)], evidence))
    return findings


@model_check(
    CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE,
    title_en="After a ransomware, the surviving backups cannot meet the RPO",
    title_fr="Après un rançongiciel, les sauvegardes survivantes ne permettent pas de tenir la PDMA",
    severity=Severity.MEDIUM,
    remediation=(
        "Refresh the offline or immutable copy at least as often as the smallest RPO relying on the system, "
        "or agree with the business owners on the data loss a ransomware implies."
    ),
    references=("care:d2.o3.c", "care:d2.o2.b", "nis2:art21.2.c"),
)
def rpo_unreachable_after_ransomware(context: AuditContext) -> list[Finding]:
    """Components whose best offline or immutable copy is older than the smallest RPO relying on it.

    Without such a copy, no data survives a ransomware that destroys online backups: the finding is
    then raised to high severity (and ``backup_cycle_h`` is null).
    """
    findings: list[Finding] = []
    for component in context.model.components:
        activity = _tightest(context, component)
        if component.backup is None or activity is None:
            continue
        cycle = component.backup.newest_surviving_cycle_h(online_destroyed=True)
        if cycle is None or cycle > activity.rpo_h:
            evidence = {**_rpo_evidence(cycle, activity, context, component), "no_copy_survives": cycle is None}
            findings.append(
                make_finding(
                    CheckId.RPO_UNREACHABLE_AFTER_RANSOMWARE,
                    [component_object(component)],
                    evidence,
                    severity=Severity.HIGH if cycle is None else None,
                )
            )
    return findings
