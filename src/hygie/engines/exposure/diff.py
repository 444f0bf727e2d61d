"""What changed between two audits of the same perimeter: services opened, closed or changed, findings.

Services are matched by address, port and protocol; findings by fingerprint (check id and affected
objects), so a finding whose evidence changed is the same finding, and one whose severity changed
is reported in ``changed_findings``. The dashboard highlights ``new_services`` and ``new_findings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.model import finding_target, service_label

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.model import ScanResult, Service

__all__ = ["ScanDiff", "ServiceChange", "ServiceRef", "diff_scans", "tls_expiry"]


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """A service of one audit, as the diff shows it."""

    address: str
    port: int
    protocol: str
    name: str
    product: str
    version: str
    category: str

    @property
    def label(self) -> str:
        """``198.51.100.7:443/tcp``."""
        return service_label(self.address, self.port, self.protocol)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "target": self.label,
            "address": self.address,
            "port": self.port,
            "protocol": self.protocol,
            "name": self.name,
            "product": self.product,
            "version": self.version,
            "category": self.category,
        }


@dataclass(frozen=True, slots=True)
class ServiceChange:
    """A service open in both audits whose identity changed: ``changes[field] = (old, new)``."""

    service: ServiceRef
    changes: dict[str, tuple[str, str]]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            **self.service.to_dict(),
            "changes": {key: {"old": old, "new": new} for key, (old, new) in self.changes.items()},
        }


@dataclass(slots=True)
class ScanDiff:
    """The differences from an old audit to a new one."""

    new_services: list[ServiceRef] = field(default_factory=list)
    closed_services: list[ServiceRef] = field(default_factory=list)
    changed_services: list[ServiceChange] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    resolved_findings: list[Finding] = field(default_factory=list)
    changed_findings: list[tuple[Finding, Finding]] = field(default_factory=list)
    score_before: int = 0
    score_after: int = 0

    @property
    def is_empty(self) -> bool:
        """Whether nothing changed (the score aside, which follows the rest)."""
        return not (
            self.new_services
            or self.closed_services
            or self.changed_services
            or self.new_findings
            or self.resolved_findings
            or self.changed_findings
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form; findings carry their ``target`` like in the scan result."""
        return {
            "new_services": [s.to_dict() for s in self.new_services],
            "closed_services": [s.to_dict() for s in self.closed_services],
            "changed_services": [c.to_dict() for c in self.changed_services],
            "new_findings": [_finding(f) for f in self.new_findings],
            "resolved_findings": [_finding(f) for f in self.resolved_findings],
            "changed_findings": [
                {**_finding(new), "old_severity": old.severity.name.lower()} for old, new in self.changed_findings
            ],
            "score": {"before": self.score_before, "after": self.score_after},
            "is_empty": self.is_empty,
        }


def _finding(finding: Finding) -> dict[str, Any]:
    item = finding.to_dict()
    item["target"] = finding_target(finding)
    return item


def tls_expiry(tls: dict[str, Any] | None) -> str:
    """The leaf certificate's expiry in a TLS observation ('' when none).

    Reads ``tls["certificate"]["not_after"]`` (imports), ``tls["not_after"]`` or the first entry of
    ``tls["chain"]``, whichever the observation has.
    """
    if not tls:
        return ""
    candidates: list[Any] = [tls.get("certificate"), tls]
    chain = tls.get("chain")
    if isinstance(chain, list) and chain:
        candidates.append(chain[0])
    for candidate in candidates:
        if isinstance(candidate, dict) and isinstance(candidate.get("not_after"), str) and candidate["not_after"]:
            return str(candidate["not_after"])
    return ""


def _ref(address: str, service: Service) -> ServiceRef:
    return ServiceRef(
        address,
        service.port,
        service.protocol,
        service.name,
        service.product,
        service.version,
        service.category.value,
    )


def _services(result: ScanResult) -> dict[tuple[str, int, str], tuple[str, Service]]:
    return {
        (host.address, service.port, service.protocol): (host.address, service)
        for host in result.hosts
        for service in host.services
    }


def diff_scans(old: ScanResult, new: ScanResult) -> ScanDiff:
    """What changed from ``old`` to ``new`` (both judged, for the findings part)."""
    before, after = _services(old), _services(new)
    diff = ScanDiff(score_before=old.score, score_after=new.score)
    for key in sorted(after.keys() - before.keys(), key=_order):
        diff.new_services.append(_ref(*after[key]))
    for key in sorted(before.keys() - after.keys(), key=_order):
        diff.closed_services.append(_ref(*before[key]))
    for key in sorted(before.keys() & after.keys(), key=_order):
        (_, was), (address, now) = before[key], after[key]
        changes = {
            name: (old_value, new_value)
            for name, old_value, new_value in (
                ("name", was.name, now.name),
                ("product", was.product, now.product),
                ("version", was.version, now.version),
                ("tls_not_after", tls_expiry(was.tls), tls_expiry(now.tls)),
            )
            if old_value != new_value
        }
        if changes:
            diff.changed_services.append(ServiceChange(_ref(address, now), changes))
    old_findings = {f.fingerprint: f for f in old.findings}
    new_findings = {f.fingerprint: f for f in new.findings}
    diff.new_findings = [f for f in new.findings if f.fingerprint not in old_findings]
    diff.resolved_findings = [f for f in old.findings if f.fingerprint not in new_findings]
    diff.changed_findings = [
        (old_findings[f.fingerprint], f)
        for f in new.findings
        if f.fingerprint in old_findings and old_findings[f.fingerprint].severity != f.severity
    ]
    return diff


def _order(key: tuple[str, int, str]) -> tuple[int, str, int, str]:
    address, port, protocol = key
    # Numeric order of IPv4 addresses reads best in reports; IPv6 after, as text.
    parts = address.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):  # noqa: PLR2004 - IPv4 dotted quad
        return (4, ".".join(f"{int(p):03d}" for p in parts), port, protocol)
    return (6, address, port, protocol)
