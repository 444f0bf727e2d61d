"""What an exposure audit observed: hosts, their services, the DNS of declared domains, the findings.

The same model is filled by our own scan and by imported nmap or masscan results, so one judgement
applies to both. ``ScanResult.to_dict`` is the JSON contract of ``hygie exposure scan --format json``
and of the platform (``hosts[]`` with ``services[]``, ``findings[]`` with ``target``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hygie.engines._core import AffectedObject, Finding

__all__ = [
    "FORMAT_VERSION",
    "MAX_BANNER",
    "Category",
    "DomainReport",
    "Host",
    "ResultFormatError",
    "ScanResult",
    "Service",
    "domain_object",
    "finding_target",
    "host_object",
    "printable",
    "service_label",
    "service_object",
]

#: Version of the JSON form; bumped when a field changes meaning.
FORMAT_VERSION = 1

#: Longest banner kept: enough to identify a product, not enough to store a hostile payload.
MAX_BANNER = 256


class ResultFormatError(ValueError):
    """A scan result (JSON) that breaks the contract; the message says which field."""


class Category(StrEnum):
    """What a service gives an attacker, the axis of the judgement and of the exposure map."""

    REMOTE_ACCESS = "remote_access"
    FILE_SHARING = "file_sharing"
    DATABASE = "database"
    MEDICAL = "medical"
    ADMIN = "admin"
    VPN = "vpn"
    WEB = "web"
    MAIL = "mail"
    DIRECTORY = "directory"
    OTHER = "other"


def printable(data: bytes | str, limit: int = MAX_BANNER) -> str:
    """``data`` cut to ``limit`` characters with control and non-ASCII bytes escaped (hostile banners)."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    out = []
    for char in text[:limit]:
        code = ord(char)
        out.append(char if 0x20 <= code < 0x7F else f"\\x{code:02x}" if code < 0x100 else "?")  # noqa: PLR2004
    return "".join(out)


@dataclass(slots=True)
class Service:
    """An open TCP port and what the probes (or an imported scan) learnt of it.

    ``details`` holds each probe's observation under the probe id (``details["ssh"]["kex"]``...);
    ``errors`` the probes that failed, with why. ``tls`` is the TLS probe's observation, kept apart
    because reports and the JSON contract show it for every service. ``product`` is the product's
    usual name ("OpenSSH", "FortiOS", "nginx"), ``cpe`` its CPE 2.3 name when known
    (``cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*``), which the KEV and CVE matching read.
    """

    port: int
    protocol: str = "tcp"
    name: str = ""
    product: str = ""
    version: str = ""
    cpe: str = ""
    category: Category = Category.OTHER
    banner: str = ""
    tls: dict[str, Any] | None = None
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    source: str = "scan"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "port": self.port,
            "protocol": self.protocol,
            "name": self.name,
            "product": self.product,
            "version": self.version,
            "cpe": self.cpe,
            "category": self.category.value,
            "banner": self.banner,
            "tls": self.tls,
            "details": self.details,
            "errors": self.errors,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Service:
        """Inverse of ``to_dict``; ``ResultFormatError`` on malformed data."""
        _expect(isinstance(data, dict), "each service must be an object")
        port = data.get("port")
        _expect(isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536, f"bad port {port!r}")  # noqa: PLR2004
        try:
            category = Category(data.get("category") or Category.OTHER)
        except ValueError:
            category = Category.OTHER
        tls = data.get("tls")
        _expect(tls is None or isinstance(tls, dict), "'tls' must be an object or null")
        details = data.get("details") or {}
        errors = data.get("errors") or {}
        _expect(isinstance(details, dict) and isinstance(errors, dict), "'details' and 'errors' must be objects")
        return cls(
            port=port,
            protocol=_text(data, "protocol") or "tcp",
            name=_text(data, "name"),
            product=_text(data, "product"),
            version=_text(data, "version"),
            cpe=_text(data, "cpe"),
            category=category,
            banner=_text(data, "banner"),
            tls=tls,
            details=details,
            errors={str(k): str(v) for k, v in errors.items()},
            source=_text(data, "source") or "scan",
        )


@dataclass(slots=True)
class Host:
    """An address with open services, and the names that led to it."""

    address: str
    names: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    def service(self, port: int, protocol: str = "tcp") -> Service | None:
        """The service on ``port``, if open."""
        return next((s for s in self.services if s.port == port and s.protocol == protocol), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "address": self.address,
            "names": list(self.names),
            "services": [s.to_dict() for s in sorted(self.services, key=lambda s: (s.protocol, s.port))],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Host:
        """Inverse of ``to_dict``."""
        _expect(isinstance(data, dict), "each host must be an object")
        address = _text(data, "address")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ResultFormatError(f"{printable(address, 60)!r} is not an IP address") from None
        names = data.get("names") or []
        _expect(isinstance(names, list) and all(isinstance(n, str) for n in names), "'names' must be strings")
        services = data.get("services") or []
        _expect(isinstance(services, list), "'services' must be a list")
        return cls(address=address, names=list(names), services=[Service.from_dict(s) for s in services])


@dataclass(slots=True)
class DomainReport:
    """What the DNS and e-mail checks observed of one declared domain, per check (``records["spf"]``...)."""

    domain: str
    records: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"domain": self.domain, "records": self.records, "errors": self.errors}

    @classmethod
    def from_dict(cls, data: Any) -> DomainReport:
        """Inverse of ``to_dict``."""
        _expect(isinstance(data, dict), "each domain must be an object")
        records = data.get("records") or {}
        errors = data.get("errors") or {}
        _expect(isinstance(records, dict) and isinstance(errors, dict), "'records' and 'errors' must be objects")
        return cls(domain=_text(data, "domain"), records=records, errors={str(k): str(v) for k, v in errors.items()})


def service_label(address: str, port: int, protocol: str = "tcp") -> str:
    """``198.51.100.7:443/tcp`` (``[2001:db8::1]:443/tcp`` for IPv6): how findings name a service."""
    host = f"[{address}]" if ":" in address else address
    return f"{host}:{port}/{protocol}"


def service_object(address: str, service: Service) -> AffectedObject:
    """The affected object a service finding names."""
    label = service_label(address, service.port, service.protocol)
    return AffectedObject("service", label, label)


def host_object(address: str) -> AffectedObject:
    """The affected object a host finding names."""
    return AffectedObject("host", address, address)


def domain_object(domain: str) -> AffectedObject:
    """The affected object a DNS finding names."""
    return AffectedObject("domain", domain, domain)


def finding_target(finding: Finding) -> str:
    """The one-string target of a finding in the JSON contract (the first affected object)."""
    if not finding.affected:
        return ""
    first = finding.affected[0]
    return first.identifier or first.name


@dataclass(slots=True)
class ScanResult:
    """One exposure audit: what was scanned, what answered, what it means.

    ``refused`` lists the targets the perimeter refused, with the reason; nothing was sent to them.
    ``stats`` holds figures of the run (ports tried, connections, durations); ``source`` is
    ``scan``, ``nmap`` or ``masscan``.
    """

    started_at: datetime
    finished_at: datetime
    source: str = "scan"
    hosts: list[Host] = field(default_factory=list)
    domains: list[DomainReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    score: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def host(self, address: str) -> Host | None:
        """The host at ``address``, if any service answered there."""
        return next((h for h in self.hosts if h.address == address), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract; each finding gains ``target``."""
        findings = []
        for finding in self.findings:
            item = finding.to_dict()
            item["target"] = finding_target(finding)
            findings.append(item)
        return {
            "format_version": FORMAT_VERSION,
            "source": self.source,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "ports": list(self.ports),
            "score": self.score,
            "hosts": [h.to_dict() for h in sorted(self.hosts, key=_address_key)],
            "domains": [d.to_dict() for d in self.domains],
            "findings": findings,
            "refused": list(self.refused),
            "stats": self.stats,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ScanResult:
        """Inverse of ``to_dict``; ``ResultFormatError`` (or ``FindingFormatError``) on malformed data."""
        _expect(isinstance(data, dict), "a scan result must be a JSON object")
        version = data.get("format_version")
        _expect(version == FORMAT_VERSION, f"unsupported scan result format {version!r} (expected {FORMAT_VERSION})")
        try:
            started = datetime.fromisoformat(_text(data, "started_at"))
            finished = datetime.fromisoformat(_text(data, "finished_at"))
        except ValueError:
            raise ResultFormatError("'started_at' and 'finished_at' must be ISO dates") from None
        for key in ("hosts", "domains", "findings", "refused", "ports", "warnings"):
            _expect(isinstance(data.get(key, []), list), f"{key!r} must be a list")
        stats = data.get("stats") or {}
        _expect(isinstance(stats, dict), "'stats' must be an object")
        score = data.get("score", 0)
        _expect(isinstance(score, int), "'score' must be an integer")
        return cls(
            started_at=started,
            finished_at=finished,
            source=_text(data, "source") or "scan",
            hosts=[Host.from_dict(h) for h in data.get("hosts", [])],
            domains=[DomainReport.from_dict(d) for d in data.get("domains", [])],
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            refused=[
                {"target": str(r.get("target", "")), "reason": str(r.get("reason", ""))}
                for r in data.get("refused", [])
                if isinstance(r, dict)
            ],
            ports=[p for p in data.get("ports", []) if isinstance(p, int)],
            score=score,
            stats=stats,
            warnings=[str(w) for w in data.get("warnings", [])],
        )


def _address_key(host: Host) -> tuple[int, int]:
    """Sort hosts numerically, IPv4 first."""
    address = ipaddress.ip_address(host.address)
    return (address.version, int(address))


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ResultFormatError(f"malformed scan result: {message}")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    _expect(isinstance(value, str), f"{key!r} must be a string")
    return str(value)
