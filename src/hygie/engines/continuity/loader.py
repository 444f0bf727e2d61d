"""Reading a continuity model from a YAML or JSON document, with errors that name the element at fault.

The document (the schema is documented in ``docs/continuity.md``)::

    teams:          [{name, capacity}]
    backup_systems: [{name, authentication, mfa, isolation, supervised}]
    components:     [{name, kind, category, site, platform, team, depends_on, critical,
                      restore_h | restore_tests | data_gb + throughput_gb_h (+ setup_h),
                      rebuild_h, spread,
                      backup: {method, frequency_h, retention_days, system, copies: [...]}}]
    activities:     [{name, kind, needs, rto_h + rpo_h | bia, mtpd_h, min_service_pct,
                      degraded_hold_h | degraded_modes: [{name, hold_h, procedure}]}]
    scenarios:      [{name, description, lost: [selectors], outages: {selector: hours},
                      online_backups_destroyed}]

Nothing is partially accepted: the first problem raises :class:`ModelError`.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from hygie.engines.continuity.bia import BiaError, Targets, grid_from_dict
from hygie.engines.continuity.model import (
    SELECTOR_FIELDS,
    Activity,
    Backup,
    BackupCopy,
    BackupSystem,
    Component,
    DegradedMode,
    Model,
    RestoreTest,
    Scenario,
    Team,
)

__all__ = [
    "ACTIVITY_KINDS",
    "AUTHENTICATIONS",
    "CATEGORIES",
    "DEFAULT_SPREAD",
    "KINDS",
    "ModelError",
    "load_model",
    "model_from_dict",
]

#: Component kinds a scenario may name to lose every component of that kind.
KINDS = ("infrastructure", "application")
#: What a component is, finer than its kind (scenarios select them with ``category:``).
CATEGORIES = (
    "directory",
    "dns_dhcp",
    "hypervisor",
    "storage",
    "network",
    "internet",
    "saas",
    "server",
    "backup",
    "application",
)
#: What an activity is (the CaRE d2.o1.c scopes: a care service, an administrative process, a platform).
ACTIVITY_KINDS = ("care", "administrative", "technical_platform")
#: How a backup console authenticates its administrators.
AUTHENTICATIONS = ("production_directory", "dedicated_directory", "local_accounts")
#: Restore-time uncertainty (log-normal sigma) by where the duration comes from, unless given.
DEFAULT_SPREAD = {"measured": 0.2, "declared": 0.4, "estimated": 0.5}
#: Largest model document read from a file (bytes): a group's model is a few megabytes at most.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


#: What an activity without a BIA derives: nothing.
_NO_TARGETS = Targets(mtpd_h=None, rto_h=0.0, rpo_h=0.0, min_service_pct=None)


class ModelError(ValueError):
    """The model is invalid; the message names the element and what is wrong with it."""


def _hours(owner: str, data: dict[str, Any], key: str, *, required: bool = True, default: float = 0.0) -> float:
    value = data.get(key)
    if value is None:
        if required:
            raise ModelError(f"{owner}: {key} is missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{owner}: {key} must be a number, not {value!r}")
    if value < 0:
        raise ModelError(f"{owner}: {key} is negative ({value})")
    return float(value)


def _optional(owner: str, data: dict[str, Any], key: str) -> float | None:
    return _hours(owner, data, key) if data.get(key) is not None else None


def _flag(owner: str, data: dict[str, Any], key: str, *, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ModelError(f"{owner}: {key} must be true or false, not {value!r}")
    return value


def _choice(owner: str, data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise ModelError(f"{owner}: {key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _text(owner: str, data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ModelError(f"{owner}: {key} must be text, not {value!r}")
    return value.strip()


def _name(kind: str, data: Any, index: int) -> str:
    if not isinstance(data, dict):
        raise ModelError(f"{kind} #{index + 1}: expected a mapping, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ModelError(f"{kind} #{index + 1}: name is missing")
    return name.strip()


def _names(owner: str, data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ModelError(f"{owner}: {key} must be a list of names")
    return tuple(item.strip() for item in value)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ModelError(f"{key}: expected a list")
    return value


def _unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ModelError(f"{kind} {name!r} is declared twice")
        seen.add(name)


def _teams(document: dict[str, Any]) -> dict[str, Team]:
    teams: list[Team] = []
    for index, data in enumerate(_list(document, "teams")):
        name = _name("team", data, index)
        capacity = data.get("capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ModelError(f"team {name!r}: capacity must be a whole number of at least 1, not {capacity!r}")
        teams.append(Team(name, capacity))
    _unique("team", [team.name for team in teams])
    return {team.name: team for team in teams}


def _backup_systems(document: dict[str, Any]) -> dict[str, BackupSystem]:
    systems: list[BackupSystem] = []
    for index, data in enumerate(_list(document, "backup_systems")):
        name = _name("backup system", data, index)
        owner = f"backup system {name!r}"
        systems.append(
            BackupSystem(
                name=name,
                authentication=_choice(owner, data, "authentication", AUTHENTICATIONS, "production_directory"),
                mfa=_flag(owner, data, "mfa"),
                isolation=_flag(owner, data, "isolation"),
                supervised=_flag(owner, data, "supervised"),
            )
        )
    _unique("backup system", [system.name for system in systems])
    return {system.name: system for system in systems}


def _backup(owner: str, raw: Any, systems: dict[str, BackupSystem]) -> Backup:
    if not isinstance(raw, dict):
        raise ModelError(f"{owner}: backup must be a mapping")
    owner = f"{owner} backup"
    frequency = _hours(owner, raw, "frequency_h")
    copies: list[BackupCopy] = []
    for index, copy in enumerate(raw.get("copies") or []):
        if not isinstance(copy, dict):
            raise ModelError(f"{owner} copy #{index + 1}: expected a mapping")
        where = f"{owner} copy #{index + 1}"
        copies.append(
            BackupCopy(
                site=_text(where, copy, "site"),
                medium=_text(where, copy, "medium"),
                online=_flag(where, copy, "online", default=True),
                immutable=_flag(where, copy, "immutable"),
                encrypted=_flag(where, copy, "encrypted"),
                frequency_h=_optional(where, copy, "frequency_h"),
            )
        )
    if not copies:
        # The short form: the primary online copy, and an offline one when ``offline`` is set.
        copies.append(BackupCopy(site="", medium="disk"))
        if _flag(owner, raw, "offline"):
            copies.append(
                BackupCopy("", "offline", online=False, frequency_h=_optional(owner, raw, "offline_frequency_h"))
            )
    system = raw.get("system")
    if system is not None and system not in systems:
        raise ModelError(f"{owner}: unknown backup system {system!r}")
    return Backup(
        frequency_h=frequency,
        copies=tuple(copies),
        method=_text(owner, raw, "method") or "full",
        retention_days=_hours(owner, raw, "retention_days", required=False, default=30.0),
        system=system,
    )


def _restore_tests(owner: str, data: dict[str, Any]) -> tuple[RestoreTest, ...]:
    tests: list[RestoreTest] = []
    for index, raw in enumerate(_list(data, "restore_tests")):
        where = f"{owner} restore test #{index + 1}"
        if not isinstance(raw, dict):
            raise ModelError(f"{where}: expected a mapping")
        when = raw.get("date")
        if isinstance(when, str):
            try:
                when = dt.date.fromisoformat(when)
            except ValueError:
                raise ModelError(f"{where}: date must be YYYY-MM-DD, not {when!r}") from None
        if not isinstance(when, dt.date):
            raise ModelError(f"{where}: date is missing")
        tests.append(RestoreTest(when, _flag(where, raw, "success"), _optional(where, raw, "duration_h")))
    return tuple(sorted(tests, key=lambda test: test.date))


def _restore_time(owner: str, data: dict[str, Any], tests: tuple[RestoreTest, ...]) -> tuple[float, str, float]:
    """Restore hours, where they come from, and the data-transfer part: measured, declared, estimated."""
    transfer = 0.0
    data_gb = _optional(owner, data, "data_gb")
    throughput = _optional(owner, data, "throughput_gb_h")
    if data_gb is not None and throughput:
        transfer = data_gb / throughput
    measured = [test.duration_h for test in tests if test.success and test.duration_h is not None]
    if measured:
        return measured[-1], "measured", min(transfer, measured[-1])
    if data.get("restore_h") is not None:
        declared = _hours(owner, data, "restore_h")
        return declared, "declared", min(transfer, declared)
    if data_gb is not None and throughput:
        return _hours(owner, data, "setup_h", required=False) + transfer, "estimated", transfer
    raise ModelError(
        f"{owner}: restore_h is missing (give restore_h, a successful restore test with its duration, "
        "or data_gb and throughput_gb_h)"
    )


def _component(data: Any, index: int, teams: dict[str, Team], systems: dict[str, BackupSystem]) -> Component:
    name = _name("component", data, index)
    owner = f"component {name!r}"
    kind = _choice(owner, data, "kind", KINDS, "application")
    category = _choice(owner, data, "category", CATEGORIES, "application" if kind == "application" else "server")
    team = data.get("team")
    if team not in teams:
        raise ModelError(f"{owner}: unknown team {team!r}")
    tests = _restore_tests(owner, data)
    restore_h, basis, transfer = _restore_time(owner, data, tests)
    rebuild = _optional(owner, data, "rebuild_h")
    if rebuild is not None and rebuild < restore_h:
        raise ModelError(f"{owner}: rebuild_h ({rebuild}) is shorter than the restore ({restore_h})")
    return Component(
        name=name,
        kind=kind,
        team=str(team),
        restore_h=restore_h,
        depends_on=_names(owner, data, "depends_on"),
        spread=_hours(owner, data, "spread", required=False, default=DEFAULT_SPREAD[basis]),
        backup=_backup(owner, data["backup"], systems) if data.get("backup") is not None else None,
        category=category,
        site=_text(owner, data, "site"),
        platform=_text(owner, data, "platform"),
        critical=_flag(owner, data, "critical"),
        rebuild_h=rebuild,
        restore_basis=basis,
        transfer_h=transfer,
        restore_tests=tests,
    )


def _ordered(components: list[Component]) -> list[Component]:
    """Components in dependency order; a cycle raises, naming its path."""
    by_name = {component.name: component for component in components}
    for component in components:
        for dependency in component.depends_on:
            if dependency not in by_name:
                raise ModelError(f"component {component.name!r}: unknown dependency {dependency!r}")
    state: dict[str, int] = {}  # 1: being visited, 2: done
    ordered: list[Component] = []
    for root in components:
        if state.get(root.name):
            continue
        stack: list[tuple[str, int]] = [(root.name, 0)]
        path = [root.name]
        state[root.name] = 1
        while stack:
            name, position = stack[-1]
            dependencies = by_name[name].depends_on
            if position < len(dependencies):
                stack[-1] = (name, position + 1)
                child = dependencies[position]
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    raise ModelError("dependency cycle: " + " -> ".join(cycle))
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, 0))
                    path.append(child)
                continue
            stack.pop()
            path.pop()
            state[name] = 2
            ordered.append(by_name[name])
    return ordered


def _activity(data: Any, index: int, names: set[str]) -> Activity:
    name = _name("activity", data, index)
    owner = f"activity {name!r}"
    needs = _names(owner, data, "needs")
    for need in needs:
        if need not in names:
            raise ModelError(f"{owner}: unknown application {need!r}")
    targets = None
    if data.get("bia") is not None:
        try:
            targets = grid_from_dict(data["bia"]).targets()
        except BiaError as error:
            raise ModelError(f"{owner}: {error}") from None
    modes = []
    for position, raw in enumerate(_list(data, "degraded_modes")):
        mode = _name(f"{owner} degraded mode", raw, position)
        where = f"{owner} degraded mode {mode!r}"
        modes.append(DegradedMode(mode, _hours(where, raw, "hold_h"), _text(where, raw, "procedure")))
    hold = max((mode.hold_h for mode in modes), default=0.0)
    derived = targets or _NO_TARGETS
    return Activity(
        name=name,
        needs=needs,
        # Explicit targets win over those a BIA implies; without either the target is missing.
        rto_h=_hours(owner, data, "rto_h", required=targets is None, default=targets.rto_h if targets else 0.0),
        rpo_h=_hours(owner, data, "rpo_h", required=targets is None, default=targets.rpo_h if targets else 0.0),
        degraded_hold_h=_hours(owner, data, "degraded_hold_h", required=False, default=hold),
        kind=_choice(owner, data, "kind", ACTIVITY_KINDS, "care"),
        mtpd_h=_optional(owner, data, "mtpd_h") if data.get("mtpd_h") is not None else derived.mtpd_h,
        min_service_pct=(
            _optional(owner, data, "min_service_pct")
            if data.get("min_service_pct") is not None
            else derived.min_service_pct
        ),
        degraded_modes=tuple(modes),
    )


def _selector(owner: str, item: str, names: set[str]) -> str:
    prefix, _, value = item.partition(":")
    if item in names or item in KINDS or (value and prefix in SELECTOR_FIELDS):
        return item
    raise ModelError(f"{owner}: {item!r} is neither a component, a kind, nor a category:/site:/platform: selector")


def _scenario(data: Any, index: int, names: set[str]) -> Scenario:
    name = _name("scenario", data, index)
    owner = f"scenario {name!r}"
    lost = tuple(_selector(owner, item, names) for item in _names(owner, data, "lost"))
    raw_outages = data.get("outages") or {}
    if not isinstance(raw_outages, dict):
        raise ModelError(f"{owner}: outages must map selectors to hours")
    outages = tuple(
        (_selector(owner, str(item), names), _hours(f"{owner} outage {item!r}", raw_outages, item))
        for item in raw_outages
    )
    return Scenario(
        name=name,
        lost=lost,
        online_backups_destroyed=_flag(owner, data, "online_backups_destroyed"),
        outages=outages,
        description=_text(owner, data, "description"),
    )


def model_from_dict(document: Any) -> Model:
    """A validated :class:`Model` from a parsed YAML/JSON document; :class:`ModelError` on the first problem."""
    if not isinstance(document, dict):
        raise ModelError("the model must be a mapping with teams, components, activities and scenarios")
    teams = _teams(document)
    systems = _backup_systems(document)
    raw_components = _list(document, "components")
    if not raw_components:
        raise ModelError("components: at least one component is needed")
    components = [_component(data, index, teams, systems) for index, data in enumerate(raw_components)]
    _unique("component", [component.name for component in components])
    names = {component.name for component in components}
    activities = [_activity(data, index, names) for index, data in enumerate(_list(document, "activities"))]
    _unique("activity", [activity.name for activity in activities])
    scenarios = [_scenario(data, index, names) for index, data in enumerate(_list(document, "scenarios"))]
    _unique("scenario", [scenario.name for scenario in scenarios])
    return Model(_ordered(components), teams, activities, {s.name: s for s in scenarios}, systems)


def load_model(path: Path) -> Model:
    """Read and validate a YAML or JSON model file; :class:`ModelError` for an unreadable or invalid one."""
    import yaml  # only the file-based entry point needs the YAML parser

    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ModelError(f"{path.name}: larger than {MAX_DOCUMENT_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"{path.name}: cannot be read ({error})") from None
    try:
        # JSON is YAML 1.2; the safe loader builds plain mappings, lists and scalars only.
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ModelError(f"{path.name}: not valid YAML or JSON{where}") from None
    return model_from_dict(document)
