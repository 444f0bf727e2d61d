"""Awareness findings in the register (source ``awareness``), opened and closed by ``check_node``.

Two checks, evaluated on a node and on every node below it that holds a staff census or a
campaign:

- ``awareness.training_coverage_below_target``: one finding per staff category whose coverage over
  the last twelve months is under the node's (inherited) target;
- ``awareness.phishing_click_rate_above_ceiling``: the node's latest campaign has a click rate
  above the (inherited) ceiling; a later campaign under the ceiling closes it.

:func:`~hygie.apps.findings.ingest.ingest` upserts the findings of each node and closes, as fixed,
the ones no longer raised (back to target).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from hygie.apps.awareness.coverage import effective_targets, node_coverage
from hygie.apps.awareness.models import PhishingCampaign, StaffCategory, StaffCensus
from hygie.apps.findings.ingest import ingest
from hygie.apps.organizations.models import Node
from hygie.engines._core import AffectedObject, Finding, Reference, ReferenceKind, Severity

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["CHECK_CLICK", "CHECK_COVERAGE", "SOURCE", "check_node", "node_findings"]

SOURCE = "awareness"
CHECK_COVERAGE = "awareness.training_coverage_below_target"
CHECK_CLICK = "awareness.phishing_click_rate_above_ceiling"
#: Under half the target is high; otherwise medium.
_HIGH_GAP = 0.5


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}"


def node_findings(node: Node, as_of: dt.date) -> list[Finding]:
    """The awareness findings of ``node`` (its whole subtree's staff) on ``as_of``."""
    targets = effective_targets(node)
    findings: list[Finding] = []
    coverage = node_coverage(node, user=None, as_of=as_of)
    for category in coverage.below:
        rate, target = category.rate or 0.0, category.target or 0.0  # both set: ``below`` requires them
        label = StaffCategory(category.category).label
        findings.append(Finding(
            check_id=CHECK_COVERAGE,
            # The register stores the English title; the UI shows the evidence beside it.
            title=f"Digital-hygiene training coverage of {category.category} staff is below target",
            severity=Severity.HIGH if rate < target * _HIGH_GAP else Severity.MEDIUM,
            affected=(AffectedObject("staff_category", str(label), category.category),),
            evidence={"headcount": category.headcount, "trained": category.trained,
                      "coverage_pct": _pct(rate), "target_pct": _pct(target),
                      "window_days": 365, "as_of": as_of.isoformat()},
            remediation="Plan training sessions or an e-learning campaign for this category and import the "
                        "completions.",
            references=(Reference(ReferenceKind.ANSSI, "hygiene_2"),),
        ))
    latest = PhishingCampaign.objects.filter(node=node).order_by("-launched_on", "-id").first()
    if latest is not None and targets.click_ceiling_pct is not None:
        rate = latest.click_rate
        ceiling = float(targets.click_ceiling_pct) / 100
        if rate is not None and rate > ceiling:
            findings.append(Finding(
                check_id=CHECK_CLICK,
                title="The click rate of the latest phishing simulation is above the ceiling",
                severity=Severity.HIGH if rate > 2 * ceiling else Severity.MEDIUM,
                affected=(AffectedObject("awareness_programme", str(node), str(node.pk)),),
                evidence={"campaign": latest.name, "campaign_id": latest.pk,
                          "launched_on": latest.launched_on.isoformat(), "click_rate_pct": _pct(rate),
                          "ceiling_pct": _pct(ceiling)},
                remediation="Brief the staff who clicked, repeat the awareness module and run a new simulation.",
                references=(Reference(ReferenceKind.ANSSI, "hygiene_2"),),
            ))
    return findings


def check_node(node: Node, *, as_of: dt.date | None = None) -> dict[int, int]:
    """Write the findings of ``node`` and of the nodes below it holding awareness data; raised count per node."""
    as_of = as_of or timezone.localdate()
    paths = set(StaffCensus.objects.filter(node__path__startswith=node.path).values_list("node__path", flat=True))
    paths |= set(PhishingCampaign.objects.filter(node__path__startswith=node.path)
                 .values_list("node__path", flat=True))
    nodes = [node, *Node.objects.filter(path__in=paths).exclude(pk=node.pk).order_by("path")]
    # Establishments hold the census rows of their sites: check an establishment, not each site.
    raised: dict[int, int] = {}
    for target in nodes:
        findings = node_findings(target, as_of)
        ingest(target, SOURCE, findings)
        raised[target.pk] = len(findings)
    return raised
