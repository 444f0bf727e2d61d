"""Judgement: every registered check over a scan result, then the findings sorted and the score set.

The checks never connect, so the same judgement applies to our own scans and to imported nmap or
masscan results. A check that raises is a bug in that check: the exception propagates with the
check's id in its notes, rather than a silently shorter list of findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from hygie.engines.exposure import checks as _checks  # noqa: F401 - registers every check
from hygie.engines.exposure.model import finding_target
from hygie.engines.exposure.registry import CHECKS, KINDS, CheckKind
from hygie.engines.exposure.score import exposure_score

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.model import ScanResult
    from hygie.engines.exposure.registry import (
        DomainCheckImpl,
        JudgeContext,
        ScanCheckImpl,
        ServiceCheckImpl,
    )

__all__ = ["judge", "sort_findings"]


def judge(result: ScanResult, context: JudgeContext) -> None:
    """Run every registered check on ``result``; replace ``result.findings`` and set ``result.score``.

    Findings are deduplicated by fingerprint (the worst of duplicates is kept) and sorted worst
    first, then by check id and target.
    """
    findings: list[Finding] = []
    for spec in CHECKS:
        kind = KINDS[spec.check_id]
        try:
            if kind is CheckKind.SERVICE:
                service_check = cast("ServiceCheckImpl", spec.implementation)
                for host in result.hosts:
                    for service in host.services:
                        findings.extend(service_check(host, service, context))
            elif kind is CheckKind.DOMAIN:
                domain_check = cast("DomainCheckImpl", spec.implementation)
                for report in result.domains:
                    findings.extend(domain_check(report, context))
            else:
                findings.extend(cast("ScanCheckImpl", spec.implementation)(result, context))
        except Exception as error:
            error.add_note(f"raised by the exposure check {spec.check_id!r}")
            raise
    result.findings = sort_findings(findings)
    result.score = exposure_score(result)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """``findings`` without duplicate fingerprints (the worst kept), worst first, then by check and target."""
    unique: dict[str, Finding] = {}
    for finding in findings:
        kept = unique.get(finding.fingerprint)
        if kept is None or finding.severity > kept.severity:
            unique[finding.fingerprint] = finding
    return sorted(unique.values(), key=lambda f: (-f.severity, f.check_id, finding_target(f)))
