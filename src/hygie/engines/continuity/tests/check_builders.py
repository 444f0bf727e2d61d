"""The sound continuity model the check tests weaken one change at a time, and the helpers that change it.

``SOUND`` is a small model with no weakness at all: a dedicated, MFA-protected, isolable and
supervised backup system; the directory and the patient record backed up with 3-2-1 copies, an
offline one included, tested within the year; a dependency graph with no articulation point; an
activity whose targets a single-server loss meets.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from hygie.engines.continuity.checks import audit, simulation_findings
from hygie.engines.continuity.loader import model_from_dict
from hygie.engines.continuity.registry import CheckId
from hygie.engines.continuity.simulate import simulate

__all__ = [
    "AS_OF",
    "ONLINE_ONLY",
    "SOUND",
    "Change",
    "activity",
    "add_component",
    "backup",
    "both",
    "changed",
    "component",
    "model_findings",
    "simulated_findings",
    "system",
]

AS_OF = dt.date(2026, 9, 1)

SOUND: dict[str, Any] = {
    "teams": [{"name": "infra", "capacity": 2}, {"name": "apps", "capacity": 2}],
    "backup_systems": [
        {
            "name": "vault",
            "authentication": "dedicated_directory",
            "mfa": True,
            "isolation": True,
            "supervised": True,
        }
    ],
    "components": [
        {
            "name": "ad",
            "kind": "infrastructure",
            "category": "directory",
            "site": "A",
            "team": "infra",
            "restore_tests": [{"date": "2025-11-01", "success": True, "duration_h": 2}],
            "backup": {
                "frequency_h": 24,
                "system": "vault",
                "copies": [{"site": "A", "medium": "disk"}, {"site": "B", "medium": "tape", "online": False}],
            },
        },
        {"name": "srv", "kind": "infrastructure", "team": "infra", "restore_h": 1, "depends_on": ["ad"]},
        {
            "name": "dpi",
            "site": "A",
            "team": "apps",
            "depends_on": ["srv", "ad"],
            "restore_tests": [{"date": "2026-06-01", "success": True, "duration_h": 3}],
            "backup": {
                "frequency_h": 4,
                "system": "vault",
                "copies": [
                    {"site": "A", "medium": "disk"},
                    {"site": "B", "medium": "disk", "immutable": True},
                    {"site": "C", "medium": "tape", "online": False, "frequency_h": 24},
                ],
            },
        },
    ],
    "activities": [
        {
            "name": "emergency",
            "needs": ["dpi", "ad"],
            "rto_h": 8,
            "rpo_h": 24,
            "degraded_modes": [{"name": "paper", "hold_h": 12}],
        }
    ],
    "scenarios": [
        {"name": "server", "lost": ["srv"]},
        {"name": "record", "lost": ["dpi"]},
        {"name": "ransomware", "lost": ["dpi"], "online_backups_destroyed": True},
    ],
}

Change = Callable[[dict[str, Any]], None]


def _named(document: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    item: dict[str, Any] = next(item for item in document[key] if item["name"] == name)
    return item


def component(name: str, **values: Any) -> Change:
    """Set ``values`` on the component ``name`` (``None`` removes the key)."""

    def change(document: dict[str, Any]) -> None:
        target = _named(document, "components", name)
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value

    return change


def backup(name: str, **values: Any) -> Change:
    """Set ``values`` on the backup of component ``name``."""

    def change(document: dict[str, Any]) -> None:
        _named(document, "components", name)["backup"].update(values)

    return change


def activity(name: str, **values: Any) -> Change:
    """Set ``values`` on the activity ``name``."""

    def change(document: dict[str, Any]) -> None:
        _named(document, "activities", name).update(values)

    return change


def system(**values: Any) -> Change:
    """Set ``values`` on the backup system ``vault``."""

    def change(document: dict[str, Any]) -> None:
        document["backup_systems"][0].update(values)

    return change


def add_component(**values: Any) -> Change:
    """Append a component (and an activity with a week's RTO needing it, so that it is not critical)."""

    def change(document: dict[str, Any]) -> None:
        document["components"].append({"team": "apps", "restore_h": 1, **values})
        document["activities"].append(
            {"name": f"uses {values['name']}", "needs": [values["name"]], "rto_h": 168, "rpo_h": 168}
        )

    return change


def both(*changes: Change) -> Change:
    """Apply ``changes`` in turn."""

    def change(document: dict[str, Any]) -> None:
        for one in changes:
            one(document)

    return change


ONLINE_ONLY = [{"site": "A", "medium": "disk"}, {"site": "B", "medium": "disk"}]


def changed(change: Change | None = None) -> dict[str, Any]:
    """A copy of the sound model with ``change`` applied."""
    document = copy.deepcopy(SOUND)
    if change is not None:
        change(document)
    return document


def model_findings(check_id: CheckId, change: Change | None = None) -> list[Any]:
    """The findings of ``check_id`` when auditing the sound model changed by ``change``."""
    return [f for f in audit(model_from_dict(changed(change)), as_of=AS_OF) if f.check_id == check_id]


def simulated_findings(check_id: CheckId, change: Change | None, scenario: str) -> list[Any]:
    """The findings of ``check_id`` on ``scenario`` simulated (no uncertainty) on the changed sound model."""
    model = model_from_dict(changed(change))
    result = simulate(model, model.scenarios[scenario], runs=201, seed=7, uncertainty=False)
    return [f for f in simulation_findings(model, result) if f.check_id == check_id]
