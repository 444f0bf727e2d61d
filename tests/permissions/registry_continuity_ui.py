"""Permission specs of the continuity app's web UI routes (merged into ``registry.UI_ROUTES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.testing.world import MARK_A, World

from .specs import RouteSpec, detail, listing, page, write

VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE

__all__ = ["UI_ROUTES"]


def _team(world: World) -> dict[str, Any]:
    return {"node": world.pk("node"), "name": f"Team {MARK_A} new", "capacity": 2, "members": "A, B"}


def _component(world: World) -> dict[str, Any]:
    # ``depends_on`` is left out: the foreign-id test then reads its kind (component) from the form.
    return {
        "node": world.pk("node"),
        "name": f"PACS {MARK_A} new",
        "kind": "application",
        "category": "application",
        "application": world.pk("application"),
        "team": world.pk("recoveryteam"),
        "platform": "linux",
        "restore_h": 4,
        "critical": "on",
        "runbook": "Restore the VM.",
    }


def _backup_system(world: World) -> dict[str, Any]:
    return {
        "node": world.pk("node"),
        "name": f"Tapes {MARK_A} new",
        "product": "LTO",
        "authentication": "local_accounts",
        "mfa": "on",
        "isolation": "on",
        "supervised": "on",
        "failure_procedure": "Call.",
    }


def _bia(_world: World) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "care",
        "rto_h": "",
        "rpo_h": "2",
        "mtpd_h": "",
        "min_service_pct": "",
        "assessed_on": "2026-01-15",
        "assessed_by": "Dr A",
    }
    for axis in ("patient_safety", "care_continuity", "legal", "finance", "image"):
        for index in range(6):
            data[f"{axis}_{index}"] = str(min(4, index))
    for index in range(5):
        data[f"data_loss_{index}"] = str(min(4, index + 1))
    return data


def _mode(_world: World) -> dict[str, Any]:
    return {"name": f"Paper {MARK_A} new", "procedure": "Forms in the cupboard.", "hold_h": 24}


def _activity_args(world: World, side: str) -> dict[str, Any]:
    return {"activity": world.pk("careactivity", side)}


def _scenario(world: World) -> dict[str, Any]:
    return {
        "node": world.pk("node"),
        "name": f"Power loss {MARK_A}",
        "description": "Site down.",
        "lost_text": "",
        "outages_text": f"AD {MARK_A} = 12",
    }


def _exercise(world: World) -> dict[str, Any]:
    return {
        "node": world.pk("node"),
        "kind": "pca_field_test",
        "title": f"Field test {MARK_A}",
        "scenario": "Ransomware",
        "planned_on": "2026-12-01",
        "entities": [world.pk("node")],
        "activities": [world.pk("careactivity")],
    }


def _record(_world: World) -> dict[str, Any]:
    held = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - a calendar date
    return {
        "held_on": held.isoformat(),
        "participants": "IT, care staff",
        "lessons": "Slow AD restore.",
        "timings_text": "Restore the directory | 6 | 7.5",
    }


def _action(world: World) -> dict[str, Any]:
    return {
        "title": f"Buy a second tape drive {MARK_A}",
        "severity": 3,
        "owner": world.pk("user"),
        "due_date": "2027-01-31",
        "remediation": "Order it.",
    }


def _backup_plan(world: World) -> dict[str, Any]:
    # The world's component has one copy: the formset adds a second one (no existing row is posted).
    return {
        "system": world.pk("backupsystem"),
        "method": "incremental",
        "frequency_h": 12,
        "retention_days": 60,
        "copies-TOTAL_FORMS": 1,
        "copies-INITIAL_FORMS": 0,
        "copies-MIN_NUM_FORMS": 0,
        "copies-MAX_NUM_FORMS": 50,
        "copies-0-site": f"Vault {MARK_A}",
        "copies-0-medium": "tape",
        "copies-0-immutable": "on",
    }


def _restore_test(world: World) -> dict[str, Any]:
    tested = dt.date.today() - dt.timedelta(days=2)  # noqa: DTZ011 - a calendar date
    return {
        "date": tested.isoformat(),
        "success": "on",
        "duration_h": 5.5,
        "to_production": "on",
        "functional_check_by": "Dr A",
        "exercise": world.pk("exercise"),
        "notes": "Restored to the production cluster.",
    }


def _programme(_world: World) -> dict[str, Any]:
    return {
        "plan_owner": "CIO",
        "organisation": "Crisis cell",
        "governance": "Quarterly committee",
        "crisis_procedures": "Plan blanc annex",
        "plan_blanc_covers_cyber": "on",
        "business_referent": "Dr B",
    }


UI_ROUTES: dict[tuple[str, str], RouteSpec] = {
    # Per node: overview, PCA/PRA document, CaRE readiness, exercise calendar, programme.
    ("continuity:overview", "GET"): page(VIEW),
    ("continuity:node_overview", "GET"): detail("node"),
    ("continuity:plan", "GET"): detail("node"),
    ("continuity:readiness", "GET"): detail("node"),
    ("continuity:calendar", "GET"): detail("node", query={"month": "2026-10"}),
    ("continuity:programme_edit", "GET"): detail("node", CHANGE),
    ("continuity:programme_edit", "POST"): write(CHANGE, _programme, target="node"),
    # Components, teams, backup systems.
    ("continuity:component_list", "GET"): listing(),
    ("continuity:component_add", "GET"): page(ADD),
    ("continuity:component_add", "POST"): write(ADD, _component),
    ("continuity:component_detail", "GET"): detail("component"),
    ("continuity:component_edit", "GET"): detail("component", CHANGE),
    ("continuity:component_edit", "POST"): write(CHANGE, _component, target="component"),
    ("continuity:backupplan_edit", "GET"): detail("component", CHANGE),
    ("continuity:backupplan_edit", "POST"): write(CHANGE, _backup_plan, target="component"),
    ("continuity:restoretest_add", "GET"): detail("component", CHANGE),
    ("continuity:restoretest_add", "POST"): write(CHANGE, _restore_test, target="component"),
    ("continuity:team_list", "GET"): listing(),
    ("continuity:team_add", "GET"): page(ADD),
    ("continuity:team_add", "POST"): write(ADD, _team),
    ("continuity:team_detail", "GET"): detail("recoveryteam"),
    ("continuity:team_edit", "GET"): detail("recoveryteam", CHANGE),
    ("continuity:team_edit", "POST"): write(CHANGE, _team, target="recoveryteam"),
    ("continuity:backupsystem_list", "GET"): listing(),
    ("continuity:backupsystem_add", "GET"): page(ADD),
    ("continuity:backupsystem_add", "POST"): write(ADD, _backup_system),
    ("continuity:backupsystem_detail", "GET"): detail("backupsystem"),
    ("continuity:backupsystem_edit", "GET"): detail("backupsystem", CHANGE),
    ("continuity:backupsystem_edit", "POST"): write(CHANGE, _backup_system, target="backupsystem"),
    # Business-impact analyses and degraded modes.
    ("continuity:bia", "GET"): detail("careactivity"),
    ("continuity:bia", "POST"): write(CHANGE, _bia, target="careactivity"),
    ("continuity:degradedmode_add", "GET"): detail("careactivity", CHANGE, args=_activity_args),
    ("continuity:degradedmode_add", "POST"): write(CHANGE, _mode, target="careactivity", args=_activity_args),
    ("continuity:degradedmode_edit", "GET"): detail("degradedmode", CHANGE),
    ("continuity:degradedmode_edit", "POST"): write(CHANGE, _mode, target="degradedmode"),
    # Scenarios and simulations.
    ("continuity:scenario_list", "GET"): listing(),
    ("continuity:scenario_add", "GET"): page(ADD),
    ("continuity:scenario_add", "POST"): write(ADD, _scenario),
    ("continuity:scenario_detail", "GET"): detail("recoveryscenario"),
    ("continuity:scenario_edit", "GET"): detail("recoveryscenario", CHANGE),
    ("continuity:scenario_edit", "POST"): write(CHANGE, _scenario, target="recoveryscenario"),
    ("continuity:scenario_simulate", "POST"): write(ADD, lambda _w: {"runs": 20, "seed": 1}, target="recoveryscenario"),
    ("continuity:simulation_detail", "GET"): detail("simulation"),
    ("continuity:simulation_report", "GET"): detail("simulation"),
    # Exercises.
    ("continuity:exercise_list", "GET"): listing(),
    ("continuity:exercise_add", "GET"): page(ADD),
    ("continuity:exercise_add", "POST"): write(ADD, _exercise),
    ("continuity:exercise_detail", "GET"): detail("exercise"),
    ("continuity:exercise_edit", "GET"): detail("exercise", CHANGE),
    ("continuity:exercise_edit", "POST"): write(CHANGE, _exercise, target="exercise"),
    ("continuity:exercise_record", "POST"): write(CHANGE, _record, target="exercise"),
    ("continuity:exercise_action", "POST"): write(CHANGE, _action, target="exercise"),
}
