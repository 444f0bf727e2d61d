"""What the detection pages compute from stored data: ATT&CK coverage, the timeline, the dashboard card.

Nothing here recompiles a pack or reads a log file: coverage comes from the rule metadata stored
with each pack version and the tags copied onto alerts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.detection.models import LEVEL_KEYS, Alert, AlertLevel, LogSource, PackRule, RulePackVersion

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.apps.organizations.models import Node

__all__ = ["TACTICS", "CoverageCell", "DetectionCard", "coverage_matrix", "detection_card", "timeline_groups"]

#: ATT&CK Enterprise tactics in kill-chain order, as Sigma tags them (``attack.credential_access``).
TACTICS: tuple[tuple[str, Any], ...] = (
    ("reconnaissance", _("Reconnaissance")),
    ("resource_development", _("Resource development")),
    ("initial_access", _("Initial access")),
    ("execution", _("Execution")),
    ("persistence", _("Persistence")),
    ("privilege_escalation", _("Privilege escalation")),
    ("defense_evasion", _("Defense evasion")),
    ("credential_access", _("Credential access")),
    ("discovery", _("Discovery")),
    ("lateral_movement", _("Lateral movement")),
    ("collection", _("Collection")),
    ("command_and_control", _("Command and control")),
    ("exfiltration", _("Exfiltration")),
    ("impact", _("Impact")),
)
_TACTIC_KEYS = {key for key, _label in TACTICS}
#: Techniques tagged without a tactic are shown under this column.
OTHER = "other"
_TECHNIQUE = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)
#: Alerts read for one timeline page.
TIMELINE_ROWS = 2000


def _split_tags(tags: Iterable[str]) -> tuple[list[str], list[str]]:
    """(tactics, techniques) named by Sigma tags; techniques upper case (``T1003.001``)."""
    tactics, techniques = [], []
    for tag in tags:
        # Sigma wrote tactics with underscores, then with hyphens (``attack.credential-access``): accept both.
        text = str(tag).strip().lower().replace("-", "_")
        if text.startswith("attack.") and text[7:] in _TACTIC_KEYS:
            tactics.append(text[7:])
            continue
        found = _TECHNIQUE.match(text)
        if found:
            techniques.append(found.group(1).upper())
    return tactics, techniques


@dataclass
class CoverageCell:
    """A technique under a tactic: how many active rules detect it and how many alerts it raised."""

    technique: str
    rules: int = 0
    alerts: int = 0


@dataclass
class CoverageColumn:
    """A tactic and its techniques."""

    key: str
    label: Any
    cells: dict[str, CoverageCell] = field(default_factory=dict)

    def cell(self, technique: str) -> CoverageCell:
        """The technique's cell, created empty."""
        return self.cells.setdefault(technique, CoverageCell(technique))

    @property
    def sorted_cells(self) -> list[CoverageCell]:
        """Techniques in id order."""
        return [self.cells[key] for key in sorted(self.cells)]


def coverage_matrix(user: Any, node: Node | None = None) -> dict[str, Any]:
    """Per tactic, the techniques the active pack versions cover and those with alerts (in ``node``'s subtree)."""
    columns = {key: CoverageColumn(key, label) for key, label in TACTICS}
    columns[OTHER] = CoverageColumn(OTHER, _("Other techniques"))
    versions = RulePackVersion.objects.restrict(user, Action.VIEW).filter(active=True)
    for tags in PackRule.objects.filter(version__in=versions).values_list("tags", flat=True).iterator():
        tactics, techniques = _split_tags(tags or [])
        for technique in techniques:
            for tactic in tactics or [OTHER]:
                columns[tactic].cell(technique).rules += 1
    alerts = Alert.objects.restrict(user, Action.VIEW)
    if node is not None:
        alerts = alerts.filter(node__path__startswith=node.path)
    for row in alerts.values("tags").annotate(count=Count("id")).order_by():
        tactics, techniques = _split_tags(row["tags"] or [])
        for technique in techniques:
            for tactic in tactics or [OTHER]:
                columns[tactic].cell(technique).alerts += row["count"]
    shown = [column for column in columns.values() if column.cells]
    depth = max((len(column.cells) for column in shown), default=0)
    rows = [[column.sorted_cells[i] if i < len(column.cells) else None for column in shown] for i in range(depth)]
    techniques = {cell.technique for column in shown for cell in column.cells.values() if cell.rules}
    alerted = {cell.technique for column in shown for cell in column.cells.values() if cell.alerts}
    return {
        "columns": shown,
        "rows": rows,
        "versions": list(versions.select_related("pack")),
        "covered": len(techniques),
        "alerted": len(alerted),
    }


def timeline_groups(alerts: Any, by: str = "hour") -> list[tuple[Any, list[Alert]]]:
    """Alerts in time order grouped by hour or day (local time); alerts without a time come last."""
    groups: dict[Any, list[Alert]] = {}
    undated: list[Alert] = []
    rows = alerts.select_related("asset").order_by("timestamp", "id")[:TIMELINE_ROWS]
    for alert in rows:
        if alert.timestamp is None:
            undated.append(alert)
            continue
        local = timezone.localtime(alert.timestamp)
        key = local.replace(minute=0, second=0, microsecond=0) if by == "hour" else local.date()
        groups.setdefault(key, []).append(alert)
    result: list[tuple[Any, list[Alert]]] = list(groups.items())
    if undated:
        result.append((None, undated))
    return result


@dataclass(frozen=True)
class DetectionCard:
    """The node dashboard's detection card: open alerts by level."""

    levels: list[dict[str, Any]]
    open_total: int
    sources: int

    @property
    def has_open(self) -> bool:
        """True when some alert waits for a decision."""
        return self.open_total > 0


def detection_card(user: Any, node: Node) -> DetectionCard | None:
    """Open alerts by level in ``node``'s subtree (None when the subtree has no log source the user sees)."""
    sources = LogSource.objects.restrict(user, Action.VIEW).filter(node__path__startswith=node.path).count()
    if not sources:
        return None
    counts = dict(
        Alert.objects.restrict(user, Action.VIEW)
        .open()
        .filter(node__path__startswith=node.path)
        .values_list("level")
        .annotate(count=Count("id"))
        .order_by()
    )
    levels = [
        {
            "level": level.value,
            "key": LEVEL_KEYS[level.value],
            "label": level.label,
            "count": counts.get(level.value, 0),
        }
        for level in sorted(AlertLevel, reverse=True)
    ]
    return DetectionCard(levels=levels, open_total=sum(counts.values()), sources=sources)
