"""The demo group's continuity model (declarative data): the row types, the teams and the backups.

The GHT's data centre in Valbrise runs the shared information system: two domain controllers, the
VMware cluster on a NetApp SAN, the SQL cluster, Veeam. The model carries the weaknesses a CaRE
domain-2 audit usually finds:

- the Veeam console trusts the production directory, without MFA, and cannot be cut off; the
  immutable vault (object lock + tapes) is done right but protects only the core systems;
- most critical applications have a weekly tape or an immutable copy, but the delivery-room
  partogram, the anaesthesia record, the pharmacy cabinets and Montbrézin's emergency laboratory
  are backed up online only (a ransomware that destroys online backups makes their loss unbounded);
- the laboratory system is backed up once a night while the laboratory tolerates four hours of loss;
- restore tests: some recent, some older than twelve months, one failed (PACS), many never done.

The rest of the data: :mod:`~hygie.demo.continuity_components` (what recovers),
:mod:`~hygie.demo.continuity_impacts` (business-impact analyses),
:mod:`~hygie.demo.continuity_governance` (scenarios, programmes, exercises). Dates are days before
the load so the demo never ages. Names of things are French (as in the inventory); descriptions
are English like the rest of the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BACKUP_PROFILES",
    "BACKUP_SYSTEMS",
    "CDP_SITE",
    "DC_SITE",
    "EPSM_SITE",
    "MBZ_SITE",
    "MOTHER_CHILD_SITE",
    "RESTORE_EXERCISE",
    "TEAMS",
    "TIL_SITE",
    "ActivityImpactSpec",
    "BackupProfile",
    "BackupSystemSpec",
    "ComponentSpec",
    "CopySpec",
    "DegradedModeSpec",
    "ExerciseSpec",
    "ExtraActivitySpec",
    "ProgrammeSpec",
    "RestoreTestSpec",
    "ScenarioSpec",
    "TeamSpec",
]


@dataclass(frozen=True)
class TeamSpec:
    """A recovery team owned by ``owner_key`` (``group`` or an establishment key)."""

    key: str
    owner_key: str
    name: str
    capacity: int
    members: str = ""


@dataclass(frozen=True)
class BackupSystemSpec:
    """A backup infrastructure and how well it resists an attacker holding the production directory."""

    key: str
    owner_key: str
    name: str
    product: str
    authentication: str
    mfa: bool
    isolation: bool
    supervised: bool
    central_alerts: bool
    failure_procedure: str = ""


@dataclass(frozen=True)
class CopySpec:
    """One copy of a backup; ``frequency_h`` None: refreshed with every backup."""

    medium: str
    site: str
    online: bool = True
    immutable: bool = False
    encrypted: bool = False
    frequency_h: float | None = None


@dataclass(frozen=True)
class BackupProfile:
    """A backup plan shape shared by several components."""

    system: str  # BackupSystemSpec.key
    method: str
    frequency_h: float
    retention_days: int
    copies: tuple[CopySpec, ...]
    covered_by_contract: bool = False


@dataclass(frozen=True)
class RestoreTestSpec:
    """A restore test ``days_ago`` days before the load; ``exercise`` names an exercise by title."""

    days_ago: int
    success: bool
    duration_h: float | None
    to_production: bool = False
    functional_check_by: str = ""
    exercise: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ComponentSpec:
    """A recovery component.

    ``application`` names the inventory application it is (empty for pure infrastructure);
    ``assets`` are host-name selectors ``PREFIX-CODE:count`` (the first ``count`` assets of that
    name, in name order) — when empty, an application component runs on its application's assets.
    ``depends_on`` names components; application components also depend on the components of
    their inventory application's dependencies (see the seed).
    """

    name: str
    owner_key: str
    kind: str
    category: str
    platform: str
    team: str  # TeamSpec.key
    site: str
    application: str = ""
    assets: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    critical: bool = False
    restore_h: float | None = None
    data_gb: float | None = None
    throughput_gb_h: float | None = None
    setup_h: float | None = None
    rebuild_h: float | None = None
    backup: str = ""  # BackupProfile key; empty: no backup plan
    tests: tuple[RestoreTestSpec, ...] = ()
    runbook: str = ""


@dataclass(frozen=True)
class DegradedModeSpec:
    """A degraded-mode procedure and how long it can hold."""

    name: str
    hold_h: float
    procedure: str
    owner: str = ""
    tested_days_ago: int | None = None


@dataclass(frozen=True)
class ActivityImpactSpec:
    """The BIA of an inventory activity: its kind, the grid (a ``GRIDS`` key) and its degraded modes."""

    activity: str
    kind: str
    grid: str
    assessed_by: str
    degraded_modes: tuple[DegradedModeSpec, ...] = ()
    extra_needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraActivitySpec:
    """An administrative process the inventory does not list yet (payroll), added with its BIA."""

    name: str
    owner_key: str
    patient_impact: int
    max_downtime_hours: int
    applications: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class ScenarioSpec:
    """A recovery scenario owned by ``owner_key``."""

    owner_key: str
    name: str
    description: str
    lost: tuple[str, ...] = ()
    outages: dict[str, float] = field(default_factory=dict)
    online_backups_destroyed: bool = False


@dataclass(frozen=True)
class ExerciseSpec:
    """An exercise; ``days`` is negative in the past (held) and positive in the future (planned)."""

    owner_key: str
    kind: str
    title: str
    status: str
    days: int
    scenario: str
    participants: str
    entities: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    timings: tuple[dict[str, Any], ...] = ()
    lessons: str = ""
    actions: tuple[tuple[str, str, int], ...] = ()  # (title, severity, due in days)


@dataclass(frozen=True)
class ProgrammeSpec:
    """The continuity governance of a node."""

    owner_key: str
    plan_owner: str
    policy_signed_days_ago: int | None
    policy_reviewed_days_ago: int | None
    backup_policy_days_ago: int | None
    plan_blanc_covers_cyber: bool
    business_referent: str
    organisation: str
    governance: str
    crisis_procedures: str


# --- Teams and backup systems -------------------------------------------------------------------

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("infra", "group", "Équipe infrastructure du GHT", 2, "4 system and network engineers, on call 24/7"),
    TeamSpec("apps", "group", "Équipe applications du GHT", 2, "6 application engineers, business hours + on call"),
    TeamSpec("vendor", "group", "Éditeurs et hébergeurs (SaaS, HDS)", 4, "Vendors' support under contract"),
    TeamSpec("mbz", "general", "Informatique de proximité Montbrézin", 1, "2 technicians"),
    TeamSpec("epsm", "psychiatry", "Informatique de l'EPSM", 1, "1 technician, the GHT's team as back-up"),
    TeamSpec("clinic", "clinic", "Infogérant HDS de la clinique", 2, "Outsourced operations under an HDS contract"),
)

_VEEAM, _VAULT, _PAYROLL_HOST, _CLINIC = "veeam", "vault", "payroll_host", "clinic"

BACKUP_SYSTEMS: tuple[BackupSystemSpec, ...] = (
    BackupSystemSpec(
        _VEEAM,
        "group",
        "Veeam du GHT",
        "Veeam Backup & Replication 12.1",
        "production_directory",
        mfa=False,
        isolation=False,
        supervised=True,
        central_alerts=False,
        failure_procedure="Failed jobs are e-mailed to the infrastructure team and retried the next night.",
    ),
    BackupSystemSpec(
        _VAULT,
        "group",
        "Coffre de sauvegarde immuable (objet + LTO)",
        "S3 object lock + HPE StoreEver MSL3040",
        "local_accounts",
        mfa=True,
        isolation=True,
        supervised=True,
        central_alerts=True,
        failure_procedure="Alerts reach the GHT's security officer; a missed copy is redone the same day.",
    ),
    BackupSystemSpec(
        _CLINIC,
        "clinic",
        "Sauvegardes de l'hébergeur HDS",
        "Provider's backup service",
        "dedicated_directory",
        mfa=True,
        isolation=True,
        supervised=True,
        central_alerts=True,
        failure_procedure="The provider reports failures monthly under its HDS contract.",
    ),
    BackupSystemSpec(
        _PAYROLL_HOST,
        "group",
        "Sauvegardes de l'hébergeur de la paie",
        "Provider's backup service",
        "dedicated_directory",
        mfa=True,
        isolation=False,
        supervised=True,
        central_alerts=False,
        failure_procedure="The provider's monthly report lists failed backups.",
    ),
)

DC_SITE, MOTHER_CHILD_SITE = "VBR-DC", "VBR-Mère-enfant"
MBZ_SITE, EPSM_SITE, TIL_SITE, CDP_SITE = "MBZ-Principal", "EPSM-Chaselles", "TIL-Site", "CDP-Site"
#: The exercise during which the patient record was restored to production.
RESTORE_EXERCISE = "Restore test of the patient record to production"
_DC, _MERE, _MBZ = DC_SITE, MOTHER_CHILD_SITE, MBZ_SITE

BACKUP_PROFILES: dict[str, BackupProfile] = {
    # Done right: hourly to disk, a daily immutable copy off the data centre, weekly tapes in a safe.
    "vault_hourly": BackupProfile(
        _VAULT,
        "incremental",
        1,
        35,
        (
            CopySpec("disk", _DC, encrypted=True),
            CopySpec("object", _MBZ, immutable=True, encrypted=True, frequency_h=24),
            CopySpec("tape", _MBZ, online=False, encrypted=True, frequency_h=168),
        ),
    ),
    "vault": BackupProfile(
        _VAULT,
        "incremental",
        4,
        35,
        (
            CopySpec("disk", _DC, encrypted=True),
            CopySpec("object", _MBZ, immutable=True, encrypted=True),
        ),
    ),
    # The common case: Veeam incrementals every four hours, a weekly tape taken off site.
    "veeam_tape": BackupProfile(
        _VEEAM,
        "incremental",
        4,
        30,
        (
            CopySpec("disk", _DC),
            CopySpec("tape", _MBZ, online=False, frequency_h=168),
        ),
    ),
    # Nightly only: enough for administrative data, not for a laboratory that tolerates 4 hours of loss.
    "veeam_nightly": BackupProfile(
        _VEEAM,
        "full",
        24,
        30,
        (
            CopySpec("disk", _DC),
            CopySpec("tape", _MBZ, online=False, frequency_h=168),
        ),
    ),
    # The weakness: two online copies (the second on the mother-and-child site), nothing offline.
    "veeam_online": BackupProfile(
        _VEEAM,
        "incremental",
        4,
        14,
        (
            CopySpec("disk", _DC),
            CopySpec("nas", _MERE),
        ),
    ),
    "veeam_local": BackupProfile(_VEEAM, "full", 24, 14, (CopySpec("nas", _MBZ),)),
    # SaaS: the vendor's backups under contract, and a monthly export kept offline by the GHT.
    "saas": BackupProfile(
        _VEEAM,
        "saas_export",
        24,
        30,
        (
            CopySpec("cloud", "Vendor", encrypted=True),
            CopySpec("removable", _DC, online=False, encrypted=True, frequency_h=720),
        ),
        covered_by_contract=True,
    ),
    "hds": BackupProfile(
        _CLINIC,
        "incremental",
        4,
        30,
        (
            CopySpec("disk", "HDS provider", encrypted=True),
            CopySpec("object", "HDS provider (second site)", immutable=True, encrypted=True, frequency_h=24),
        ),
        covered_by_contract=True,
    ),
    "payroll_hds": BackupProfile(
        _PAYROLL_HOST,
        "incremental",
        4,
        30,
        (
            CopySpec("disk", "Payroll host", encrypted=True),
            CopySpec("object", "Payroll host (second site)", immutable=True, encrypted=True, frequency_h=24),
        ),
        covered_by_contract=True,
    ),
}
