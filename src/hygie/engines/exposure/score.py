"""The exposure score (0 nothing exposed .. 100 worst) and the map of exposed services, for reports.

Score formula (documented for the management summary)::

    raw   = sum(FINDING_WEIGHTS[finding.severity] for each finding)
          + sum(CATEGORY_WEIGHTS[service.category] for each exposed service)
    score = round(100 * (1 - exp(-raw / SCALE)))   (at least 1 when raw > 0)

The exponential gives diminishing returns: one exposed RDP server (a critical finding on a remote
access service, raw 44) already scores about 52, ten of them do not score ten times more, and the
score reaches 100 (by rounding) only past a raw score of about 320. Every weight is positive and the
curve increasing, so adding a finding or a service never lowers the score.
"""

from __future__ import annotations

import ipaddress
import math
from typing import TYPE_CHECKING, Any

from hygie.engines._core import Severity
from hygie.engines.exposure.model import Category, finding_target, service_label

if TYPE_CHECKING:
    from hygie.engines.exposure.model import ScanResult

__all__ = ["CATEGORY_WEIGHTS", "FINDING_WEIGHTS", "SCALE", "exposure_map", "exposure_score"]

#: What one finding adds to the raw score, by severity.
FINDING_WEIGHTS: dict[Severity, float] = {
    Severity.CRITICAL: 40.0,
    Severity.HIGH: 15.0,
    Severity.MEDIUM: 5.0,
    Severity.LOW: 1.5,
    Severity.INFO: 0.0,
}

#: What one exposed service adds to the raw score, by what it gives an attacker.
CATEGORY_WEIGHTS: dict[Category, float] = {
    Category.MEDICAL: 5.0,
    Category.REMOTE_ACCESS: 4.0,
    Category.FILE_SHARING: 4.0,
    Category.DATABASE: 4.0,
    Category.DIRECTORY: 3.0,
    Category.ADMIN: 2.0,
    Category.VPN: 1.0,
    Category.WEB: 0.5,
    Category.MAIL: 0.5,
    Category.OTHER: 0.5,
}

#: The raw score at which the score reaches 63 (1 - 1/e).
SCALE = 60.0


def exposure_score(result: ScanResult) -> int:
    """The exposure score of ``result``: 0 when nothing is exposed, towards 100 as exposure worsens."""
    raw = sum(FINDING_WEIGHTS[finding.severity] for finding in result.findings)
    raw += sum(CATEGORY_WEIGHTS[service.category] for host in result.hosts for service in host.services)
    if raw <= 0:
        return 0
    return max(1, min(100, round(100 * (1 - math.exp(-raw / SCALE)))))


def exposure_map(result: ScanResult) -> dict[str, list[dict[str, Any]]]:
    """Category -> the exposed services of that category (address and port order), with their worst finding.

    Each service is ``{"address", "port", "protocol", "name", "product", "version", "worst_severity",
    "findings"}``; ``worst_severity`` is ``None`` when no finding names the service. Categories follow
    the order of :class:`~hygie.engines.exposure.model.Category`; empty ones are left out.
    """
    worst: dict[str, Severity] = {}
    counts: dict[str, int] = {}
    for finding in result.findings:
        target = finding_target(finding)
        counts[target] = counts.get(target, 0) + 1
        if target not in worst or finding.severity > worst[target]:
            worst[target] = finding.severity
    grouped: dict[Category, list[tuple[tuple[int, int, int], dict[str, Any]]]] = {}
    for host in result.hosts:
        for service in host.services:
            label = service_label(host.address, service.port, service.protocol)
            severity = worst.get(label)
            entry = {
                "address": host.address,
                "port": service.port,
                "protocol": service.protocol,
                "name": service.name,
                "product": service.product,
                "version": service.version,
                "worst_severity": severity.name.lower() if severity is not None else None,
                "findings": counts.get(label, 0),
            }
            grouped.setdefault(service.category, []).append((_order(host.address, service.port), entry))
    return {
        category.value: [entry for _, entry in sorted(grouped[category], key=lambda item: item[0])]
        for category in Category
        if category in grouped
    }


def _order(address: str, port: int) -> tuple[int, int, int]:
    """IPv4 before IPv6, addresses numerically (``10.0.0.9`` before ``10.0.0.10``), then the port."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return (99, 0, port)
    return (parsed.version, int(parsed), port)
