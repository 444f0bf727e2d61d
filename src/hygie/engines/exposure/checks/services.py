"""What an exposed service gives an attacker: remote access, files, data, medical flows, administration.

These checks read the service's category (set from the port catalogue by the scanner or the
imports) and its name (set by the probes, or normalised from nmap's): they judge what is exposed,
not how it is configured (other check modules judge SSH algorithms, FTP anonymous login, unauthenticated
Redis...). Severity depends on the service: RDP and SMB exposed to the Internet are the first doors
of ransomware in hospitals, an SSH server with keys is a normal administration path.

The KEV checks read ``JudgeContext.kev`` (a :class:`~hygie.engines.exposure.kev.KevCatalogue`) and
``JudgeContext.extra["cves"]`` (a :class:`~hygie.engines.exposure.cves.CveCatalogue`), when given.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from hygie.engines._core import Finding, Reference, ReferenceKind, Severity
from hygie.engines.exposure.cves import CveCatalogue
from hygie.engines.exposure.kev import service_cpe
from hygie.engines.exposure.model import Category, service_object
from hygie.engines.exposure.ports import port_info
from hygie.engines.exposure.registry import CHECKS, make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext

__all__ = ["CLEARTEXT", "SEVERITY_BY_NAME", "cve_catalogue", "exposure_severity"]

_C, _H, _M, _L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

#: Service name -> severity of exposing it to the Internet (the category's check's default otherwise).
SEVERITY_BY_NAME: dict[str, Severity] = {
    # Remote access: RDP and the r-services open a session to whoever guesses a password.
    "rdp": _C,
    "rexec": _C,
    "rlogin": _C,
    "rsh": _C,
    "telnet": _H,
    "vnc": _H,
    "vnc-http": _H,
    "winrm": _H,
    "winrm-tls": _H,
    "teamviewer": _M,
    "anydesk": _M,
    "ssh": _L,
    # File sharing: SMB is how ransomware spreads (WannaCry, EternalBlue).
    "smb": _C,
    "netbios-ssn": _C,
    "nfs": _H,
    "rpcbind": _H,
    "tftp": _H,
    "ftp": _M,
    "rsync": _M,
    "afp": _M,
    "ftps": _L,
    # Medical: HL7 v2 over MLLP has no authentication at all; DICOM has only AE titles.
    "hl7-mllp": _C,
    "dicom": _H,
    "dicom-tls": _M,
    # Administration: a plain Docker API is root on the host.
    "docker": _C,
    "docker-tls": _H,
    "ipmi": _H,
    "ilo": _H,
    "vmware-auth": _H,
    "modbus": _H,
    "bacnet": _H,
    "jetdirect": _M,
    "lpd": _M,
    "ipp": _M,
    "snmp": _M,
    "mqtt": _M,
    # Directory: an exposed domain controller invites password spraying and Kerberoasting.
    "kerberos": _H,
    "ldap": _H,
    "msrpc": _H,
    "ldaps": _M,
}

#: Administration ports whose service is plain HTTP(S): the port tells what it administers.
_ADMIN_PORTS: dict[int, tuple[str, Severity]] = {
    6443: ("Kubernetes API", _H),
    10000: ("Webmin / backup administration", _H),
    2375: ("Docker API", _C),
}

#: Service name -> severity of its credentials or data crossing the Internet in clear text.
CLEARTEXT: dict[str, Severity] = {
    "telnet": _H,
    "rexec": _H,
    "rlogin": _H,
    "rsh": _H,
    "hl7-mllp": _H,
    "ftp": _M,
    "tftp": _M,
    "ldap": _M,
    "dicom": _M,
    "vnc": _M,
    "pop3": _L,
    "imap": _L,
}


def exposure_severity(service: Service, default: Severity) -> Severity:
    """How bad exposing ``service`` is: by its name, by its administration port, else ``default``."""
    if service.name in SEVERITY_BY_NAME:
        return SEVERITY_BY_NAME[service.name]
    if service.port in _ADMIN_PORTS:
        return _ADMIN_PORTS[service.port][1]
    if "webmin" in service.product.lower():
        return _H
    return default


def cve_catalogue(context: JudgeContext) -> CveCatalogue | None:
    """The CVE catalogue given to the judgement, if any (``context.extra["cves"]``)."""
    cves = context.extra.get("cves")
    return cves if isinstance(cves, CveCatalogue) else None


def _evidence(service: Service, **more: Any) -> dict[str, Any]:
    label = port_info(service.port).label
    if service.port in _ADMIN_PORTS and service.name in {"http", "https", ""}:
        label = _ADMIN_PORTS[service.port][0]
    evidence: dict[str, Any] = {
        "port": service.port,
        "protocol": service.protocol,
        "service": service.name or "unknown",
        "usual_service": label,
        "category": service.category.value,
        "product": service.product,
        "version": service.version,
        "source": service.source,
    }
    evidence.update(more)
    return evidence


def _exposed(check_id: str, category: Category, host: Host, service: Service) -> list[Finding]:
    if service.category is not category:
        return []
    severity = exposure_severity(service, CHECKS[check_id].severity)
    return [make_finding(check_id, [service_object(host.address, service)], _evidence(service), severity=severity)]


@service_check(
    "exposure.service_remote_access",
    title_en="Remote access service exposed to the Internet",
    title_fr="Service d'accès à distance exposé sur Internet",
    severity=Severity.HIGH,
    remediation=(
        "Close this port on the Internet firewall. Give remote access through the VPN with multi-factor "
        "authentication or a bastion; where the service must stay reachable, restrict it to known source "
        "addresses and require keys or multi-factor authentication."
    ),
)
def remote_access(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """RDP, VNC, Telnet, the r-services, WinRM, TeamViewer/AnyDesk and SSH reachable from the Internet."""
    return _exposed("exposure.service_remote_access", Category.REMOTE_ACCESS, host, service)


@service_check(
    "exposure.service_file_sharing",
    title_en="File sharing service exposed to the Internet",
    title_fr="Service de partage de fichiers exposé sur Internet",
    severity=Severity.HIGH,
    remediation=(
        "Close SMB, NFS, RPC and FTP/TFTP on the Internet firewall. Share files with partners through an "
        "authenticated transfer service (SFTP or HTTPS with multi-factor authentication), never a file server."
    ),
)
def file_sharing(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """SMB, NetBIOS, NFS, the RPC portmapper, FTP, TFTP, rsync and AFP reachable from the Internet."""
    return _exposed("exposure.service_file_sharing", Category.FILE_SHARING, host, service)


@service_check(
    "exposure.service_database",
    title_en="Database exposed to the Internet",
    title_fr="Base de données exposée sur Internet",
    severity=Severity.HIGH,
    remediation=(
        "Make the database listen on the internal network only and close its port on the Internet firewall; "
        "applications reach it from inside. Check its logs for connections from unknown addresses."
    ),
)
def database(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """SQL Server, Oracle, MySQL, PostgreSQL, Redis, Elasticsearch, MongoDB, memcached... reachable."""
    return _exposed("exposure.service_database", Category.DATABASE, host, service)


@service_check(
    "exposure.service_medical",
    title_en="Medical protocol exposed to the Internet",
    title_fr="Protocole médical exposé sur Internet",
    severity=Severity.HIGH,
    remediation=(
        "Close DICOM and HL7 ports on the Internet firewall. Exchange images and messages with partners "
        "through a VPN or a secured gateway (DICOM over TLS with mutual authentication, HL7 over HTTPS), "
        "and restrict accepted AE titles and source addresses."
    ),
)
def medical(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """DICOM, DICOM web viewers and HL7 MLLP reachable from the Internet: patient data without authentication."""
    return _exposed("exposure.service_medical", Category.MEDICAL, host, service)


@service_check(
    "exposure.service_admin_interface",
    title_en="Administration interface exposed to the Internet",
    title_fr="Interface d'administration exposée sur Internet",
    severity=Severity.LOW,
    remediation=(
        "Reach administration interfaces (BMC/IPMI/iLO, printers, Docker, Kubernetes, Webmin, building "
        "management) from an administration network only; close them on the Internet firewall."
    ),
)
def admin_interface(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """BMCs, printers, Docker and Kubernetes APIs, Webmin, SNMP, building management and web admin ports.

    A web page the HTTP probe recognised as an administration interface already has its own,
    more precise finding (``exposure.http_admin_interface``, naming the product): not twice.
    """
    http = service.details.get("http")
    if isinstance(http, dict) and http.get("admin"):
        return []
    return _exposed("exposure.service_admin_interface", Category.ADMIN, host, service)


@service_check(
    "exposure.service_directory",
    title_en="Directory service exposed to the Internet",
    title_fr="Service d'annuaire exposé sur Internet",
    severity=Severity.HIGH,
    remediation=(
        "Never expose domain controllers: close LDAP, Kerberos, the global catalogue and Microsoft RPC on "
        "the Internet firewall; federate external access through an identity provider with multi-factor "
        "authentication."
    ),
)
def directory(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """LDAP, Kerberos, the global catalogue and Microsoft RPC reachable from the Internet."""
    return _exposed("exposure.service_directory", Category.DIRECTORY, host, service)


@service_check(
    "exposure.service_cleartext",
    title_en="Clear-text protocol exposed to the Internet",
    title_fr="Protocole en clair exposé sur Internet",
    severity=Severity.MEDIUM,
    remediation=(
        "Replace the clear-text protocol by its encrypted successor (SSH instead of Telnet or rsh, SFTP "
        "instead of FTP, LDAPS, DICOM or HL7 over TLS) and close the clear-text port."
    ),
)
def cleartext(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """Telnet, FTP, TFTP, the r-services, LDAP, DICOM, MLLP, VNC, POP3, IMAP without TLS."""
    if service.name not in CLEARTEXT or service.tls:
        return []
    evidence = _evidence(service, encrypted=False)
    return [
        make_finding(
            "exposure.service_cleartext",
            [service_object(host.address, service)],
            evidence,
            severity=CLEARTEXT[service.name],
        )
    ]


@service_check(
    "exposure.kev_product",
    title_en="Product with known exploited vulnerabilities (CISA KEV) exposed",
    title_fr="Produit exposé avec des vulnérabilités activement exploitées (KEV de la CISA)",
    severity=Severity.HIGH,
    remediation=(
        "Verify the running version against each listed CVE's advisory; apply the vendor's fixes (or its "
        "mitigations) without delay, then look for signs of compromise: these vulnerabilities are exploited."
    ),
    references=["https://www.cisa.gov/known-exploited-vulnerabilities-catalog"],
)
def kev_product(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """An identified product (edge devices first) with entries in the KEV catalogue.

    Critical when the version is known and the CVE data says it is affected, or when an entry is
    used by ransomware; high otherwise, asking to verify the version. Entries the CVE data proves
    the running version is not affected by are left out (listed in the evidence).
    """
    if context.kev is None:
        return []
    entries = context.kev.for_service(service)
    cpe = service_cpe(service)
    if not entries or cpe is None:
        return []
    cves = cve_catalogue(context)
    name = cpe.to_string()
    verdicts = {entry.cve_id: cves.affected(name, entry.cve_id) if cves else None for entry in entries}
    kept = [entry for entry in entries if verdicts[entry.cve_id] is not False]
    if not kept:
        return []
    affected = [entry.cve_id for entry in kept if verdicts[entry.cve_id]]
    ransomware = [entry.cve_id for entry in kept if entry.known_ransomware]
    severity = Severity.CRITICAL if affected or ransomware else Severity.HIGH
    product = " ".join(filter(None, [service.product or f"{cpe.vendor} {cpe.product}", service.version]))
    if affected:
        remediation = (
            f"{product} is affected by {', '.join(affected[:5])} (known exploited): apply the vendor's fixes "
            "now, then look for signs of compromise (CERT Santé can help)."
        )
    else:
        remediation = (
            f"Verify the version of {product}: if it is affected by the listed CVEs, apply the vendor's fixes "
            "or mitigations now and look for signs of compromise."
        )
    evidence = _evidence(
        service,
        cpe=name,
        version_known=cpe.has_version,
        kev_catalogue=context.kev.version,
        cve_ids=[entry.cve_id for entry in kept],
        affected_cve_ids=affected,
        not_affected_cve_ids=[cve for cve, verdict in verdicts.items() if verdict is False],
        ransomware_cve_ids=ransomware,
        entries=[{**entry.to_dict(), "affected": verdicts[entry.cve_id]} for entry in kept],
    )
    finding = make_finding(
        "exposure.kev_product",
        [service_object(host.address, service)],
        evidence,
        severity=severity,
        remediation=remediation,
    )
    return [_with_cves(finding, [entry.cve_id for entry in kept])]


@service_check(
    "exposure.service_vulnerable_version",
    title_en="Exposed product version with known vulnerabilities",
    title_fr="Version de produit exposée comportant des vulnérabilités connues",
    severity=Severity.HIGH,
    remediation="Update the product to a version its vendor lists as fixed for these CVEs.",
)
def vulnerable_version(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A product version inside the vulnerable ranges of CVEs of the loaded CVE data (KEV ones aside).

    CVEs of the KEV catalogue are reported by ``exposure.kev_product``, so they are not repeated here.
    """
    cves = cve_catalogue(context)
    cpe = service_cpe(service)
    if cves is None or cpe is None or not cpe.has_version:
        return []
    kev = context.kev
    found = [cve for cve in cves.affecting(cpe.to_string()) if kev is None or kev.get(cve) is None]
    if not found:
        return []
    evidence = _evidence(service, cpe=cpe.to_string(), cve_ids=found[:50], cve_count=len(found))
    finding = make_finding("exposure.service_vulnerable_version", [service_object(host.address, service)], evidence)
    return [_with_cves(finding, found[:50])]


def _with_cves(finding: Finding, cve_ids: list[str]) -> Finding:
    """``finding`` citing ``cve_ids`` beside its check's references."""
    references = (*finding.references, *(Reference(ReferenceKind.CVE, cve) for cve in cve_ids))
    return dataclasses.replace(finding, references=references)
