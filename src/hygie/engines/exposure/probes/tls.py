"""TLS probes: the negotiated session and certificate chain, legacy versions, weak cipher suites.

Three probes, one connection each, on the usual TLS ports and on every service another probe
named TLS-wrapped:

- ``tls`` completes a handshake accepting any certificate and records, in ``service.tls``, the
  version, suite, key exchange and the certificate chain the server sent (each certificate
  parsed with ``cryptography``: names, validity, key, signature, fingerprint), the chain's
  completeness and whether the declared host name matches. Judging comes later (checks/tls.py).
- ``tls_legacy`` offers at most TLS 1.1 and records the legacy version the server accepts.
- ``tls_weak_ciphers`` offers only weak suites (EXPORT, NULL, anonymous, RC4, DES, 3DES, CBC with
  SHA-1) in TLS 1.2 and records the one the server picks.

The last two only ask (one ClientHello, one ServerHello) and run only where ``tls`` succeeded.
``tls_sniff`` is the fallback on ports no probe claims: a service that completes a handshake
there is renamed ``https``, so that the TLS and HTTP probes follow.
"""

from __future__ import annotations

import _ssl
import functools
import ipaddress
import ssl
import warnings
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from hygie.engines.exposure.connection import ProbeError, unverified_tls_context
from hygie.engines.exposure.probes._tls_hello import LEGACY_SUITES, WEAK_SUITES, exchange_hello
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = [
    "MAX_CHAIN",
    "TLS_PORTS",
    "TLS_SERVICES",
    "describe_certificate",
    "describe_chain",
    "hostname_matches",
    "key_exchange",
]

#: Ports where TLS is spoken from the first byte: HTTPS and SSL VPN portals, LDAPS, mail over TLS,
#: FTPS, Docker and Kubernetes APIs, DICOM over TLS, WinRM over HTTPS.
TLS_PORTS = frozenset(
    {443, 4433, 4443, 8443, 9443, 10443, 10000, 636, 993, 995, 465, 990, 2376, 2762, 3269, 5986, 6443}
)
#: Service names (from the port catalogue, nmap or another probe) that are TLS-wrapped.
TLS_SERVICES = frozenset(
    {"https", "ssl", "tls", "ldaps", "imaps", "pop3s", "smtps", "ftps", "docker-tls", "dicom-tls", "winrm-tls"}
)
#: Certificates of a chain kept: a leaf and a few intermediates; a longer chain is cut.
MAX_CHAIN = 6
#: Service names a working TLS handshake turns into ``https`` (HTTP is then worth trying).
_WEB_NAMES = frozenset({"", "http", "http-alt", "https", "ssl", "tls"})
#: ``_ssl.ENCODING_DER`` (the ``ssl`` module does not re-export it; typeshed does not list it).
_ENCODING_DER: int = getattr(_ssl, "ENCODING_DER", 2)


def key_exchange(version: str, cipher: str) -> str:
    """The key exchange of a suite by its OpenSSL name (TLS 1.3 suites always use (EC)DHE)."""
    if version == "TLSv1.3":
        return "(EC)DHE"
    if cipher.startswith(("ADH-", "AECDH-")):
        return "anonymous"
    if cipher.startswith("ECDHE-"):
        return "ECDHE"
    if cipher.startswith(("DHE-", "EDH-")):
        return "DHE"
    if "PSK" in cipher:
        return "PSK"
    return "RSA"


def _key(certificate: x509.Certificate) -> tuple[str, int, str]:  # noqa: PLR0911 - one return per key type
    """Key type, size in bits and curve (EC keys) of a certificate's public key."""
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", 0, ""
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, ""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, ""
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, ""
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, ""
    return type(key).__name__, 0, ""


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent``'s key verifies ``child``'s signature (and names match)."""
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _names(certificate: x509.Certificate) -> tuple[list[str], list[str]]:
    """DNS and IP subject alternative names."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return [], []
    dns_names = [str(name)[:253] for name in san.get_values_for_type(x509.DNSName)][:100]
    addresses = [str(address) for address in san.get_values_for_type(x509.IPAddress)][:100]
    return dns_names, addresses


def _common_names(certificate: x509.Certificate) -> list[str]:
    try:
        return [
            str(attribute.value)[:253] for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        ]
    except ValueError:
        return []


def describe_certificate(der: bytes) -> dict[str, Any]:
    """What the judgement needs of a DER certificate; ``{"error": ...}`` when it cannot be parsed."""
    try:
        certificate = x509.load_der_x509_certificate(der)
        subject = certificate.subject.rfc4514_string()
        issuer = certificate.issuer.rfc4514_string()
    except ValueError as error:
        return {"error": f"unparsable certificate: {str(error)[:120]}", "sha256": ""}
    dns_names, addresses = _names(certificate)
    key_type, key_bits, curve = _key(certificate)
    try:
        digest = certificate.signature_hash_algorithm
        signature_hash = digest.name if digest is not None else ""
    except UnsupportedAlgorithm:
        signature_hash = "unknown"
    oid = certificate.signature_algorithm_oid
    return {
        "subject": subject[:512],
        "issuer": issuer[:512],
        "common_names": _common_names(certificate),
        "dns_names": dns_names,
        "ip_addresses": addresses,
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "key_type": key_type,
        "key_bits": key_bits,
        "curve": curve,
        "signature_algorithm": getattr(oid, "_name", "") or oid.dotted_string,
        "signature_hash": signature_hash,
        "self_signed": certificate.subject == certificate.issuer and _signed_by(certificate, certificate),
        "sha256": certificate.fingerprint(hashes.SHA256()).hex(),
        "serial": format(certificate.serial_number, "x")[:64],
    }


@functools.cache
def _system_roots() -> frozenset[bytes] | None:
    """DER subjects of the system's trusted roots (None when the store cannot be read)."""
    cafile = ssl.get_default_verify_paths().cafile
    if not cafile:
        return None
    try:
        with open(cafile, "rb") as handle, warnings.catch_warnings():  # noqa: PTH123 - a path from OpenSSL
            # Some distributed roots have a non-positive serial; only their subjects matter here.
            warnings.simplefilter("ignore")
            roots = x509.load_pem_x509_certificates(handle.read())
    except (OSError, ValueError):
        return None
    return frozenset(root.subject.public_bytes() for root in roots)


def describe_chain(chain: list[bytes]) -> dict[str, Any]:
    """The certificates of ``chain`` (leaf first) described, with how they link.

    ``signed_by_next`` tells, for each certificate but the last, whether the next one signed it;
    ``chain_complete`` whether the chain links up to a self-signed root or to a root of the
    system store; ``issuer_known`` whether the last certificate's issuer (or itself, when
    self-signed) is a root of the system store (None when the store cannot be read).
    """
    described = [describe_certificate(der) for der in chain[:MAX_CHAIN]]
    parsed: list[x509.Certificate | None] = []
    for der in chain[:MAX_CHAIN]:
        try:
            parsed.append(x509.load_der_x509_certificate(der))
        except ValueError:
            parsed.append(None)
    for index, item in enumerate(described):
        child = parsed[index]
        parent = parsed[index + 1] if index + 1 < len(parsed) else None
        item["signed_by_next"] = None if parent is None or child is None else _signed_by(child, parent)
    roots = _system_roots()
    last = parsed[-1] if parsed else None
    issuer_known: bool | None = None
    if last is not None and roots is not None:
        try:
            issuer_known = last.issuer.public_bytes() in roots
        except ValueError:
            issuer_known = False
    links = all(item["signed_by_next"] for item in described[:-1])
    anchored = bool(described) and (bool(described[-1].get("self_signed")) or issuer_known is True)
    return {
        "certificates": described,
        "chain_length": len(chain),
        "chain_complete": links and anchored,
        "issuer_known": issuer_known,
    }


def hostname_matches(name: str, certificate: dict[str, Any]) -> bool:
    """Whether ``name`` is one the certificate was issued for (RFC 6125: SANs, CN only without SAN)."""
    wanted = name.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(wanted)
    except ValueError:
        address = None
    if address is not None:
        return any(_same_address(address, text) for text in certificate.get("ip_addresses") or [])
    patterns = certificate.get("dns_names") or certificate.get("common_names") or []
    for raw in patterns:
        pattern = str(raw).rstrip(".").lower()
        if pattern == wanted:
            return True
        head, _, rest = wanted.partition(".")
        if pattern.startswith("*.") and head and rest and pattern[2:] == rest:
            return True
    return False


def _same_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str) -> bool:
    try:
        return ipaddress.ip_address(text) == address
    except ValueError:
        return False


def _chain(stream: Stream) -> list[bytes]:
    """The DER certificates the server sent, leaf first (the leaf alone where the chain is unavailable)."""
    ssl_object = stream.ssl_object
    if ssl_object is None:
        return []
    try:
        # Python 3.13 makes this public (get_unverified_chain); 3.11 has it on the private object.
        chain = ssl_object._sslobj.get_unverified_chain()  # type: ignore[attr-defined]
        ders = [certificate.public_bytes(_ENCODING_DER) for certificate in chain or []]
    except (AttributeError, ValueError, ssl.SSLError):
        ders = []
    if not ders:
        leaf = ssl_object.getpeercert(binary_form=True)
        ders = [leaf] if leaf else []
    return ders


async def _handshake(context: ProbeContext, service: Service) -> None:
    """Complete a TLS handshake and record the session and chain in ``service.tls``."""
    stream = await context.connect(tls=unverified_tls_context())
    ssl_object = stream.ssl_object
    if ssl_object is None:
        raise ProbeError("no TLS session after the handshake")
    version = ssl_object.version() or ""
    cipher, _, bits = ssl_object.cipher() or ("", "", 0)
    observed: dict[str, Any] = {
        "version": version,
        "cipher": cipher,
        "bits": bits,
        "key_exchange": key_exchange(version, cipher),
        "alpn": ssl_object.selected_alpn_protocol() or "",
        "server_name": context.server_name,
        "hostname_match": None,
    }
    observed.update(describe_chain(_chain(stream)))
    certificates = observed["certificates"]
    if context.server_name and certificates:
        observed["hostname_match"] = hostname_matches(context.server_name, certificates[0])
    previous = service.tls or {}
    # The legacy and weak-suite probes may have run first on a re-identified service: keep their facts.
    service.tls = {**{k: v for k, v in previous.items() if k.startswith(("legacy", "weak"))}, **observed}
    if service.name in _WEB_NAMES:
        service.name = "https"


def _tls_up(service: Service) -> bool:
    return bool(service.tls and service.tls.get("version"))


@probe("tls", ports=TLS_PORTS, services=TLS_SERVICES, order=10)
async def probe_tls(context: ProbeContext, service: Service) -> None:
    """Handshake, session and certificate chain of a TLS service."""
    if _tls_up(service):
        return  # the fallback sniff already did this handshake
    await _handshake(context, service)


@probe("tls_sniff", order=10, fallback=True)
async def probe_tls_sniff(context: ProbeContext, service: Service) -> None:
    """On a port no probe claims: whether it speaks TLS (then it is renamed and fully probed)."""
    await _handshake(context, service)


@probe("tls_legacy", ports=TLS_PORTS, services=TLS_SERVICES, order=11)
async def probe_tls_legacy(context: ProbeContext, service: Service) -> None:
    """Whether the server still accepts TLS 1.0 or 1.1: one ClientHello offering at most TLS 1.1."""
    if not _tls_up(service) or service.tls is None:
        return
    stream = await context.connect()
    hello = await exchange_hello(stream, 0x0302, LEGACY_SUITES, context.server_name)
    legacy = hello.version if hello.accepted and hello.version in {"SSLv3", "TLSv1", "TLSv1.1"} else None
    service.tls["legacy_checked"] = True
    service.tls["legacy_version"] = legacy
    service.tls["legacy_cipher"] = hello.suite.name if legacy and hello.suite else None


@probe("tls_weak_ciphers", ports=TLS_PORTS, services=TLS_SERVICES, order=12)
async def probe_tls_weak_ciphers(context: ProbeContext, service: Service) -> None:
    """Whether the server accepts a weak suite: one TLS 1.2 ClientHello offering only weak suites."""
    if not _tls_up(service) or service.tls is None:
        return
    stream = await context.connect()
    hello = await exchange_hello(stream, 0x0303, WEAK_SUITES, context.server_name)
    service.tls["weak_checked"] = True
    suite = hello.suite if hello.accepted else None
    service.tls["weak_cipher"] = (
        {"name": suite.name, "code": f"0x{suite.code:04X}", "weakness": suite.weakness.value if suite.weakness else ""}
        if suite is not None
        else None
    )
    service.tls["weak_version"] = hello.version if suite is not None else None
