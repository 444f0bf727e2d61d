"""Write the demo findings with a realistic life cycle spread over the last twelve weeks.

Statuses follow what a group CISO sees: many open, some in remediation with an owner and a due
date (a few overdue), a few risks accepted with a justification and a future expiry, and fixed or
false-positive findings closed at dates spread over the trend chart's window.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.models.findings import FindingEvent
from hygie.apps.inventory.models import Asset
from hygie.apps.organizations.models import Node
from hygie.demo.findings import FINDING_TEMPLATES, FindingTemplate
from hygie.engines._core import AffectedObject, Progress, Reference, ReferenceKind, Severity
from hygie.engines._core import Finding as EngineFinding

__all__ = ["TREND_DAYS", "seed_findings"]

#: Findings appear within the dashboard's trend chart: its twelve weeks start on the Monday eleven
#: weeks before this week's, so at least 77 days back whatever today's weekday.
TREND_DAYS = 76

_STATUS_WEIGHTS = (
    (FindingStatus.OPEN, 30),
    (FindingStatus.IN_REMEDIATION, 26),
    (FindingStatus.RISK_ACCEPTED, 8),
    (FindingStatus.FIXED, 29),
    (FindingStatus.FALSE_POSITIVE, 7),
)

_ACCEPTANCE_REASONS = (
    "Legacy device validated by the vendor only on this version; isolated in its own VLAN until replacement.",
    "Replacement budgeted next year; compensating measures: filtering and reinforced monitoring.",
    "Business constraint accepted by the management board (see the risk committee minutes).",
)
_FALSE_POSITIVE_REASONS = (
    "The flagged service is a honeypot run by the security team.",
    "The version string is patched by a vendor backport; checked with the vendor.",
)


def _affected(template: FindingTemplate, node: Node, asset: Asset | None, index: int) -> AffectedObject:
    if asset is not None:
        return AffectedObject("asset", asset.name, asset.ip_addresses[0] if asset.ip_addresses else "")
    label = node.short_name or node.name
    return AffectedObject(template.affected_kind, f"{label} #{index + 1}", f"{node.pk}-{template.check_id}-{index}")


def _assets_for(template: FindingTemplate, pool: list[Asset], count: int, rng: random.Random) -> list[Asset | None]:
    if not template.asset_codes:
        return [None] * count
    matching = [a for a in pool if a.name.split("-")[1] in template.asset_codes
                and a.version.startswith(template.asset_version)]
    if not matching:
        return [None] * count
    return rng.sample(matching, min(count, len(matching))) + [None] * max(0, count - len(matching))


def seed_findings(
    owners: dict[str, Node],
    assets: dict[str, list[Asset]],
    users: list[Any],
    *,
    rng: random.Random,
    progress: Progress,
    now: dt.datetime,
) -> int:
    """Create the findings of ``FINDING_TEMPLATES`` on their nodes; returns how many."""
    total = sum(n for t in FINDING_TEMPLATES for _, n in t.placements)
    progress.start("Findings", total=total)
    today = now.date()
    statuses = [s for s, _ in _STATUS_WEIGHTS]
    weights = [w for _, w in _STATUS_WEIGHTS]
    created = 0
    for template in FINDING_TEMPLATES:
        for owner_key, count in template.placements:
            node = owners[owner_key]
            pool = assets["support" if owner_key == "group" else owner_key]
            for index, asset in enumerate(_assets_for(template, pool, count, rng)):
                engine_finding = EngineFinding(
                    check_id=template.check_id,
                    title=template.title,
                    severity=Severity.parse(template.severity),
                    affected=(_affected(template, node, asset, index),),
                    evidence=dict(template.evidence),
                    remediation=template.remediation,
                    references=tuple(Reference(ReferenceKind(kind), ref) for kind, ref in template.references),
                )
                status = rng.choices(statuses, weights=weights)[0]
                finding = Finding(
                    node=asset.node if asset is not None else node,
                    source=template.source,
                    check_id=engine_finding.check_id,
                    fingerprint=engine_finding.fingerprint,
                    title=engine_finding.title,
                    severity=int(engine_finding.severity),
                    asset=asset,
                    affected=[a.to_dict() for a in engine_finding.affected],
                    evidence=engine_finding.evidence,
                    remediation=engine_finding.remediation,
                    references=[r.to_dict() for r in engine_finding.references],
                    first_seen=now - dt.timedelta(days=rng.uniform(1, TREND_DAYS)),
                    status=status,
                )
                _life_cycle(finding, users, rng, now=now, today=today, ordinal=created)
                finding.full_clean(exclude=["node", "asset", "owner"])
                finding.save()
                if status != FindingStatus.OPEN:
                    FindingEvent.objects.create(
                        finding=finding, timestamp=finding.closed_at or finding.last_seen, actor_name="demo",
                        from_status=FindingStatus.OPEN, to_status=status, comment="",
                    )
                created += 1
                progress.advance()
    return created


def _life_cycle(
    finding: Finding, users: list[Any], rng: random.Random, *, now: dt.datetime, today: dt.date, ordinal: int,
) -> None:
    """Set owner, dates and justification consistent with the status."""
    age = now - finding.first_seen
    finding.last_seen = now - dt.timedelta(hours=rng.uniform(0, 48))
    if finding.status == FindingStatus.IN_REMEDIATION:
        finding.owner = users[ordinal % len(users)]
        # One in three is overdue: the dashboard's overdue counter and the plan have something to show.
        late = ordinal % 3 == 0
        finding.due_date = today - dt.timedelta(days=rng.randint(3, 30)) if late else (
            today + dt.timedelta(days=rng.randint(7, 90)))
    elif finding.status == FindingStatus.RISK_ACCEPTED:
        finding.owner = users[ordinal % len(users)]
        finding.justification = rng.choice(_ACCEPTANCE_REASONS)
        finding.acceptance_expires = today + dt.timedelta(days=rng.randint(60, 300))
    elif finding.status in {FindingStatus.FIXED, FindingStatus.FALSE_POSITIVE}:
        finding.closed_at = finding.first_seen + age * rng.uniform(0.1, 0.95)
        finding.last_seen = finding.closed_at
        if finding.status == FindingStatus.FALSE_POSITIVE:
            finding.justification = rng.choice(_FALSE_POSITIVE_REASONS)
