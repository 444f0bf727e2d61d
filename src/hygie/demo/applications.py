"""Applications and care activities of the demo group (declarative data).

Shared applications belong to the group (the support hospital runs the GHT's shared information
system); local ones to their establishment. ``runs_on`` names asset host-name prefixes and codes
(``VBR-SRV``); the loader picks matching assets deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APPLICATIONS", "CARE_ACTIVITIES", "ApplicationSpec", "CareActivitySpec"]


@dataclass(frozen=True)
class ApplicationSpec:
    """One application: ``owner_key`` is ``group`` or an establishment key."""

    name: str
    category: str
    vendor: str
    version: str
    criticality: int
    hosting: str
    owner_key: str
    business_owner: str
    runs_on: tuple[str, ...] = ()  # "PREFIX-CODE:count"
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class CareActivitySpec:
    """A care activity, the applications it needs and its maximum tolerable downtime."""

    name: str
    owner_key: str
    patient_impact: int
    max_downtime_hours: int
    applications: tuple[str, ...]
    description: str = ""


_AD = "Active Directory GHT"
_DB = "Cluster de bases de données SQL"
_EAI = "Moteur d'interfaces (EAI)"
_DNS = "DNS / DHCP"
_BACKUP = "Sauvegarde Veeam"
_VPN = "VPN nomade"
_IAM = "Gestion des identités (IAM)"
_VIRT = "Plateforme de virtualisation"
_DPI = "Dossier patient informatisé (DPI)"
_GAM = "Gestion administrative du malade (GAM)"
_MAIL = "Messagerie"
_PACS = "PACS"
_RIS = "RIS"
_LIS = "SIL – laboratoire"
_PHARMA = "Pharmacie – circuit du médicament"

APPLICATIONS: tuple[ApplicationSpec, ...] = (
    # Infrastructure services of the shared IS.
    ApplicationSpec(_AD, "infrastructure", "Microsoft", "2019", 4, "group", "group", "DSI GHT",
                    ("VBR-SRV:4",), (_DNS,)),
    ApplicationSpec(_DNS, "infrastructure", "Microsoft", "2019", 4, "group", "group", "DSI GHT", ("VBR-SRV:2",)),
    ApplicationSpec(_VIRT, "infrastructure", "VMware", "vSphere 7", 4, "group", "group", "DSI GHT",
                    ("VBR-ESX:6",)),
    ApplicationSpec(_DB, "infrastructure", "Microsoft", "SQL Server 2019", 4, "group", "group", "DSI GHT",
                    ("VBR-SRV:3",), (_VIRT, _AD)),
    ApplicationSpec(_BACKUP, "infrastructure", "Veeam", "12.1", 4, "group", "group", "DSI GHT",
                    ("VBR-BCK:1", "VBR-NAS:1", "VBR-LTO:1"), (_AD,)),
    ApplicationSpec(_VPN, "infrastructure", "Fortinet", "FortiClient EMS 7.2", 3, "group", "group", "RSSI GHT",
                    ("VBR-VPN:1",), (_AD,)),
    ApplicationSpec(_IAM, "infrastructure", "Evidian", "10", 3, "group", "group", "RSSI GHT", ("VBR-SRV:2",),
                    (_AD, _DB)),
    ApplicationSpec("Supervision réseau et systèmes", "infrastructure", "Centreon", "23.10", 2, "group", "group",
                    "DSI GHT", ("VBR-LNX:2",)),
    ApplicationSpec("Serveur d'impression", "infrastructure", "PaperCut", "22", 1, "on_premise", "group", "DSI GHT",
                    ("VBR-SRV:1",), (_AD,)),
    ApplicationSpec(_EAI, "infrastructure", "InterSystems", "IRIS for Health 2023.1", 4, "group", "group",
                    "DSI GHT", ("VBR-LNX:2",), (_DB,)),
    ApplicationSpec("Antivirus et EDR", "infrastructure", "Microsoft", "Defender for Endpoint", 3, "saas", "group",
                    "RSSI GHT", (), (_AD,)),
    ApplicationSpec("Gestion des correctifs (WSUS)", "infrastructure", "Microsoft", "2019", 2, "group", "group",
                    "DSI GHT", ("VBR-SRV:1",), (_AD,)),
    ApplicationSpec("Portail d'accès distant fournisseurs", "infrastructure", "Systancia", "Gate 6", 3, "group",
                    "group", "RSSI GHT", ("VBR-SRV:1",), (_AD, _VPN)),
    # Care applications of the shared IS.
    ApplicationSpec(_DPI, "patient_record", "Éditeur DPI (fictif)", "2024.2", 4, "group", "group",
                    "DIM GHT", ("VBR-SRV:6",), (_AD, _DB, _EAI, _IAM)),
    ApplicationSpec(_GAM, "admissions", "Éditeur GAM (fictif)", "9.4", 4, "group", "group", "Direction des finances",
                    ("VBR-SRV:3",), (_AD, _DB, _EAI)),
    ApplicationSpec("Identito-vigilance (serveur d'identités)", "admissions", "Éditeur IDV (fictif)", "5.1", 4,
                    "group", "group", "Cellule d'identito-vigilance", ("VBR-SRV:1",), (_DB, _EAI)),
    ApplicationSpec(_PACS, "pacs", "Fujifilm", "Synapse 7", 4, "group", "group", "Pôle imagerie",
                    ("VBR-SRV:4", "VBR-NAS:1"), (_AD, _DB)),
    ApplicationSpec(_RIS, "pacs", "Éditeur RIS (fictif)", "6.2", 3, "group", "group", "Pôle imagerie",
                    ("VBR-SRV:2",), (_PACS, _GAM, _EAI)),
    ApplicationSpec(_LIS, "lis", "Éditeur SIL (fictif)", "4.8", 4, "group", "group", "Laboratoire",
                    ("VBR-SRV:2",), (_DB, _EAI, _GAM)),
    ApplicationSpec(_PHARMA, "pharmacy", "Éditeur pharmacie (fictif)", "3.9", 4, "group", "group", "Pharmacie",
                    ("VBR-SRV:2",), (_DPI, _DB)),
    ApplicationSpec("Armoires à pharmacie sécurisées", "pharmacy", "Omnicell", "XT", 3, "on_premise", "support",
                    "Pharmacie", ("VBR-SRV:1",), (_PHARMA,)),
    ApplicationSpec("Urgences – dossier des urgences", "emergency", "Éditeur urgences (fictif)", "2.7", 4, "group",
                    "group", "Pôle urgences", ("VBR-SRV:2",), (_DPI, _GAM)),
    ApplicationSpec("Bloc opératoire – planification", "surgery", "Éditeur bloc (fictif)", "8.0", 4, "group",
                    "group", "Pôle chirurgie", ("VBR-SRV:2",), (_DPI, _GAM)),
    ApplicationSpec("Anesthésie – dossier péri-opératoire", "surgery", "Éditeur anesthésie (fictif)", "5.5", 4,
                    "on_premise", "support", "Pôle chirurgie", ("VBR-SRV:1",), (_DPI,)),
    ApplicationSpec("Radiothérapie – planification des traitements", "other", "Éditeur TPS (fictif)", "16.1", 4,
                    "on_premise", "support", "Radiothérapie", ("VBR-SRV:2",), (_DPI, _PACS)),
    ApplicationSpec("Chimiothérapie – prescription", "pharmacy", "Éditeur chimio (fictif)", "6.0", 4, "group",
                    "support", "Oncologie", ("VBR-SRV:1",), (_DPI, _PHARMA)),
    ApplicationSpec("Salle de naissance – partogramme", "patient_record", "Éditeur obstétrique (fictif)", "4.1", 4,
                    "on_premise", "support", "Pôle mère-enfant", ("VBR-SRV:1",), (_DPI,)),
    ApplicationSpec("Régulation et transport patients", "emergency", "Éditeur brancardage (fictif)", "2.2", 2,
                    "saas", "support", "Logistique", (), (_GAM,)),
    ApplicationSpec("Centrale de surveillance des moniteurs", "other", "Philips", "PIC iX 4.1", 4, "on_premise",
                    "support", "Biomédical", ("VBR-MON:6",), (_DPI,)),
    ApplicationSpec("Gestion des pompes à perfusion", "other", "B. Braun", "OnlineSuite 3", 3, "on_premise",
                    "support", "Biomédical", ("VBR-PSE:8",), ()),
    # Administrative applications.
    ApplicationSpec("Paie et ressources humaines", "payroll", "Éditeur RH (fictif)", "2023", 3, "hds", "group",
                    "Direction des ressources humaines", ("VBR-SRV:2",), (_AD, _DB)),
    ApplicationSpec("Gestion du temps de travail", "payroll", "Éditeur GTT (fictif)", "7.3", 2, "group", "group",
                    "Direction des ressources humaines", ("VBR-SRV:1",), (_AD,)),
    ApplicationSpec("Gestion économique et financière", "finance", "Éditeur GEF (fictif)", "11", 3, "group", "group",
                    "Direction des finances", ("VBR-SRV:2",), (_AD, _DB)),
    ApplicationSpec("Facturation et recouvrement", "admissions", "Éditeur facturation (fictif)", "5.0", 3, "group",
                    "group", "Direction des finances", ("VBR-SRV:1",), (_GAM, _DB)),
    ApplicationSpec(_MAIL, "email", "Microsoft", "Exchange Server 2019", 3, "group", "group", "DSI GHT",
                    ("VBR-SRV:3",), (_AD, _DNS)),
    ApplicationSpec("Messagerie sécurisée de santé", "email", "Éditeur MSSanté (fictif)", "3", 3, "saas", "group",
                    "DSI GHT", (), (_MAIL,)),
    ApplicationSpec("Téléphonie IP", "telephony", "Alcatel-Lucent Enterprise", "OmniPCX 12", 4, "on_premise",
                    "group", "Services techniques", ("VBR-SRV:2",), (_DNS,)),
    ApplicationSpec("Appel malade et DECT", "telephony", "Ascom", "Unite 6", 3, "on_premise", "support",
                    "Services techniques", ("VBR-SRV:1",), ("Téléphonie IP",)),
    ApplicationSpec("Gestion technique du bâtiment", "other", "Schneider Electric", "EBO 4.0", 2, "on_premise",
                    "support", "Services techniques", ("VBR-GTB:3",), ()),
    ApplicationSpec("Intranet et gestion documentaire qualité", "other", "Éditeur GED (fictif)", "9", 1, "group",
                    "group", "Direction qualité", ("VBR-SRV:1",), (_AD,)),
    # Local applications of the other establishments.
    ApplicationSpec("Montbrézin – serveur de fichiers", "infrastructure", "Microsoft", "2016", 2, "on_premise",
                    "general", "Informatique Montbrézin", ("MBZ-SRV:2",), (_AD,)),
    ApplicationSpec("Montbrézin – laboratoire d'urgence", "lis", "Éditeur middleware labo (fictif)", "2.0", 3,
                    "on_premise", "general", "Laboratoire Montbrézin", ("MBZ-SRV:1",), (_LIS,)),
    ApplicationSpec("EPSM – dossier de soins psychiatriques", "patient_record", "Éditeur psy (fictif)", "12", 4,
                    "group", "psychiatry", "DIM EPSM", ("EPS-SRV:2",), (_AD, _GAM)),
    ApplicationSpec("EHPAD – dossier de soins résidents", "patient_record", "Éditeur EHPAD (fictif)", "8.2", 3,
                    "saas", "nursing_home", "Cadre de santé EHPAD", (), ()),
    ApplicationSpec("Clinique – dossier patient", "patient_record", "Éditeur clinique (fictif)", "21.4", 4, "hds",
                    "clinic", "Direction des soins clinique", ("CDP-SRV:2",), ()),
    ApplicationSpec("Clinique – bloc et facturation", "surgery", "Éditeur clinique (fictif)", "21.4", 4, "hds",
                    "clinic", "Direction clinique", ("CDP-SRV:1",), ("Clinique – dossier patient",)),
)

CARE_ACTIVITIES: tuple[CareActivitySpec, ...] = (
    CareActivitySpec("Urgences adultes", "support", 4, 2,
                     ("Urgences – dossier des urgences", _DPI, _LIS, _PACS, "Téléphonie IP")),
    CareActivitySpec("Urgences pédiatriques", "support", 4, 2, ("Urgences – dossier des urgences", _DPI, _LIS)),
    CareActivitySpec("Maternité et salle de naissance", "support", 4, 4,
                     ("Salle de naissance – partogramme", _DPI, _LIS, "Centrale de surveillance des moniteurs")),
    CareActivitySpec("Bloc opératoire", "support", 4, 4,
                     ("Bloc opératoire – planification", "Anesthésie – dossier péri-opératoire", _DPI, _PHARMA)),
    CareActivitySpec("Réanimation et soins critiques", "support", 4, 1,
                     (_DPI, "Centrale de surveillance des moniteurs", "Gestion des pompes à perfusion", _LIS)),
    CareActivitySpec("Radiothérapie", "support", 3, 48,
                     ("Radiothérapie – planification des traitements", _PACS, _DPI)),
    CareActivitySpec("Chimiothérapie ambulatoire", "support", 3, 24,
                     ("Chimiothérapie – prescription", _PHARMA, _DPI)),
    CareActivitySpec("Imagerie médicale", "support", 3, 8, (_PACS, _RIS, _GAM)),
    CareActivitySpec("Laboratoire de biologie", "support", 4, 4, (_LIS, _EAI, _GAM)),
    CareActivitySpec("Dispensation pharmaceutique", "support", 3, 12,
                     (_PHARMA, "Armoires à pharmacie sécurisées", _DPI)),
    CareActivitySpec("Admissions et accueil", "group", 2, 24, (_GAM, "Identito-vigilance (serveur d'identités)")),
    CareActivitySpec("Urgences de Montbrézin", "general", 4, 2,
                     ("Urgences – dossier des urgences", _DPI, "Montbrézin – laboratoire d'urgence")),
    CareActivitySpec("Médecine et chirurgie de Montbrézin", "general", 3, 12,
                     (_DPI, "Bloc opératoire – planification", _PHARMA)),
    CareActivitySpec("Admissions en psychiatrie (soins sans consentement)", "psychiatry", 3, 12,
                     ("EPSM – dossier de soins psychiatriques", _GAM)),
    CareActivitySpec("Hospitalisation psychiatrique", "psychiatry", 3, 24, ("EPSM – dossier de soins psychiatriques",)),
    CareActivitySpec("Soins et distribution des médicaments en EHPAD", "nursing_home", 3, 24,
                     ("EHPAD – dossier de soins résidents",)),
    CareActivitySpec("Chirurgie ambulatoire de la clinique", "clinic", 3, 8,
                     ("Clinique – bloc et facturation", "Clinique – dossier patient")),
)
