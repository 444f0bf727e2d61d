"""The exposure engine's registries: protocol probes and judgement checks (sslyze style).

A **probe** identifies what listens on an open port. It is an async function registered with
:func:`probe`, given a :class:`~hygie.engines.exposure.connection.ProbeContext` (one connection
at most) and the :class:`~hygie.engines.exposure.model.Service` to fill: it sets ``name``,
``product``, ``version`` when it recognises them and stores its observation in
``service.details[probe_id]`` (TLS in ``service.tls``). It raises ``ProbeError`` when the port does
not speak its protocol. A probe runs on the ports it names and on every service whose ``name`` it
names, so a probe also runs on non-standard ports once another probe (or nmap) named the service.

A **check** judges observations and returns findings. Service checks see one host's service at a
time, domain checks one domain's DNS report, scan checks the whole result. They never connect:
the same judgement therefore applies to imported nmap or masscan results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from hygie.engines._core import AffectedObject, CheckRegistry, Finding, Reference, ReferenceKind, Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from hygie.engines.exposure.connection import ProbeContext
    from hygie.engines.exposure.kev import KevCatalogue
    from hygie.engines.exposure.model import DomainReport, Host, ScanResult, Service

__all__ = [
    "CHECKS",
    "KINDS",
    "PROBES",
    "REMEDIATIONS",
    "CheckKind",
    "JudgeContext",
    "ProbeImpl",
    "ProbeSpec",
    "domain_check",
    "make_finding",
    "probe",
    "probes_for",
    "scan_check",
    "service_check",
]


class ProbeImpl(Protocol):
    """A protocol probe: one connection through ``context``, observations into ``service``."""

    async def __call__(self, context: ProbeContext, service: Service) -> None:
        """Identify the service behind ``context``; ``ProbeError`` when it does not speak the protocol."""
        ...


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A registered probe: where it runs and in which order (lower first)."""

    probe_id: str
    run: ProbeImpl
    ports: frozenset[int]
    services: frozenset[str]
    order: int = 50
    fallback: bool = False


#: Probe id -> probe. Filled by the modules of ``hygie.engines.exposure.probes``.
PROBES: dict[str, ProbeSpec] = {}


def probe(
    probe_id: str, *, ports: Iterable[int] = (), services: Iterable[str] = (), order: int = 50, fallback: bool = False
) -> Callable[[ProbeImpl], ProbeImpl]:
    """Register a probe running on ``ports`` and on services named in ``services``.

    ``fallback`` probes run on open ports that no other probe claims (banner grabbing,
    TLS and HTTP sniffing on unknown ports). ``order`` sorts probes on one port: a probe that
    names the service (the TLS probe before the HTTP probe) runs first.
    """
    if not probe_id.isidentifier() or probe_id != probe_id.lower():
        raise ValueError(f"probe id {probe_id!r} must be a lower-case identifier")

    def register(run: ProbeImpl) -> ProbeImpl:
        if probe_id in PROBES:
            raise ValueError(f"probe {probe_id!r} is registered twice")
        PROBES[probe_id] = ProbeSpec(probe_id, run, frozenset(ports), frozenset(services), order, fallback)
        return run

    return register


def probes_for(service: Service) -> list[ProbeSpec]:
    """The probes to run on ``service``: those naming its port or its service, else the fallbacks."""
    chosen = [
        spec
        for spec in PROBES.values()
        if not spec.fallback and (service.port in spec.ports or (service.name and service.name in spec.services))
    ]
    if not chosen:
        chosen = [spec for spec in PROBES.values() if spec.fallback]
    return sorted(chosen, key=lambda spec: (spec.order, spec.probe_id))


class CheckKind(StrEnum):
    """What a check looks at."""

    SERVICE = "service"
    DOMAIN = "domain"
    SCAN = "scan"


@dataclass(slots=True)
class JudgeContext:
    """What checks may consult beyond the observations: the reference time and the KEV catalogue."""

    now: datetime
    kev: KevCatalogue | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ServiceCheckImpl(Protocol):
    """Judges one service of one host."""

    def __call__(self, host: Host, service: Service, context: JudgeContext) -> list[Finding]:
        """Findings about ``service`` on ``host``."""
        ...


class DomainCheckImpl(Protocol):
    """Judges one declared domain's DNS observations."""

    def __call__(self, report: DomainReport, context: JudgeContext) -> list[Finding]:
        """Findings about the domain of ``report``."""
        ...


class ScanCheckImpl(Protocol):
    """Judges the whole result (counts, spread of a service over hosts...)."""

    def __call__(self, result: ScanResult, context: JudgeContext) -> list[Finding]:
        """Findings about the whole scan."""
        ...


CheckImpl = ServiceCheckImpl | DomainCheckImpl | ScanCheckImpl

#: Check id -> check, in the ``exposure.`` namespace.
CHECKS: CheckRegistry[CheckImpl] = CheckRegistry("exposure")
#: Check id -> what it looks at.
KINDS: dict[str, CheckKind] = {}
#: Check id -> what to do about its findings (English; the platform translates on display).
REMEDIATIONS: dict[str, str] = {}


def make_finding(
    check_id: str,
    affected: Iterable[AffectedObject],
    evidence: dict[str, Any],
    *,
    severity: Severity | None = None,
    remediation: str | None = None,
) -> Finding:
    """A finding of ``check_id`` with the title, severity, remediation and references of its registration.

    ``severity`` overrides the registered one where the evidence makes it worse or milder (a KEV
    entry used by ransomware, a certificate expired for a year...).
    """
    spec = CHECKS[check_id]
    return Finding(
        check_id=check_id,
        title=spec.title_en,
        severity=severity if severity is not None else spec.severity,
        affected=tuple(affected),
        evidence=evidence,
        remediation=remediation if remediation is not None else REMEDIATIONS[check_id],
        references=spec.references,
    )


def _check(
    kind: CheckKind,
    check_id: str,
    *,
    title_en: str,
    title_fr: str,
    severity: Severity,
    remediation: str,
    references: Iterable[str] = (),
) -> Callable[[CheckImpl], CheckImpl]:
    """Register a check of ``kind``; ``references`` are URLs or ``cve:...`` ids."""
    if not remediation.strip():
        raise ValueError(f"check {check_id!r} needs a remediation")
    refs = tuple(
        Reference(ReferenceKind.CVE, ref.removeprefix("cve:"))
        if ref.startswith("cve:")
        else Reference(ReferenceKind.URL, ref)
        for ref in references
    )
    register = CHECKS.register(check_id, title_en=title_en, title_fr=title_fr, severity=severity, references=refs)
    KINDS[check_id] = kind
    REMEDIATIONS[check_id] = remediation
    return register


def service_check(
    check_id: str, *, title_en: str, title_fr: str, severity: Severity, remediation: str, references: Iterable[str] = ()
) -> Callable[[ServiceCheckImpl], ServiceCheckImpl]:
    """Register a check run on every service of every host."""
    return _check(
        CheckKind.SERVICE,
        check_id,
        title_en=title_en,
        title_fr=title_fr,
        severity=severity,
        remediation=remediation,
        references=references,
    )  # type: ignore[return-value]


def domain_check(
    check_id: str, *, title_en: str, title_fr: str, severity: Severity, remediation: str, references: Iterable[str] = ()
) -> Callable[[DomainCheckImpl], DomainCheckImpl]:
    """Register a check run on every declared domain's DNS report."""
    return _check(
        CheckKind.DOMAIN,
        check_id,
        title_en=title_en,
        title_fr=title_fr,
        severity=severity,
        remediation=remediation,
        references=references,
    )  # type: ignore[return-value]


def scan_check(
    check_id: str, *, title_en: str, title_fr: str, severity: Severity, remediation: str, references: Iterable[str] = ()
) -> Callable[[ScanCheckImpl], ScanCheckImpl]:
    """Register a check run once on the whole result."""
    return _check(
        CheckKind.SCAN,
        check_id,
        title_en=title_en,
        title_fr=title_fr,
        severity=severity,
        remediation=remediation,
        references=references,
    )  # type: ignore[return-value]
