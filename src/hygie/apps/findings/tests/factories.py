"""Findings built for tests (a module of the test package, not a grab-bag: it only makes findings)."""

from __future__ import annotations

from typing import Any

from hygie.apps.findings.models import Finding
from hygie.apps.organizations.models import Node
from hygie.engines._core import AffectedObject, Severity
from hygie.engines._core import Finding as EngineFinding


def stored_finding(node: Node, title: str = "Weak krbtgt", **extra: Any) -> Finding:
    """A finding stored on ``node`` (source "directory" unless given)."""
    values: dict[str, Any] = {"source": "directory", "check_id": "directory.krbtgt_age", "fingerprint": title,
                              "title": title, "severity": int(Severity.HIGH)}
    values.update(extra)
    return Finding.objects.create(node=node, **values)


def engine_finding(name: str, check_id: str = "directory.stale_account", severity: Severity = Severity.MEDIUM,
                   **extra: Any) -> EngineFinding:
    """An engine finding about the account (or host) ``name``."""
    return EngineFinding(check_id=check_id, title=f"Stale account {name}", severity=severity,
                         affected=(AffectedObject("account", name),), **extra)
