"""Findings of the demo: realistic checks of each engine, and a seeded plan of where they land.

Check ids follow the engines' namespaces; ANSSI references use the Active Directory control ids
of the public ANSSI checklist (``vuln_krbtgt``...). Every figure in the evidence is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FINDING_TEMPLATES", "FindingTemplate"]


@dataclass(frozen=True)
class FindingTemplate:
    """A kind of finding and where the demo places it.

    ``placements`` maps an establishment key (or ``group``) to how many findings of this kind it
    gets; ``asset_codes`` (``SRV``, ``FW``...) picks the assets they are about, if any.
    """

    source: str
    check_id: str
    title: str
    severity: str
    remediation: str
    references: tuple[tuple[str, str], ...]
    placements: tuple[tuple[str, int], ...]
    asset_codes: tuple[str, ...] = ()
    asset_version: str = ""  # when set, only assets whose version starts with it (an EOL finding needs an old OS)
    affected_kind: str = "asset"
    evidence: dict[str, Any] = field(default_factory=dict)


def _t(*args: Any, **kwargs: Any) -> FindingTemplate:
    return FindingTemplate(*args, **kwargs)


_AD_DOMAIN = "ght-vbmf.local"

FINDING_TEMPLATES: tuple[FindingTemplate, ...] = (
    # Active Directory (directory engine).
    _t("directory", "directory.krbtgt_password_age", "krbtgt password not changed for more than a year", "high",
       "Change the krbtgt password twice, waiting for replication between the two changes.",
       (("anssi", "vuln_krbtgt"), ("care", "D1"), ("nis2", "21.2.i")), (("group", 1),),
       affected_kind="domain", evidence={"domain": _AD_DOMAIN, "password_age_days": 1493}),
    _t("directory", "directory.unconstrained_delegation", "Unconstrained Kerberos delegation on servers", "critical",
       "Replace unconstrained delegation by constrained or resource-based delegation.",
       (("anssi", "vuln_delegation_t4d"), ("care", "D1")), (("support", 2), ("general", 1)), ("SRV",),
       evidence={"attribute": "TRUSTED_FOR_DELEGATION"}),
    _t("directory", "directory.privileged_spn", "Privileged account with a service principal name (kerberoastable)",
       "critical", "Remove the SPN or move the service to a non-privileged managed service account (gMSA).",
       (("anssi", "vuln_spn_priv"), ("care", "D1")), (("group", 2),), affected_kind="account",
       evidence={"groups": ["Domain Admins"], "spn": "MSSQLSvc/sql-dpi:1433"}),
    _t("directory", "directory.privileged_password_never_expires", "Privileged accounts whose password never expires",
       "high", "Set an expiring password or use a managed service account; review membership of admin groups.",
       (("anssi", "vuln_dont_expire_priv"),), (("group", 2),), affected_kind="account",
       evidence={"accounts": 7}),
    _t("directory", "directory.protected_users_missing", "Privileged accounts outside the Protected Users group",
       "medium", "Add administrator accounts to Protected Users after checking their compatibility.",
       (("anssi", "vuln_protected_users"),), (("group", 1),), affected_kind="domain",
       evidence={"domain": _AD_DOMAIN, "accounts": 23}),
    _t("directory", "directory.machine_account_quota", "Any user can join 10 computers to the domain", "medium",
       "Set ms-DS-MachineAccountQuota to 0 and delegate domain joins to a dedicated group.",
       (("anssi", "vuln_user_accounts_machineaccountquota"),), (("group", 1),), affected_kind="domain",
       evidence={"ms-DS-MachineAccountQuota": 10}),
    _t("directory", "directory.dormant_accounts", "Dormant user accounts still enabled", "medium",
       "Disable accounts unused for 90 days and delete them after a review period.",
       (("anssi", "vuln_user_accounts_dormant"),), (("group", 1), ("general", 1), ("clinic", 1)),
       affected_kind="domain",
       evidence={"accounts": 412, "threshold_days": 90}),
    _t("directory", "directory.dc_obsolete_os", "Domain controller running an obsolete operating system", "critical",
       "Migrate the domain controller to a supported Windows Server version, then demote the old one.",
       (("anssi", "vuln_dc_obsolete"), ("care", "D1")), (("clinic", 1),), ("SRV",),
       asset_version="2012 R2", evidence={"os": "Windows Server 2012 R2", "end_of_support": "2023-10-10"}),
    _t("directory", "directory.guest_enabled", "Guest account enabled", "low",
       "Disable the built-in Guest account.", (("anssi", "vuln_guest"),), (("psychiatry", 1),),
       affected_kind="account", evidence={"account": "Invité"}),
    _t("directory", "directory.dnsadmins_permissions", "Non-administrators can manage DnsAdmins", "high",
       "Remove the dangerous permissions on the DnsAdmins group.", (("anssi", "vuln_dnsadmins"),),
       (("group", 1),), affected_kind="group", evidence={"trustee": "Helpdesk N2"}),
    # Internet exposure (exposure engine).
    _t("exposure", "exposure.rdp_exposed", "Remote Desktop exposed to the internet", "critical",
       "Close TCP 3389 on the firewall; give remote access through the VPN with MFA.",
       (("care", "D1"), ("nis2", "21.2.j")), (("clinic", 1), ("nursing_home", 1)), ("SRV",),
       evidence={"port": 3389, "banner": "Microsoft Terminal Services"}),
    _t("exposure", "exposure.smb_exposed", "SMB file sharing exposed to the internet", "critical",
       "Block TCP 445 at the perimeter.", (("care", "D1"),), (("general", 1),), ("SRV",),
       evidence={"port": 445}),
    _t("exposure", "exposure.admin_interface_exposed", "Firewall administration interface reachable from the internet",
       "high", "Restrict the management interface to the administration network.", (("care", "D1"),),
       (("support", 1), ("general", 1), ("clinic", 1)), ("FW",), evidence={"port": 8443, "path": "/login"}),
    _t("exposure", "exposure.tls_certificate_expired", "Expired TLS certificate on a public service", "medium",
       "Renew the certificate and monitor expiry dates.", (),
       (("support", 2), ("general", 1), ("psychiatry", 1)), ("SRV",),
       evidence={"not_after": "2025-01-31", "subject": "CN=portail"}),
    _t("exposure", "exposure.weak_tls_protocol", "Public service accepts TLS 1.0/1.1", "medium",
       "Allow TLS 1.2 and 1.3 only.", (), (("support", 3), ("general", 1)), ("SRV",),
       evidence={"protocols": ["TLSv1.0", "TLSv1.1"]}),
    _t("exposure", "exposure.dmarc_missing", "No DMARC policy on the mail domain", "medium",
       "Publish a DMARC record, starting with p=none and reporting, then move to quarantine.", (),
       (("group", 1), ("clinic", 1)), affected_kind="domain", evidence={"record": None}),
    _t("exposure", "exposure.spf_permissive", "SPF record ends with +all", "high",
       "End the SPF record with -all once every sender is listed.", (), (("nursing_home", 1),),
       affected_kind="domain", evidence={"record": "v=spf1 include:_spf.example +all"}),
    _t("exposure", "exposure.database_exposed", "Database port reachable from the internet", "critical",
       "Close the database port; expose the application through a reverse proxy only.", (),
       (("clinic", 1),), ("LNX", "SRV"), evidence={"port": 5432}),
    _t("exposure", "exposure.dangling_dns", "DNS record pointing to a released cloud address", "high",
       "Delete the dangling record.", (), (("support", 1),), affected_kind="domain",
       evidence={"record": "ancien-portail CNAME", "status": "NXDOMAIN at provider"}),
    # Vulnerability watch (vulnwatch engine).
    _t("vulnwatch", "vulnwatch.kev_fortios_cve_2024_21762", "FortiOS SSL VPN out-of-bounds write (CVE-2024-21762)",
       "critical", "Upgrade FortiOS to a fixed release; until then disable the SSL VPN.",
       (("cve", "CVE-2024-21762"), ("nis2", "21.2.e")), (("support", 2), ("general", 1)), ("FW", "VPN"),
       evidence={"kev": True, "epss": 0.94}),
    _t("vulnwatch", "vulnwatch.kev_fortios_cve_2024_23113", "FortiOS fgfmd format string (CVE-2024-23113)",
       "critical", "Upgrade FortiOS; remove fgfm access from internet-facing interfaces.",
       (("cve", "CVE-2024-23113"),), (("support", 1), ("general", 1)), ("FW", "VPN"),
       evidence={"kev": True, "epss": 0.81}),
    _t("vulnwatch", "vulnwatch.kev_panos_cve_2024_3400", "PAN-OS GlobalProtect command injection (CVE-2024-3400)",
       "critical", "Apply the PAN-OS hotfix and check for signs of compromise.", (("cve", "CVE-2024-3400"),),
       (("support", 1),), ("FW",), evidence={"kev": True, "epss": 0.96}),
    _t("vulnwatch", "vulnwatch.kev_esxi_cve_2024_37085", "ESXi Active Directory integration bypass (CVE-2024-37085)",
       "high", "Update ESXi; remove the 'ESX Admins' group dependency.", (("cve", "CVE-2024-37085"),),
       (("support", 4), ("general", 1)), ("ESX",), evidence={"kev": True, "epss": 0.42}),
    _t("vulnwatch", "vulnwatch.kev_veeam_cve_2024_40711", "Veeam Backup & Replication deserialisation (CVE-2024-40711)",
       "critical", "Upgrade Veeam Backup & Replication to 12.2 or later.", (("cve", "CVE-2024-40711"),),
       (("support", 1), ("general", 1), ("clinic", 1)), ("BCK",), asset_version="12",
       evidence={"kev": True, "epss": 0.88}),
    _t("vulnwatch", "vulnwatch.windows_server_eol", "Windows Server 2012 R2 out of support", "high",
       "Plan the migration; subscribe to extended security updates meanwhile.", (),
       (("support", 3), ("general", 2), ("psychiatry", 1)), ("SRV",), asset_version="2012 R2",
       evidence={"end_of_support": "2023-10-10"}),
    _t("vulnwatch", "vulnwatch.windows_10_eol", "Windows 10 workstations past end of support", "medium",
       "Upgrade to Windows 11 or enrol in extended security updates.", (),
       (("support", 4), ("general", 1), ("nursing_home", 1)), ("PC",), evidence={"end_of_support": "2025-10-14"}),
    _t("vulnwatch", "vulnwatch.medical_device_unpatched", "Medical device with an unpatched vendor advisory", "high",
       "Ask the vendor for the validated patch; isolate the device in the biomedical VLAN meanwhile.", (),
       (("support", 4), ("general", 1)), ("PSE", "MON"), evidence={"advisory": "vendor bulletin", "patch": "pending"}),
    # Detection (detection engine).
    _t("detection", "detection.password_spraying", "Password spraying against the VPN portal", "high",
       "Enforce MFA on the VPN and block the source addresses.", (("nis2", "21.2.b"),), (("support", 1),),
       ("VPN",), evidence={"failed_logins": 1840, "accounts": 312, "window_minutes": 45}),
    _t("detection", "detection.new_domain_admin", "Account added to Domain Admins outside a change", "high",
       "Check the change with the administrators; remove the membership if unexpected.", (("nis2", "21.2.b"),),
       (("group", 1),), affected_kind="account", evidence={"event_id": 4728}),
    _t("detection", "detection.security_log_cleared", "Security event log cleared on a server", "high",
       "Investigate the server; forward logs to the central collector.", (), (("general", 1),), ("SRV",),
       evidence={"event_id": 1102}),
    _t("detection", "detection.psexec_lateral_movement", "Remote service creation typical of PsExec", "medium",
       "Confirm whether it was an administrator; restrict remote service creation.", (), (("support", 1),),
       ("SRV",), evidence={"event_id": 7045, "service": "PSEXESVC"}),
    # Manual findings (audits, exercises).
    _t("manual", "manual.backup_not_isolated", "Backups reachable from the production domain", "critical",
       "Give the backup infrastructure its own authentication and an isolated copy (3-2-1 with an offline copy).",
       (("care", "D2"),), (("group", 1), ("clinic", 1)), ("BCK",), evidence={"source": "audit"}),
    _t("manual", "manual.restore_test_missing", "No restore test of a critical application this year", "high",
       "Schedule a restore-to-production test of the patient record.", (("care", "D2"),),
       (("group", 1), ("general", 1)), affected_kind="process", evidence={"last_test": None}),
    _t("manual", "manual.crisis_exercise_overdue", "Yearly cyber crisis exercise not done", "medium",
       "Run a crisis exercise with the management team and the care services.", (("care", "D2"),),
       (("psychiatry", 1), ("nursing_home", 1), ("clinic", 1)), affected_kind="process",
       evidence={"last_exercise": "2023-11"}),
    _t("manual", "manual.shared_accounts_care", "Shared generic accounts on care workstations", "medium",
       "Move to nominative accounts with fast user switching (badge).", (), (("support", 1), ("nursing_home", 1)),
       affected_kind="process", evidence={"accounts": ["urgences1", "bloc"]}),
    _t("manual", "manual.pssi_outdated", "Security policy (PSSI) not reviewed since 2021", "low",
       "Review and sign the PSSI.", (("care", "D2"),), (("psychiatry", 1),), affected_kind="process",
       evidence={"signed": "2021-03"}),
)
