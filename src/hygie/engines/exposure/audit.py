"""An exposure audit from end to end: perimeter, discovery, identification, DNS, judgement.

Every target goes through the perimeter first; a refused target is listed with the reason in
``ScanResult.refused`` and never receives a packet. Names are resolved through the configured
resolver (the system's when none is configured), and the scan then connects to the addresses the
perimeter approved, never to a name resolved again later (a record changed in between cannot
redirect the scan elsewhere).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hygie.engines._core import NullProgress, Progress
from hygie.engines.exposure.dns import DnsError, ResolverConfig, collect_domain, resolve_addresses
from hygie.engines.exposure.identify import identify, new_service
from hygie.engines.exposure.judge import judge
from hygie.engines.exposure.model import DomainReport, Host, ScanResult
from hygie.engines.exposure.perimeter import Perimeter, PerimeterError, normalise_name
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.ports import HOSPITAL_PORTS
from hygie.engines.exposure.registry import JudgeContext
from hygie.engines.exposure.scanner import discover

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hygie.engines.exposure.cves import CveCatalogue
    from hygie.engines.exposure.kev import KevCatalogue

__all__ = ["MAX_ADDRESSES", "AuditRequest", "ExposureError", "Targets", "plan_targets", "run_audit"]

#: Most addresses one audit may cover: a /16. Larger perimeters are split into several audits.
MAX_ADDRESSES = 65536


class ExposureError(Exception):
    """An audit that cannot run as asked (nothing allowed, too many addresses...); the message says why."""


@dataclass(frozen=True, slots=True)
class AuditRequest:
    """What to audit: targets (addresses, ranges, names), DNS domains, ports and politeness."""

    targets: tuple[str, ...]
    domains: tuple[str, ...] = ()
    ports: tuple[int, ...] = HOSPITAL_PORTS
    policy: ScanPolicy = field(default_factory=ScanPolicy)
    resolver: ResolverConfig | None = None


@dataclass(slots=True)
class Targets:
    """The approved addresses (in order), the name each was declared by, and the refusals."""

    addresses: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)


def _expand(decided: Sequence[str]) -> list[str]:
    """Addresses of approved ranges (hosts only for IPv4 ranges wider than /31)."""
    out: list[str] = []
    for text in decided:
        network = ipaddress.ip_network(text, strict=False)
        if network.num_addresses > MAX_ADDRESSES:
            raise ExposureError(f"{network} holds more than {MAX_ADDRESSES} addresses: split the audit")
        hosts = network.hosts() if network.num_addresses > 2 else iter(network)  # noqa: PLR2004 - /31 and /32
        out.extend(str(address) for address in hosts)
    return out


def plan_targets(request: AuditRequest, perimeter: Perimeter, now: datetime) -> Targets:
    """Ask the perimeter about every target and domain; nothing is contacted but the resolver."""
    resolver = request.resolver or ResolverConfig()
    plan = Targets()

    def resolve(name: str) -> list[str]:
        try:
            return resolve_addresses(name, resolver)
        except DnsError as error:
            raise OSError(str(error)) from error

    seen: set[str] = set()
    for target in request.targets:
        decision = perimeter.decide(target, resolve=resolve, now=now)
        if not decision.allowed:
            plan.refused.append({"target": target, "reason": decision.reason})
            continue
        name = normalise_name(target) if _is_name(target) else None
        for address in _expand(decision.addresses):
            if name is not None:
                plan.names.setdefault(address, name)
            if address not in seen:
                seen.add(address)
                plan.addresses.append(address)
        if len(plan.addresses) > MAX_ADDRESSES:
            raise ExposureError(f"the targets hold more than {MAX_ADDRESSES} addresses: split the audit")
    _plan_domains(plan, request.domains, perimeter, now)
    return plan


def _plan_domains(plan: Targets, domains: Sequence[str], perimeter: Perimeter, now: datetime) -> None:
    """Approve the DNS domains declared in the perimeter; refuse the others with the reason."""
    for domain in domains:
        reason = _domain_refusal(domain, perimeter, now)
        if reason:
            plan.refused.append({"target": domain, "reason": reason})
        else:
            plan.domains.append(normalise_name(domain))


def _is_name(target: str) -> bool:
    try:
        ipaddress.ip_network(target.strip(), strict=False)
    except ValueError:
        return True
    return False


def _domain_refusal(domain: str, perimeter: Perimeter, now: datetime) -> str:
    """Why the DNS of ``domain`` may not be audited ('' when it may): it must be declared."""
    if now >= perimeter.valid_until:
        return f"the authorisation by {perimeter.authorised_by} has ended"
    try:
        name = normalise_name(domain)
    except PerimeterError as error:
        return str(error)
    if name in perimeter.domains or name in perimeter.hostnames:
        return ""
    if any(name.endswith("." + declared) for declared in perimeter.domains):
        return ""
    return f"{name} is not a domain declared in the perimeter"


def run_audit(
    request: AuditRequest,
    *,
    perimeter: Perimeter,
    kev: KevCatalogue | None = None,
    cves: CveCatalogue | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Audit ``request`` inside ``perimeter`` and judge the result.

    Raises ``ExposureError`` when nothing at all may be audited (every target refused), so a typo
    in a target never looks like a clean perimeter.
    """
    now = now or datetime.now(tz=UTC)
    progress = progress or NullProgress()
    if not request.targets and not request.domains:
        raise ExposureError("nothing to audit: give targets or domains")
    plan = plan_targets(request, perimeter, now)
    if not plan.addresses and not plan.domains:
        reasons = "; ".join(f"{item['target']}: {item['reason']}" for item in plan.refused)
        raise ExposureError(f"every target was refused by the perimeter ({reasons})")
    result = asyncio.run(_audit(request, plan, perimeter, progress))
    result.started_at = now
    context = JudgeContext(now=now, kev=kev)
    if cves is not None:
        context.extra["cves"] = cves
    judge(result, context)
    return result


async def _audit(request: AuditRequest, plan: Targets, perimeter: Perimeter, progress: Progress) -> ScanResult:
    """Discovery, identification and DNS, sharing one rate limiter and one per-host gate."""
    policy = request.policy
    rate = RateLimiter(policy.rate)
    gate = HostGate(policy)
    started = time.monotonic()
    hosts: list[Host] = []
    stats: dict[str, Any] = {"addresses": len(plan.addresses), "ports": len(request.ports)}
    if plan.addresses:
        found = await discover(plan.addresses, request.ports, policy=policy, rate=rate, gate=gate, progress=progress)
        stats.update(
            attempts=found.attempts,
            discovery_seconds=round(found.duration, 3),
            filtered=sum(len(ports) for ports in found.filtered.values()),
            skipped=found.skipped,
        )
        for address in plan.addresses:
            ports = found.open_ports.get(address)
            if ports:
                name = plan.names.get(address)
                hosts.append(Host(address, [name] if name else [], [new_service(port) for port in ports]))
        identify_started = time.monotonic()
        await identify(hosts, policy=policy, rate=rate, gate=gate, names=plan.names, progress=progress)
        stats["identification_seconds"] = round(time.monotonic() - identify_started, 3)
    domains = await _dns(plan, request, perimeter, progress)
    stats["seconds"] = round(time.monotonic() - started, 3)
    stats["policy"] = _policy_dict(policy)
    return ScanResult(
        started_at=datetime.now(tz=UTC),
        finished_at=datetime.now(tz=UTC),
        source="scan",
        hosts=hosts,
        domains=domains,
        refused=plan.refused,
        ports=list(request.ports),
        stats=stats,
    )


async def _dns(plan: Targets, request: AuditRequest, perimeter: Perimeter, progress: Progress) -> list[DomainReport]:
    """DNS and e-mail observations of every approved domain (dnspython is blocking: run in a thread)."""
    if not plan.domains:
        return []
    resolver = request.resolver or ResolverConfig()
    now = datetime.now(tz=UTC)

    def may_connect(address: str) -> bool:
        # Zone transfers connect to the domain's name servers: only those the perimeter approves.
        return perimeter.decide(address, resolve=lambda _name: [], now=now).allowed

    progress.start("dns", len(plan.domains))
    reports = []
    for domain in plan.domains:
        names = sorted({name for name in plan.names.values() if name == domain or name.endswith("." + domain)})
        reports.append(await asyncio.to_thread(collect_domain, domain, resolver, may_connect=may_connect, names=names))
        progress.advance(1)
    return reports


def _policy_dict(policy: ScanPolicy) -> dict[str, Any]:
    return {
        "rate": policy.rate,
        "host_concurrency": policy.host_concurrency,
        "host_connection_cap": policy.host_connection_cap,
        "connect_timeout": policy.connect_timeout,
        "retries": policy.retries,
        "probe_timeout": policy.probe_timeout,
        "concurrency": policy.concurrency,
    }
