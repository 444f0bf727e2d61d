"""Name servers reachable from the Internet: version disclosed, recursion offered to anybody."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hygie.engines._core import Severity
from hygie.engines.exposure.model import service_object
from hygie.engines.exposure.registry import make_finding, service_check

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.model import Host, Service
    from hygie.engines.exposure.registry import JudgeContext


@service_check(
    "exposure.dns_open_resolver",
    title_en="Name server offers recursion to anybody (open resolver)",
    title_fr="Serveur DNS récursif ouvert à tous (résolveur ouvert)",
    severity=Severity.MEDIUM,
    remediation=(
        "Restrict recursion to the establishment's own networks (allow-recursion / access-control) or "
        "turn it off on Internet-facing name servers: open resolvers serve amplification attacks."
    ),
)
def open_resolver(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """The server set RA in its answer to our question: it would resolve any name for us."""
    details = service.details.get("dns") or {}
    if not details.get("recursion_available"):
        return []
    return [make_finding("exposure.dns_open_resolver", [service_object(host.address, service)], dict(details))]


@service_check(
    "exposure.dns_version_disclosed",
    title_en="Name server discloses its software version",
    title_fr="Le serveur DNS divulgue la version de son logiciel",
    severity=Severity.LOW,
    remediation=(
        'Hide the version (BIND: version "none"; Unbound: hide-version: yes) so that an attacker cannot '
        "pick exploits by version without effort; keep the server up to date."
    ),
)
def version_disclosed(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
    """``version.bind`` answered with a version number."""
    details = service.details.get("dns") or {}
    if not service.version or not details.get("version_text"):
        return []
    evidence = {"version_text": details["version_text"], "product": service.product, "version": service.version}
    return [make_finding("exposure.dns_version_disclosed", [service_object(host.address, service)], evidence)]
