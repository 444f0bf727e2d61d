"""What recovers in the demo group (declarative data): infrastructure, then one component per application.

Every inventory application gets one recovery component; the directory, DNS/DHCP, virtualisation,
SQL and Veeam applications *are* infrastructure components. Restore times come from restore tests
(``tests``), are declared (``restore_h``), or are estimated from the data size and the restore
throughput (``data_gb``/``throughput_gb_h`` + ``setup_h``).
"""

from __future__ import annotations

from typing import Any

from hygie.demo.continuity_data import (
    CDP_SITE,
    DC_SITE,
    EPSM_SITE,
    MBZ_SITE,
    MOTHER_CHILD_SITE,
    RESTORE_EXERCISE,
    TIL_SITE,
    ComponentSpec,
    RestoreTestSpec,
)

__all__ = [
    "APPLICATION_COMPONENTS",
    "BACKUP_INFRA",
    "CDP_DIRECTORY",
    "CDP_INTERNET",
    "CDP_PLATFORM",
    "DIRECTORY",
    "DNS",
    "EPSM_HYPERVISOR",
    "HYPERVISORS",
    "INFRASTRUCTURE",
    "INTERNET",
    "MBZ_HYPERVISOR",
    "NETWORK",
    "SAN",
    "SQL",
    "TIL_INTERNET",
]

_DC, _MERE, _MBZ, _EPSM, _TIL, _CDP = DC_SITE, MOTHER_CHILD_SITE, MBZ_SITE, EPSM_SITE, TIL_SITE, CDP_SITE

NETWORK = "Cœur de réseau du data centre"
INTERNET = "Accès Internet et pare-feu du GHT"
SAN = "Stockage SAN NetApp"
HYPERVISORS = "Cluster d'hyperviseurs VMware"
DIRECTORY = "Active Directory (2 contrôleurs de domaine)"
DNS = "DNS / DHCP"
SQL = "Cluster de bases de données SQL"
BACKUP_INFRA = "Serveurs de sauvegarde Veeam"
MBZ_HYPERVISOR = "Hyperviseurs de Montbrézin"
EPSM_HYPERVISOR = "Hyperviseur de l'EPSM"
TIL_INTERNET = "Accès Internet de l'EHPAD"
CDP_PLATFORM = "Plateforme hébergée de la clinique"
CDP_DIRECTORY = "Active Directory de la clinique"
CDP_INTERNET = "Liaison vers l'hébergeur HDS"

_INF = "infrastructure"


def _infra(  # noqa: PLR0917 - a table row: its columns in order
    name: str, owner: str, category: str, platform: str, team: str, site: str, **more: Any
) -> ComponentSpec:
    return ComponentSpec(name, owner, _INF, category, platform, team, site, **more)


INFRASTRUCTURE: tuple[ComponentSpec, ...] = (
    _infra(
        NETWORK,
        "group",
        "network",
        "appliance",
        "infra",
        _DC,
        assets=("VBR-SW:4", "VBR-WLC:1"),
        critical=True,
        restore_h=4,
        runbook="Reload the core switch configurations kept in the immutable vault.",
    ),
    _infra(
        INTERNET,
        "group",
        "internet",
        "appliance",
        "infra",
        _DC,
        assets=("VBR-FW:2",),
        depends_on=(NETWORK,),
        restore_h=3,
    ),
    _infra(
        SAN,
        "group",
        "storage",
        "appliance",
        "infra",
        _DC,
        assets=("VBR-NAS:2",),
        depends_on=(NETWORK,),
        critical=True,
        restore_h=12,
        rebuild_h=48,
    ),
    _infra(
        HYPERVISORS,
        "group",
        "hypervisor",
        "other",
        "infra",
        _DC,
        application="Plateforme de virtualisation",
        assets=("VBR-ESX:8",),
        depends_on=(SAN, NETWORK),
        critical=True,
        restore_h=10,
        rebuild_h=24,
        runbook="Reinstall ESXi from the offline media, restore vCenter from its immutable configuration backup.",
    ),
    _infra(
        DIRECTORY,
        "group",
        "directory",
        "windows",
        "infra",
        _DC,
        application="Active Directory GHT",
        assets=("VBR-SRV:2",),
        depends_on=(HYPERVISORS, NETWORK),
        critical=True,
        rebuild_h=72,
        backup="vault",
        tests=(
            RestoreTestSpec(
                210,
                success=True,
                duration_h=6.0,
                to_production=True,
                functional_check_by="RSSI GHT",
                notes="Forest recovery in an isolated VLAN.",
            ),
        ),
        runbook="Restore one domain controller per domain from the vault, reset krbtgt twice, then the rest.",
    ),
    _infra(
        DNS,
        "group",
        "dns_dhcp",
        "windows",
        "infra",
        _DC,
        application="DNS / DHCP",
        depends_on=(DIRECTORY,),
        critical=True,
        restore_h=2,
        backup="vault",
    ),
    _infra(
        SQL,
        "group",
        "server",
        "windows",
        "infra",
        _DC,
        application="Cluster de bases de données SQL",
        depends_on=(HYPERVISORS, DIRECTORY, SAN),
        critical=True,
        data_gb=2400,
        throughput_gb_h=400,
        setup_h=3,
        backup="vault_hourly",
    ),
    _infra(
        BACKUP_INFRA,
        "group",
        "backup",
        "windows",
        "infra",
        _DC,
        application="Sauvegarde Veeam",
        assets=("VBR-BCK:1", "VBR-LTO:1"),
        depends_on=(DIRECTORY, NETWORK),
        critical=True,
        restore_h=6,
        rebuild_h=16,
        backup="veeam_online",
        runbook="Reinstall Veeam, import the configuration backup, rescan the repositories and the tapes.",
    ),
    _infra(
        "Coffre de sauvegarde immuable",
        "group",
        "backup",
        "linux",
        "infra",
        _MBZ,
        assets=("VBR-LTO:1",),
        depends_on=(NETWORK,),
        restore_h=8,
    ),
    _infra(
        MBZ_HYPERVISOR,
        "general",
        "hypervisor",
        "other",
        "mbz",
        _MBZ,
        assets=("MBZ-ESX:4",),
        depends_on=(NETWORK,),
        restore_h=8,
        rebuild_h=16,
    ),
    _infra(
        "Serveur de site de Montbrézin",
        "general",
        "server",
        "windows",
        "mbz",
        _MBZ,
        assets=("MBZ-SRV:1",),
        depends_on=(MBZ_HYPERVISOR, DIRECTORY),
        restore_h=4,
        backup="veeam_local",
    ),
    _infra(
        EPSM_HYPERVISOR,
        "psychiatry",
        "hypervisor",
        "other",
        "epsm",
        _EPSM,
        assets=("EPS-ESX:2",),
        depends_on=(NETWORK,),
        restore_h=6,
        rebuild_h=12,
    ),
    _infra(
        "Serveur de site de l'EPSM",
        "psychiatry",
        "server",
        "windows",
        "epsm",
        _EPSM,
        assets=("EPS-SRV:1",),
        depends_on=(EPSM_HYPERVISOR, DIRECTORY),
        restore_h=4,
        backup="veeam_tape",
    ),
    _infra(TIL_INTERNET, "nursing_home", "internet", "appliance", "infra", _TIL, assets=("TIL-FW:1",), restore_h=4),
    _infra(CDP_INTERNET, "clinic", "internet", "appliance", "clinic", _CDP, assets=("CDP-FW:1",), restore_h=4),
    _infra(
        CDP_PLATFORM,
        "clinic",
        "hypervisor",
        "other",
        "clinic",
        "HDS provider",
        assets=("CDP-ESX:2",),
        depends_on=(CDP_INTERNET,),
        critical=True,
        restore_h=8,
        backup="hds",
    ),
    _infra(
        CDP_DIRECTORY,
        "clinic",
        "directory",
        "windows",
        "clinic",
        "HDS provider",
        assets=("CDP-SRV:1",),
        depends_on=(CDP_PLATFORM,),
        critical=True,
        restore_h=5,
        backup="hds",
        tests=(
            RestoreTestSpec(
                150, success=True, duration_h=4.5, to_production=True, functional_check_by="Direction clinique"
            ),
        ),
    ),
)


def _app(
    name: str, team: str, platform: str, site: str = _DC, *, backup: str = "veeam_tape", **more: Any
) -> ComponentSpec:
    """An application component (its owner is its inventory application's owner, set by the seed)."""
    category = "saas" if platform == "saas" else "application"
    return ComponentSpec(
        name, "", "application", category, platform, team, site, application=name, backup=backup, **more
    )


_W, _L, _A, _S = "windows", "linux", "appliance", "saas"

#: One component per inventory application that is not an infrastructure component above.
APPLICATION_COMPONENTS: tuple[ComponentSpec, ...] = (
    _app("Supervision réseau et systèmes", "infra", _L, restore_h=4),
    _app("Serveur d'impression", "apps", _W, restore_h=3),
    _app(
        "Moteur d'interfaces (EAI)",
        "infra",
        _L,
        critical=True,
        backup="vault",
        restore_h=6,
        tests=(RestoreTestSpec(100, success=True, duration_h=5.0, to_production=False),),
    ),
    _app("Antivirus et EDR", "vendor", _S, backup="", restore_h=2, depends_on=(INTERNET,)),
    _app("Gestion des correctifs (WSUS)", "apps", _W, restore_h=4, backup="veeam_online"),
    _app("Portail d'accès distant fournisseurs", "apps", _W, restore_h=4),
    _app("VPN nomade", "infra", _A, restore_h=2, backup="vault", depends_on=(INTERNET,)),
    _app("Gestion des identités (IAM)", "apps", _W, restore_h=6),
    _app(
        "Dossier patient informatisé (DPI)",
        "apps",
        _W,
        critical=True,
        backup="vault_hourly",
        data_gb=1800,
        throughput_gb_h=300,
        setup_h=4,
        tests=(
            RestoreTestSpec(400, success=False, duration_h=None, notes="The database restore stopped at 70 %."),
            RestoreTestSpec(
                60,
                success=True,
                duration_h=14.0,
                to_production=True,
                functional_check_by="DIM GHT",
                exercise=RESTORE_EXERCISE,
            ),
        ),
    ),
    _app(
        "Gestion administrative du malade (GAM)",
        "apps",
        _W,
        critical=True,
        backup="vault_hourly",
        tests=(
            RestoreTestSpec(
                430, success=True, duration_h=8.0, to_production=True, functional_check_by="Bureau des entrées"
            ),
        ),
    ),
    _app("Identito-vigilance (serveur d'identités)", "apps", _W, critical=True, restore_h=4),
    _app(
        "PACS",
        "apps",
        _W,
        critical=True,
        data_gb=80000,
        throughput_gb_h=2000,
        setup_h=6,
        tests=(
            RestoreTestSpec(
                90, success=False, duration_h=None, notes="The archive restore ran out of staging space after 31 hours."
            ),
        ),
    ),
    _app("RIS", "apps", _W, restore_h=4),
    # Nightly backups while the laboratory tolerates four hours of data loss: the RPO cannot be met.
    _app("SIL – laboratoire", "apps", _W, critical=True, restore_h=6, backup="veeam_nightly"),
    _app(
        "Pharmacie – circuit du médicament",
        "apps",
        _W,
        critical=True,
        data_gb=300,
        throughput_gb_h=150,
        setup_h=3,
        tests=(RestoreTestSpec(500, success=True, duration_h=5.5),),
    ),
    _app("Armoires à pharmacie sécurisées", "apps", _W, critical=True, restore_h=3, backup="veeam_online"),
    _app(
        "Urgences – dossier des urgences",
        "apps",
        _W,
        critical=True,
        tests=(
            RestoreTestSpec(
                30,
                success=True,
                duration_h=4.5,
                to_production=True,
                functional_check_by="Pôle urgences",
                exercise=RESTORE_EXERCISE,
            ),
        ),
    ),
    _app("Bloc opératoire – planification", "apps", _W, critical=True, restore_h=4),
    _app("Anesthésie – dossier péri-opératoire", "apps", _W, critical=True, restore_h=4, backup="veeam_online"),
    _app(
        "Radiothérapie – planification des traitements",
        "apps",
        _W,
        critical=True,
        data_gb=1500,
        throughput_gb_h=300,
        setup_h=4,
        tests=(
            RestoreTestSpec(
                120, success=True, duration_h=8.5, to_production=True, functional_check_by="Physicien médical"
            ),
        ),
    ),
    _app("Chimiothérapie – prescription", "apps", _W, critical=True, restore_h=4),
    _app("Salle de naissance – partogramme", "apps", _W, _MERE, critical=True, restore_h=3, backup="veeam_online"),
    _app("Régulation et transport patients", "vendor", _S, backup="saas", restore_h=4, depends_on=(INTERNET,)),
    _app("Centrale de surveillance des moniteurs", "apps", _A, "VBR-Principal", critical=True, restore_h=6),
    _app("Gestion des pompes à perfusion", "apps", _A, "VBR-Principal", restore_h=4, backup="veeam_online"),
    _app(
        "Paie et ressources humaines",
        "vendor",
        _L,
        "Payroll host",
        backup="payroll_hds",
        restore_h=12,
        depends_on=(INTERNET,),
    ),
    _app("Gestion du temps de travail", "apps", _W, restore_h=3, backup="veeam_nightly"),
    _app("Gestion économique et financière", "apps", _W, restore_h=6, backup="veeam_nightly"),
    _app("Facturation et recouvrement", "apps", _W, restore_h=4, backup="veeam_nightly"),
    _app("Messagerie", "apps", _W, data_gb=3000, throughput_gb_h=250, setup_h=4, backup="veeam_nightly"),
    _app("Messagerie sécurisée de santé", "vendor", _S, backup="saas", restore_h=2, depends_on=(INTERNET,)),
    _app("Téléphonie IP", "infra", _L, critical=True, restore_h=6, backup="vault"),
    _app("Appel malade et DECT", "infra", _A, "VBR-Principal", restore_h=4, backup="vault"),
    _app("Gestion technique du bâtiment", "infra", _A, "VBR-Principal", restore_h=4, backup="veeam_online"),
    _app("Intranet et gestion documentaire qualité", "apps", _W, restore_h=4, backup="veeam_online"),
    _app(
        "Montbrézin – serveur de fichiers",
        "mbz",
        _W,
        _MBZ,
        backup="veeam_local",
        data_gb=4000,
        throughput_gb_h=200,
        setup_h=2,
        depends_on=(MBZ_HYPERVISOR,),
    ),
    _app(
        "Montbrézin – laboratoire d'urgence",
        "mbz",
        _W,
        _MBZ,
        critical=True,
        backup="veeam_local",
        restore_h=3,
        depends_on=(MBZ_HYPERVISOR,),
        tests=(
            RestoreTestSpec(330, success=True, duration_h=3.5, to_production=True, functional_check_by="Biologiste"),
        ),
    ),
    _app(
        "EPSM – dossier de soins psychiatriques",
        "epsm",
        _W,
        _EPSM,
        critical=True,
        restore_h=6,
        depends_on=(EPSM_HYPERVISOR,),
        tests=(RestoreTestSpec(250, success=True, duration_h=7.0, to_production=True, functional_check_by="DIM EPSM"),),
    ),
    _app(
        "EHPAD – dossier de soins résidents", "vendor", _S, _TIL, backup="saas", restore_h=6, depends_on=(TIL_INTERNET,)
    ),
    _app(
        "Clinique – dossier patient",
        "clinic",
        _W,
        "HDS provider",
        critical=True,
        backup="hds",
        restore_h=8,
        depends_on=(CDP_PLATFORM, CDP_DIRECTORY),
    ),
    _app(
        "Clinique – bloc et facturation",
        "clinic",
        _W,
        "HDS provider",
        critical=True,
        backup="hds",
        restore_h=5,
        depends_on=(CDP_PLATFORM, CDP_DIRECTORY),
    ),
)
