"""Run every registered directory check on a snapshot and score the result."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import hygie.engines.directory.checks  # noqa: F401 - importing registers the checks
from hygie.engines._core import NullProgress
from hygie.engines.directory import graph
from hygie.engines.directory.registry import CHECKS, NotEvaluatedError
from hygie.engines.directory.scoring import anssi_level, category_scores

if TYPE_CHECKING:
    from hygie.engines._core import Finding, Progress
    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["AuditResult", "audit"]


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Outcome of one audit: ANSSI level, overall risk score, scores per category, findings."""

    level: int
    score: int
    categories: dict[str, int]
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...] = ()
    #: check id -> why it could not be evaluated on this snapshot (data the collector lacks).
    not_evaluated: dict[str, str] = field(default_factory=dict)
    checks_run: int = 0
    #: Paths into Tier 0 and the cut; None when the audit was asked to skip them.
    attack_paths: graph.AttackPaths | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the CLI and API."""
        return {
            "level": self.level,
            "score": self.score,
            "categories": dict(self.categories),
            "findings": [
                {
                    "check_id": finding.check_id,
                    "title": finding.title,
                    "severity": finding.severity.name.lower(),
                    "anssi": [ref.id for ref in finding.references if ref.kind == "anssi"],
                    "objects": [obj.to_dict() for obj in finding.affected],
                }
                for finding in self.findings
            ],
            "not_evaluated": [{"check_id": key, "reason": value} for key, value in self.not_evaluated.items()],
            "checks_run": self.checks_run,
            "warnings": list(self.warnings),
            "attack_paths": self.attack_paths.to_dict() if self.attack_paths is not None else None,
        }


def audit(
    snapshot: Snapshot,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    attack_paths: bool = True,
) -> AuditResult:
    """Run all checks against ``snapshot``; ``now`` is the reference time of age checks.

    ``attack_paths`` also computes the paths into Tier 0 and the cut (:mod:`.graph`).
    """
    now = now or datetime.now(UTC)
    progress = progress or NullProgress()
    findings: list[Finding] = []
    not_evaluated: dict[str, str] = {}
    specs = list(CHECKS)
    progress.start("directory checks", len(specs))
    for spec in specs:
        try:
            produced = spec.implementation(snapshot, now)
        except NotEvaluatedError as error:
            not_evaluated[spec.check_id] = error.reason
            produced = []
        # Findings carry the registered references so the JSON's ``anssi`` list is complete.
        findings.extend(
            finding if finding.references else _with_references(finding, spec.references) for finding in produced
        )
        progress.advance()
    failed = [finding.check_id for finding in findings]
    categories = category_scores(failed)
    return AuditResult(
        level=anssi_level(failed),
        score=max(categories.values(), default=0),
        categories=categories,
        findings=tuple(sorted(findings, key=lambda f: (-f.severity, f.check_id))),
        warnings=snapshot.warnings,
        not_evaluated=not_evaluated,
        checks_run=len(specs) - len(not_evaluated),
        attack_paths=graph.attack_paths(snapshot, progress=progress) if attack_paths else None,
    )


def _with_references(finding: Finding, references: tuple[Any, ...]) -> Finding:
    """A copy of ``finding`` citing ``references``."""
    return replace(finding, references=references)
