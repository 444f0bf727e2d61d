"""Helpers of the continuity app's tests: a small but complete continuity model on a node.

``build_continuity(node)`` is shared by the backend, UI and demo tests: two recovery teams; a
directory, hypervisors and SAN storage; three applications linked to inventory applications;
backups with copies (one weak: the PACS has only an online copy); a restore test; two inventory
activities with their BIAs and degraded modes; two scenarios (a ransomware, a storage outage).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hygie.apps.continuity.models import (
    ActivityKind,
    Authentication,
    BackupCopy,
    BackupPlan,
    BackupSystem,
    BusinessImpact,
    Component,
    ComponentCategory,
    ComponentKind,
    DegradedMode,
    Medium,
    Platform,
    RecoveryScenario,
    RecoveryTeam,
    RestoreTest,
)
from hygie.apps.inventory.models import Application, ApplicationCategory, CareActivity

if TYPE_CHECKING:
    from hygie.apps.organizations.models import Node

__all__ = ["ADMIN_GRID", "EMERGENCY_GRID", "build_continuity", "inventory"]

#: Emergencies: serious for patients after 4 h, critical after 24 h; losing 4 h of data is serious.
#: Derived targets: MTPD 24 h, RTO 1 h, RPO 1 h, minimum service 75 %.
EMERGENCY_GRID: dict[str, Any] = {
    "impacts": {"patient_safety": [2, 3, 4, 4, 4, 4], "care_continuity": [2, 2, 3, 4, 4, 4]},
    "data_loss": [1, 3, 4, 4, 4],
}
#: Billing: significant after a day, serious after 72 h (derived RTO 24 h, RPO 24 h; the BIA sets RTO 48 h).
ADMIN_GRID: dict[str, Any] = {
    "impacts": {"finance": [0, 1, 2, 3, 3, 4], "legal": [0, 0, 1, 2, 3, 3]},
    "data_loss": [0, 1, 2, 3, 4],
}


def _component(node: Node, name: str, team: RecoveryTeam, **fields: Any) -> Component:
    depends_on = fields.pop("depends_on", [])
    component = Component.objects.create(node=node, name=name, team=team, **fields)
    component.depends_on.set(depends_on)
    return component


def inventory(node: Node) -> dict[str, Any]:
    """The inventory the model stands on: three applications, two activities that need them."""
    dpi = Application.objects.create(node=node, name="DPI", category=ApplicationCategory.PATIENT_RECORD)
    pacs = Application.objects.create(node=node, name="PACS", category=ApplicationCategory.PACS)
    admissions = Application.objects.create(node=node, name="Admissions", category=ApplicationCategory.ADMISSIONS)
    emergencies = CareActivity.objects.create(node=node, name="Emergencies")
    emergencies.applications.set([dpi, pacs])
    billing = CareActivity.objects.create(node=node, name="Billing")
    billing.applications.set([admissions])
    return {"applications": [dpi, pacs, admissions], "emergencies": emergencies, "billing": billing}


def build_continuity(node: Node) -> dict[str, Any]:
    """Create the model on ``node``; the objects by role (``team_infra``, ``directory``, ``dpi``, ...)."""
    infra = RecoveryTeam.objects.create(node=node, name="Infrastructure", capacity=2)
    apps_team = RecoveryTeam.objects.create(node=node, name="Applications", capacity=1)
    veeam = BackupSystem.objects.create(
        node=node, name="Veeam", product="Veeam B&R", authentication=Authentication.PRODUCTION_DIRECTORY
    )
    tapes = BackupSystem.objects.create(
        node=node,
        name="Tape library",
        product="LTO-9",
        authentication=Authentication.LOCAL_ACCOUNTS,
        mfa=True,
        isolation=True,
        supervised=True,
    )
    stock = inventory(node)
    app_dpi, app_pacs, app_admissions = stock["applications"]
    emergencies, billing = stock["emergencies"], stock["billing"]

    infrastructure = {"kind": ComponentKind.INFRASTRUCTURE}
    directory = _component(
        node, "Active Directory", infra, category=ComponentCategory.DIRECTORY, platform=Platform.WINDOWS,
        restore_h=6, critical=True, **infrastructure,
    )  # fmt: skip
    hypervisors = _component(
        node, "Hypervisors", infra, category=ComponentCategory.HYPERVISOR, platform=Platform.APPLIANCE,
        restore_h=4, **infrastructure,
    )  # fmt: skip
    storage = _component(
        node, "SAN storage", infra, category=ComponentCategory.STORAGE, platform=Platform.APPLIANCE,
        restore_h=3, **infrastructure,
    )  # fmt: skip
    dpi = _component(
        node, "Patient record", apps_team, application=app_dpi, platform=Platform.WINDOWS, critical=True,
        data_gb=500, throughput_gb_h=100, setup_h=2, depends_on=[directory, hypervisors, storage],
        runbook="Restore the database, then the application servers.",
    )  # fmt: skip
    pacs = _component(
        node, "PACS", apps_team, application=app_pacs, platform=Platform.LINUX, restore_h=12,
        depends_on=[hypervisors, storage],
    )  # fmt: skip
    admissions = _component(
        node, "Admissions", apps_team, application=app_admissions, platform=Platform.WINDOWS, restore_h=5,
        depends_on=[directory, hypervisors],
    )  # fmt: skip

    plans = {}
    for component, system, frequency in ((directory, veeam, 24), (dpi, veeam, 24), (pacs, veeam, 24)):
        plans[component.name] = BackupPlan.objects.create(component=component, system=system, frequency_h=frequency)
    plans["Admissions"] = BackupPlan.objects.create(component=admissions, system=veeam, frequency_h=12)
    copies = [
        BackupCopy.objects.create(plan=plans["Active Directory"], site="Main", medium=Medium.NAS),
        BackupCopy.objects.create(
            plan=plans["Active Directory"], site="Vault", medium=Medium.TAPE, online=False, frequency_h=168
        ),
        BackupCopy.objects.create(plan=plans["Patient record"], site="Main", medium=Medium.NAS, encrypted=True),
        BackupCopy.objects.create(
            plan=plans["Patient record"], site="Second site", medium=Medium.OBJECT, immutable=True, frequency_h=24
        ),
        BackupCopy.objects.create(plan=plans["PACS"], site="Main", medium=Medium.NAS),
        BackupCopy.objects.create(plan=plans["Admissions"], site="Main", medium=Medium.DISK),
    ]
    plans["Patient record"].system = tapes
    plans["Patient record"].save()
    restore_test = RestoreTest.objects.create(
        component=dpi, date=dt.date(2026, 3, 1), success=True, duration_h=7.5, to_production=True
    )

    emergency_bia = BusinessImpact.objects.create(activity=emergencies, kind=ActivityKind.CARE, grid=EMERGENCY_GRID)
    billing_bia = BusinessImpact.objects.create(
        activity=billing, kind=ActivityKind.ADMINISTRATIVE, grid=ADMIN_GRID, rto_h=48
    )
    paper = DegradedMode.objects.create(activity=emergencies, name="Paper forms", hold_h=12, procedure="Kit in A&E")
    manual = DegradedMode.objects.create(activity=billing, name="Deferred billing", hold_h=72)

    ransomware = RecoveryScenario.objects.create(
        node=node,
        name="Ransomware",
        description="Directory, Windows servers and hypervisors encrypted, online backups destroyed.",
        lost=["platform:windows", "category:hypervisor"],
        online_backups_destroyed=True,
    )
    san_failure = RecoveryScenario.objects.create(
        node=node, name="SAN failure", description="The SAN is down for two days.", outages={"SAN storage": 48}
    )
    return {
        "team_infra": infra,
        "team_apps": apps_team,
        "veeam": veeam,
        "tapes": tapes,
        "applications": [app_dpi, app_pacs, app_admissions],
        "directory": directory,
        "hypervisors": hypervisors,
        "storage": storage,
        "dpi": dpi,
        "pacs": pacs,
        "admissions": admissions,
        "plans": plans,
        "copies": copies,
        "restore_test": restore_test,
        "emergencies": emergencies,
        "billing": billing,
        "emergency_bia": emergency_bia,
        "billing_bia": billing_bia,
        "degraded_modes": [paper, manual],
        "ransomware": ransomware,
        "san_failure": san_failure,
    }
