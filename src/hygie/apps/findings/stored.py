"""Engine findings as stored in an audit's result document, read back for pages and reports.

Directory audits and exposure scans keep their engine result as JSON; both show its findings worst
first, titled in the active language from the engine's check registry, and grouped by severity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language

if TYPE_CHECKING:
    from hygie.engines._core import CheckRegistry

__all__ = ["SEVERITY_ORDER", "severity_groups", "severity_rank", "stored_findings"]

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def severity_rank(name: Any) -> int:
    """0 for critical ... 4 for info; unknown last."""
    return SEVERITY_ORDER.index(name) if name in SEVERITY_ORDER else len(SEVERITY_ORDER)


def stored_findings(result: dict[str, Any] | None, checks: CheckRegistry[Any]) -> list[dict[str, Any]]:
    """The result's findings, worst first, titled in the active language when ``checks`` knows the check."""
    french = (get_language() or "").startswith("fr")
    items = []
    for item in (result or {}).get("findings") or []:
        if not isinstance(item, dict):
            continue
        check_id = item.get("check_id")
        title = item.get("title")
        if isinstance(check_id, str) and check_id in checks:
            spec = checks[check_id]
            title = spec.title_fr if french else spec.title_en
        items.append({**item, "title": title})
    return sorted(items, key=lambda f: (severity_rank(f.get("severity")), f.get("check_id", "")))


def severity_groups(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(severity, findings) pairs, worst first, empty severities left out."""
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in SEVERITY_ORDER}
    for finding in findings:
        groups.setdefault(str(finding.get("severity", "info")), []).append(finding)
    return [(name, items) for name, items in groups.items() if items]
