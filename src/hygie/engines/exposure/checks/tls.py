"""TLS judgement: the certificate (validity, trust, key, signature, name) and the protocol (versions, suites).

Every check reads ``service.tls`` as the TLS probes filled it and returns nothing when it is
absent or lacks the field it needs (services imported from nmap or masscan carry no TLS
observation), so that no finding is ever made from a guess.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hygie.engines._core import Finding, Severity
from hygie.engines.exposure.model import service_object
from hygie.engines.exposure.registry import make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "LEGACY_VERSIONS",
    "MIN_EC_BITS",
    "MIN_RSA_BITS",
    "WEAK_HASHES",
    "cipher_weakness",
]

#: A certificate expiring within this many days is reported.
EXPIRY_WARNING_DAYS = 30
#: Smallest acceptable keys (ANSSI RGS annex B1, NIST SP 800-57).
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
#: Signature hashes broken for certificates.
WEAK_HASHES = frozenset({"md5", "md2", "md4", "sha1"})
#: Protocol versions to turn off.
LEGACY_VERSIONS = frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"})

_TLS_GUIDE = "https://cyber.gouv.fr/publications/recommandations-de-securite-relatives-tls"
_WEAKNESS_SEVERITY = {
    "export": Severity.HIGH,
    "null": Severity.HIGH,
    "anonymous": Severity.HIGH,
    "rc4": Severity.HIGH,
    "des": Severity.HIGH,
    "3des": Severity.MEDIUM,
    "cbc_sha1": Severity.LOW,
}


def cipher_weakness(name: str) -> str:
    """Why the suite named ``name`` (OpenSSL spelling) is weak, or '' when it is not."""
    upper = name.upper()
    rules = (
        ("EXP", "export"),
        ("NULL", "null"),
        ("ADH-", "anonymous"),
        ("AECDH-", "anonymous"),
        ("RC4", "rc4"),
        ("DES-CBC3", "3des"),
        ("DES-CBC", "des"),
    )
    for marker, weakness in rules:
        if marker in upper:
            return weakness
    if upper.endswith("-SHA") and not upper.startswith("TLS_"):
        return "cbc_sha1"
    return ""


def _tls(service: Service) -> dict[str, Any] | None:
    tls = service.tls
    return tls if isinstance(tls, dict) and tls.get("version") else None


def _certificates(service: Service) -> list[dict[str, Any]]:
    tls = _tls(service)
    certificates = tls.get("certificates") if tls else None
    if not isinstance(certificates, list):
        return []
    return [c for c in certificates if isinstance(c, dict) and not c.get("error")]


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _now(context: JudgeContext) -> datetime:
    return context.now if context.now.tzinfo else context.now.replace(tzinfo=UTC)


def _certificate_evidence(certificate: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": certificate.get("subject", ""),
        "issuer": certificate.get("issuer", ""),
        "sha256": certificate.get("sha256", ""),
    }


@service_check(
    "exposure.tls_certificate_expired",
    title_en="Expired TLS certificate",
    title_fr="Certificat TLS expiré",
    severity=Severity.HIGH,
    remediation=(
        "Renew the certificate and install it with its intermediate certificates; monitor the expiry "
        "dates of every exposed certificate (ACME automation where possible). Users trained to click "
        "through certificate warnings are easy prey for interception."
    ),
    references=(_TLS_GUIDE,),
)
def check_certificate_expired(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The leaf certificate's validity ended (or has not started) at the audit's reference time."""
    certificates = _certificates(service)
    if not certificates:
        return []
    leaf = certificates[0]
    now = _now(context)
    not_after, not_before = _moment(leaf.get("not_after")), _moment(leaf.get("not_before"))
    if not_after is not None and not_after < now:
        state, days = "expired", (now - not_after).days
    elif not_before is not None and not_before > now:
        state, days = "not_yet_valid", (not_before - now).days
    else:
        return []
    evidence = {**_certificate_evidence(leaf), "state": state, "days": days, "not_after": leaf.get("not_after")}
    return [make_finding("exposure.tls_certificate_expired", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.tls_certificate_expiring",
    title_en="TLS certificate expiring within 30 days",
    title_fr="Certificat TLS expirant sous 30 jours",
    severity=Severity.LOW,
    remediation="Renew the certificate before it expires and automate renewal (ACME) where possible.",
    references=(_TLS_GUIDE,),
)
def check_certificate_expiring(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The leaf certificate is still valid but expires within :data:`EXPIRY_WARNING_DAYS` days."""
    certificates = _certificates(service)
    if not certificates:
        return []
    leaf = certificates[0]
    now = _now(context)
    not_after = _moment(leaf.get("not_after"))
    if not_after is None or not_after < now:
        return []
    left = not_after - now
    if left.days >= EXPIRY_WARNING_DAYS:
        return []
    evidence = {**_certificate_evidence(leaf), "days_left": left.days, "not_after": leaf.get("not_after")}
    severity = Severity.MEDIUM if left.days < 7 else None  # noqa: PLR2004 - one week
    return [
        make_finding(
            "exposure.tls_certificate_expiring", [service_object(host.address, service)], evidence, severity=severity
        )
    ]


@service_check(
    "exposure.tls_untrusted_certificate",
    title_en="Self-signed or untrusted TLS certificate chain",
    title_fr="Chaîne de certificats TLS auto-signée ou non fiable",
    severity=Severity.MEDIUM,
    remediation=(
        "Install a certificate issued by a recognised certification authority (or the establishment's "
        "PKI for internal services) and serve the complete chain of intermediates."
    ),
    references=(_TLS_GUIDE,),
)
def check_untrusted_certificate(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The leaf is self-signed, the chain does not link, or it stops at an issuer neither sent nor known."""
    tls = _tls(service)
    certificates = _certificates(service)
    if tls is None or not certificates:
        return []
    leaf = certificates[0]
    reason = ""
    if leaf.get("self_signed"):
        reason = "self_signed"
    elif any(c.get("signed_by_next") is False for c in certificates[:-1]):
        reason = "broken_chain"
    elif not certificates[-1].get("self_signed") and tls.get("issuer_known") is False:
        reason = "unknown_issuer"
    if not reason:
        return []
    evidence = {**_certificate_evidence(leaf), "reason": reason, "chain_length": tls.get("chain_length", 0)}
    return [make_finding("exposure.tls_untrusted_certificate", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.tls_weak_key",
    title_en="Weak TLS certificate key",
    title_fr="Clé de certificat TLS trop faible",
    severity=Severity.MEDIUM,
    remediation=(
        "Issue a new certificate with an RSA key of at least 2048 bits (3072 preferred) or an EC key of 256 bits."
    ),
    references=(_TLS_GUIDE,),
)
def check_weak_key(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A certificate of the chain has an RSA or DSA key under 2048 bits or an EC key under 256 bits."""
    weak = []
    for certificate in _certificates(service):
        key_type, bits = certificate.get("key_type"), certificate.get("key_bits")
        if not isinstance(bits, int) or bits <= 0:
            continue
        if (key_type in {"RSA", "DSA"} and bits < MIN_RSA_BITS) or (key_type == "EC" and bits < MIN_EC_BITS):
            weak.append({**_certificate_evidence(certificate), "key_type": key_type, "key_bits": bits})
    if not weak:
        return []
    smallest = min(item["key_bits"] for item in weak)
    severity = Severity.HIGH if smallest < 1024 else None  # noqa: PLR2004 - factorable today
    return [
        make_finding(
            "exposure.tls_weak_key",
            [service_object(host.address, service)],
            {"certificates": weak},
            severity=severity,
        )
    ]


@service_check(
    "exposure.tls_weak_signature",
    title_en="TLS certificate signed with MD5 or SHA-1",
    title_fr="Certificat TLS signé en MD5 ou SHA-1",
    severity=Severity.MEDIUM,
    remediation="Have the certificate (and any intermediate) reissued with a SHA-256 or stronger signature.",
    references=(_TLS_GUIDE,),
)
def check_weak_signature(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """A certificate of the chain (self-signed roots aside, whose signature nobody checks) uses MD5 or SHA-1."""
    weak = [
        {**_certificate_evidence(c), "signature_algorithm": c.get("signature_algorithm", "")}
        for c in _certificates(service)
        if str(c.get("signature_hash", "")).lower() in WEAK_HASHES and not c.get("self_signed")
    ]
    if not weak:
        return []
    md5 = any("md5" in item["signature_algorithm"].lower() for item in weak)
    return [
        make_finding(
            "exposure.tls_weak_signature",
            [service_object(host.address, service)],
            {"certificates": weak},
            severity=Severity.HIGH if md5 else None,
        )
    ]


@service_check(
    "exposure.tls_hostname_mismatch",
    title_en="TLS certificate does not match the host name",
    title_fr="Le certificat TLS ne correspond pas au nom d'hôte",
    severity=Severity.MEDIUM,
    remediation="Install a certificate whose subject alternative names include the name users connect to.",
    references=(_TLS_GUIDE,),
)
def check_hostname_mismatch(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The declared server name is not among the leaf certificate's names (only judged when a name was declared)."""
    tls = _tls(service)
    certificates = _certificates(service)
    if tls is None or not certificates or not tls.get("server_name") or tls.get("hostname_match") is not False:
        return []
    leaf = certificates[0]
    evidence = {
        **_certificate_evidence(leaf),
        "server_name": tls["server_name"],
        "dns_names": list(leaf.get("dns_names") or [])[:20],
    }
    return [make_finding("exposure.tls_hostname_mismatch", [service_object(host.address, service)], evidence)]


@service_check(
    "exposure.tls_legacy_protocol",
    title_en="Legacy TLS version accepted (TLS 1.0/1.1 or SSL)",
    title_fr="Version TLS obsolète acceptée (TLS 1.0/1.1 ou SSL)",
    severity=Severity.MEDIUM,
    remediation="Disable SSLv3, TLS 1.0 and TLS 1.1; allow TLS 1.2 and TLS 1.3 only.",
    references=(_TLS_GUIDE, "https://www.rfc-editor.org/rfc/rfc8996"),
)
def check_legacy_protocol(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The server accepted a legacy version: in the legacy probe's handshake or as its best version."""
    tls = _tls(service)
    if tls is None:
        return []
    accepted = tls.get("legacy_version") or (tls["version"] if tls["version"] in LEGACY_VERSIONS else None)
    if not accepted:
        return []
    evidence = {"accepted_version": accepted, "best_version": tls["version"], "cipher": tls.get("legacy_cipher")}
    severity = Severity.HIGH if accepted in {"SSLv2", "SSLv3"} else None
    return [
        make_finding(
            "exposure.tls_legacy_protocol", [service_object(host.address, service)], evidence, severity=severity
        )
    ]


@service_check(
    "exposure.tls_weak_cipher",
    title_en="Weak TLS cipher suite accepted",
    title_fr="Suite de chiffrement TLS faible acceptée",
    severity=Severity.MEDIUM,
    remediation=(
        "Restrict the suites to AEAD ciphers with forward secrecy (ECDHE with AES-GCM or ChaCha20-Poly1305); "
        "remove EXPORT, NULL, anonymous, RC4, DES, 3DES and CBC suites with SHA-1."
    ),
    references=(_TLS_GUIDE,),
)
def check_weak_cipher(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The server picked a weak suite when offered only weak ones, or negotiated one by itself."""
    tls = _tls(service)
    if tls is None:
        return []
    weak = tls.get("weak_cipher")
    if isinstance(weak, dict) and weak.get("name"):
        name, weakness = str(weak["name"]), str(weak.get("weakness") or cipher_weakness(str(weak["name"])))
    elif weakness := cipher_weakness(str(tls.get("cipher", ""))):
        name = str(tls["cipher"])
    else:
        return []
    evidence = {"cipher": name, "weakness": weakness, "version": tls.get("weak_version") or tls["version"]}
    return [
        make_finding(
            "exposure.tls_weak_cipher",
            [service_object(host.address, service)],
            evidence,
            severity=_WEAKNESS_SEVERITY.get(weakness),
        )
    ]
