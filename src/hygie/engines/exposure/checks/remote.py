"""Judgement of remote-access and file-sharing services: SSH, FTP, RDP and SMB.

Each check reads only what the probes stored in ``service.details`` (``ssh``, ``ftp``, ``rdp``,
``rdp_legacy``, ``smb``, ``smb1``). A service imported from nmap or masscan carries no such
details: the checks then return nothing rather than guess. Outdated software versions are not
judged here; the CVE and KEV matching reads ``service.cpe``.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from hygie.engines._core import Severity
from hygie.engines.exposure.model import service_object
from hygie.engines.exposure.registry import make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext

__all__ = [
    "WEAK_SSH_ALGORITHMS",
    "check_ftp_anonymous_login",
    "check_ftp_cleartext",
    "check_rdp_no_nla",
    "check_rdp_standard_security",
    "check_smb_signing_not_required",
    "check_smb_v1_enabled",
    "check_ssh_protocol1",
    "check_ssh_weak_algorithms",
    "weak_ssh_algorithms",
]

#: Exact names judged weak, per KEXINIT list (RFC 9142, RFC 8758, RFC 9212 and OpenSSH's deprecations):
#: SHA-1 key exchange and signatures, 1024-bit groups, DSA, RC4, DES/3DES, MD5 and truncated MACs.
WEAK_SSH_ALGORITHMS: dict[str, frozenset[str]] = {
    "kex": frozenset(
        {
            "diffie-hellman-group1-sha1",
            "diffie-hellman-group14-sha1",
            "diffie-hellman-group-exchange-sha1",
            "rsa1024-sha1",
            "rsa2048-sha256",
        }
    ),
    "host_key": frozenset({"ssh-dss", "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com"}),
    "cipher": frozenset(
        {"3des-ctr", "des", "des-cbc", "des-cbc@ssh.com", "none", "blowfish-ctr", "twofish-ctr", "cast128-ctr"}
    ),
    "mac": frozenset({"none", "umac-64@openssh.com", "umac-64-etm@openssh.com"}),
}
#: Name fragments judged weak wherever they appear in a list (families with many members).
_WEAK_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "kex": ("gss-group1-sha1-", "gss-gex-sha1-", "gss-group14-sha1-"),
    "cipher": ("-cbc", "arcfour", "rijndael-cbc"),
    "mac": ("hmac-md5", "hmac-sha1-96", "hmac-ripemd160", "hmac-sha2-256-96", "hmac-sha2-512-96"),
}


def weak_ssh_algorithms(observation: dict[str, Any]) -> dict[str, list[str]]:
    """The weak names offered in an SSH observation, per list (only non-empty lists)."""
    weak: dict[str, list[str]] = {}
    for key in ("kex", "host_key", "cipher", "mac"):
        names = observation.get(key)
        if not isinstance(names, list):
            continue
        exact = WEAK_SSH_ALGORITHMS.get(key, frozenset())
        fragments = _WEAK_FRAGMENTS.get(key, ())
        found = [
            name
            for name in names
            if isinstance(name, str) and (name in exact or any(fragment in name for fragment in fragments))
        ]
        if found:
            weak[key] = found
    return weak


def _details(service: Service, probe_id: str) -> dict[str, Any]:
    value = service.details.get(probe_id)
    return value if isinstance(value, dict) else {}


def _label(address: str, service: Service) -> list[Any]:
    return [service_object(address, service)]


# --- SSH -------------------------------------------------------------------------------------


@service_check(
    "exposure.ssh_weak_algorithms",
    title_en="SSH server offers weak algorithms",
    title_fr="Le serveur SSH propose des algorithmes faibles",
    severity=Severity.MEDIUM,
    remediation=(
        "Remove the listed algorithms from the SSH server configuration (OpenSSH: KexAlgorithms, "
        "HostKeyAlgorithms, Ciphers, MACs) and keep curve25519/sntrup761 key exchange, Ed25519 or "
        "RSA-SHA2 host keys, AES-GCM/ChaCha20-Poly1305 or AES-CTR ciphers and SHA-2 (ETM) MACs."
    ),
    references=("https://www.rfc-editor.org/rfc/rfc9142",),
)
def check_ssh_weak_algorithms(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding listing the weak key-exchange, host-key, cipher and MAC algorithms the server offers."""
    observation = _details(service, "ssh")
    weak = weak_ssh_algorithms(observation)
    if not weak:
        return []
    evidence: dict[str, Any] = {"weak": weak, "software": observation.get("software", "")}
    return [make_finding("exposure.ssh_weak_algorithms", _label(host.address, service), evidence)]


@service_check(
    "exposure.ssh_protocol1",
    title_en="SSH server accepts protocol version 1",
    title_fr="Le serveur SSH accepte la version 1 du protocole",
    severity=Severity.HIGH,
    remediation=(
        "Disable SSH protocol 1 (broken since 2001: session hijacking, CRC-32 attacks) and upgrade "
        "the SSH server or the device firmware to a release that speaks only SSH-2."
    ),
    references=("https://www.rfc-editor.org/rfc/rfc4253#section-5",),
)
def check_ssh_protocol1(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when the identification line announces ``SSH-1.x`` (``1.99``: both versions)."""
    observation = _details(service, "ssh")
    protocol = observation.get("protocol")
    if not isinstance(protocol, str) or not protocol.startswith("1."):
        return []
    evidence = {"protocol": protocol, "banner": observation.get("banner", "")}
    return [make_finding("exposure.ssh_protocol1", _label(host.address, service), evidence)]


# --- FTP -------------------------------------------------------------------------------------


@service_check(
    "exposure.ftp_anonymous_login",
    title_en="FTP server accepts anonymous login",
    title_fr="Le serveur FTP accepte les connexions anonymes",
    severity=Severity.HIGH,
    remediation=(
        "Disable anonymous access (vsftpd: anonymous_enable=NO; IIS: disable Anonymous "
        "Authentication) unless the server deliberately publishes public files, and then make "
        "sure nothing else is readable and nothing is writable."
    ),
)
def check_ftp_anonymous_login(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when ``USER anonymous`` was accepted."""
    observation = _details(service, "ftp")
    if observation.get("anonymous") is not True:
        return []
    evidence = {
        "greeting": observation.get("greeting", ""),
        "user_reply": observation.get("user_reply", ""),
        "pass_reply": observation.get("pass_reply", ""),
    }
    return [make_finding("exposure.ftp_anonymous_login", _label(host.address, service), evidence)]


@service_check(
    "exposure.ftp_cleartext",
    title_en="FTP server does not offer TLS: credentials travel in clear",
    title_fr="Le serveur FTP ne propose pas TLS : les identifiants circulent en clair",
    severity=Severity.MEDIUM,
    remediation=(
        "Replace FTP with SFTP, or enable explicit FTP over TLS (AUTH TLS, RFC 4217) and require it "
        "for every login (vsftpd: ssl_enable=YES, force_local_logins_ssl=YES)."
    ),
    references=("https://www.rfc-editor.org/rfc/rfc4217",),
)
def check_ftp_cleartext(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when FEAT did not list ``AUTH TLS`` (or ``AUTH SSL``)."""
    observation = _details(service, "ftp")
    if observation.get("auth_tls") is not False:
        return []
    evidence = {"features": observation.get("features", []), "feat_supported": observation.get("feat_supported")}
    return [make_finding("exposure.ftp_cleartext", _label(host.address, service), evidence)]


# --- RDP -------------------------------------------------------------------------------------


@service_check(
    "exposure.rdp_no_nla",
    title_en="RDP server does not require Network Level Authentication",
    title_fr="Le serveur RDP n'exige pas l'authentification au niveau du réseau (NLA)",
    severity=Severity.HIGH,
    remediation=(
        "Require Network Level Authentication (Windows: 'Allow connections only from computers "
        "running Remote Desktop with NLA'; GPO 'Require user authentication for remote connections "
        "by using NLA'), and never expose RDP to the Internet: put it behind a VPN or an RD Gateway "
        "with multi-factor authentication."
    ),
    references=("cve:CVE-2019-0708",),
)
def check_rdp_no_nla(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when either negotiation shows a session can start without NLA."""
    rdp, legacy = _details(service, "rdp"), _details(service, "rdp_legacy")
    if rdp.get("nla_required") is not False and legacy.get("nla_required") is not False:
        return []
    evidence = {
        "selected_protocol": rdp.get("selected_protocol", ""),
        "legacy_answer": legacy.get("selected_protocol") or legacy.get("failure", ""),
        "tls_without_nla": rdp.get("tls_without_nla"),
    }
    return [make_finding("exposure.rdp_no_nla", _label(host.address, service), evidence)]


@service_check(
    "exposure.rdp_standard_security",
    title_en="RDP server accepts standard RDP security (legacy encryption)",
    title_fr="Le serveur RDP accepte la sécurité RDP standard (chiffrement historique)",
    severity=Severity.MEDIUM,
    remediation=(
        "Set the security layer to TLS or NLA only (Windows: 'Require use of specific security "
        "layer for remote (RDP) connections' = SSL; xrdp: security_layer=tls): standard RDP "
        "security uses RC4 and does not authenticate the server."
    ),
)
def check_rdp_standard_security(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when the server accepts (or only speaks) standard RDP security."""
    rdp, legacy = _details(service, "rdp"), _details(service, "rdp_legacy")
    if rdp.get("standard_security") is not True and legacy.get("standard_security") is not True:
        return []
    evidence = {
        "legacy_answer": legacy.get("selected_protocol") or legacy.get("failure", ""),
        "negotiation": rdp.get("negotiation", legacy.get("negotiation")),
    }
    return [make_finding("exposure.rdp_standard_security", _label(host.address, service), evidence)]


# --- SMB -------------------------------------------------------------------------------------


def _internet_facing(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


@service_check(
    "exposure.smb_v1_enabled",
    title_en="SMB server speaks SMBv1",
    title_fr="Le serveur SMB accepte SMBv1",
    severity=Severity.HIGH,
    remediation=(
        "Disable SMBv1 (Windows: Disable-WindowsOptionalFeature -FeatureName SMB1Protocol; Samba: "
        "server min protocol = SMB2_10 or higher), replace devices that only speak SMBv1, and never "
        "expose SMB (TCP 445) to the Internet."
    ),
    references=(
        "cve:CVE-2017-0144",
        "https://learn.microsoft.com/en-us/windows-server/storage/file-server/troubleshoot/detect-enable-and-disable-smbv1-v2-v3",
    ),
)
def check_smb_v1_enabled(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when the SMB1 negotiation succeeded; critical on an Internet-routable address."""
    observation = _details(service, "smb1")
    if observation.get("enabled") is not True:
        return []
    exposed = _internet_facing(host.address)
    evidence = {
        "dialect": observation.get("dialect", ""),
        "signing_required": observation.get("signing_required"),
        "internet_facing": exposed,
    }
    severity = Severity.CRITICAL if exposed else None
    return [make_finding("exposure.smb_v1_enabled", _label(host.address, service), evidence, severity=severity)]


@service_check(
    "exposure.smb_signing_not_required",
    title_en="SMB server does not require signing",
    title_fr="Le serveur SMB n'exige pas la signature des échanges",
    severity=Severity.MEDIUM,
    remediation=(
        "Require SMB signing (GPO 'Microsoft network server: Digitally sign communications "
        "(always)'; Samba: server signing = mandatory) to stop NTLM relay and tampering."
    ),
)
def check_smb_signing_not_required(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A finding when the SMB2 negotiation (or, without it, the SMB1 one) shows signing is optional."""
    smb, smb1 = _details(service, "smb"), _details(service, "smb1")
    if "signing_required" in smb:
        required, dialect = smb["signing_required"], smb.get("dialect", "")
    elif smb1.get("enabled") is True and "signing_required" in smb1:
        required, dialect = smb1["signing_required"], smb1.get("dialect", "")
    else:
        return []
    if required is not False:
        return []
    evidence = {"dialect": dialect, "signing_enabled": smb.get("signing_enabled", smb1.get("signing_enabled"))}
    return [make_finding("exposure.smb_signing_not_required", _label(host.address, service), evidence)]
