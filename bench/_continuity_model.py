"""A synthetic hospital group's continuity model (the document ``docs/continuity.md`` describes), for benchmarks.

A group of ``sites`` establishments. Each site has its own infrastructure with a realistic fan-in:
a network core, domain controllers, DNS/DHCP, storage arrays, hypervisors on the storage, servers
on two hypervisors each, the directory and DNS; group-wide services (the forest root, Internet
access, the backup system) sit on the first site. Applications run on one to three servers of their
site, some also on an application of the group (the shared patient record, the identity server);
activities need two to six applications. About 40 % of the applications keep an offline copy, the
rest online copies only; restore times come from measured tests, declarations or data volumes.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["group_document"]

#: Shares of restore times declared and estimated from data volumes (the rest: measured by a test).
_DECLARED_SHARE = 0.4
_ESTIMATED_SHARE = 0.4
#: Share of applications that also depend on a group-wide one (the patient record, the identity server).
_SHARED_DEPENDENCY_SHARE = 0.3

_TEAMS = [
    {"name": "network", "capacity": 2},
    {"name": "systems", "capacity": 4},
    {"name": "applications", "capacity": 4},
    {"name": "vendors", "capacity": 2},
]


def _backup(rng: random.Random, frequency_h: float, offline_share: float) -> dict[str, Any]:
    copies: list[dict[str, Any]] = [{"site": "primary", "medium": "disk", "online": True}]
    if rng.random() < offline_share:
        copies.append({"site": "vault", "medium": "tape", "online": False, "frequency_h": rng.choice([24, 72, 168])})
    return {"frequency_h": frequency_h, "copies": copies, "system": "veeam"}


def _restore(rng: random.Random) -> dict[str, Any]:
    """Where the restore time comes from: a declared time, data size and throughput, or a measured test."""
    draw = rng.random()
    if draw < _DECLARED_SHARE:
        return {"restore_h": round(rng.uniform(0.5, 6.0), 2)}
    if draw < _DECLARED_SHARE + _ESTIMATED_SHARE:
        return {
            "data_gb": rng.choice([50, 200, 500, 2000]),
            "throughput_gb_h": rng.choice([100, 250, 500]),
            "setup_h": 0.5,
        }
    return {"restore_tests": [{"date": "2025-10-01", "success": True, "duration_h": round(rng.uniform(1, 8), 2)}]}


def _site(rng: random.Random, site: str, per_site: int, root: list[str]) -> list[dict[str, Any]]:
    """``per_site`` infrastructure components of one site, dependencies first."""
    infra = "infrastructure"
    parts: list[dict[str, Any]] = [
        {"name": f"{site}-core", "kind": infra, "category": "network", "team": "network", "restore_h": 2, "site": site},
    ]
    dcs = [f"{site}-dc{i}" for i in (1, 2)]
    parts += [
        {
            "name": dc,
            "kind": infra,
            "category": "directory",
            "team": "systems",
            "restore_h": 3,
            "site": site,
            "depends_on": [f"{site}-core", *root],
            "backup": _backup(rng, 24, 0.5),
            "rebuild_h": 24,
        }
        for dc in dcs
    ]
    parts.append(
        {
            "name": f"{site}-dns",
            "kind": infra,
            "category": "dns_dhcp",
            "team": "systems",
            "restore_h": 1,
            "site": site,
            "depends_on": dcs,
        }
    )
    storage = [f"{site}-san{i}" for i in range(3)]
    parts += [
        {
            "name": name,
            "kind": infra,
            "category": "storage",
            "team": "systems",
            "restore_h": 4,
            "site": site,
            "depends_on": [f"{site}-core"],
        }
        for name in storage
    ]
    hypervisors = [f"{site}-hv{i}" for i in range(8)]
    parts += [
        {
            "name": name,
            "kind": infra,
            "category": "hypervisor",
            "team": "systems",
            "restore_h": 1.5,
            "site": site,
            "depends_on": [rng.choice(storage), f"{site}-core"],
        }
        for name in hypervisors
    ]
    for index in range(per_site - len(parts)):
        hosts = rng.sample(hypervisors, 2)
        parts.append(
            {
                "name": f"{site}-srv{index}",
                "kind": infra,
                "category": "server",
                "team": "systems",
                "site": site,
                "depends_on": [*hosts, rng.choice(dcs), f"{site}-dns"],
                "backup": _backup(rng, 24, 0.3),
                **_restore(rng),
            }
        )
    return parts


def group_document(
    *, sites: int = 10, infrastructure: int = 1500, applications: int = 300, activities: int = 120, seed: int = 1789
) -> dict[str, Any]:
    """The model document of a group: ``infrastructure`` components over ``sites``, applications, activities."""
    rng = random.Random(seed)
    per_site = infrastructure // sites
    components: list[dict[str, Any]] = []
    for number in range(sites):
        components += _site(rng, f"s{number}", per_site, root=["s0-dc1"] if number else [])
    servers = {
        f"s{number}": [c["name"] for c in components if c.get("category") == "server" and c["site"] == f"s{number}"]
        for number in range(sites)
    }
    shared = ["dpi", "identity"]
    apps: list[dict[str, Any]] = [
        {
            "name": "identity",
            "team": "applications",
            "site": "s0",
            "depends_on": servers["s0"][:2],
            "backup": _backup(rng, 4, 0.0),
            "restore_h": 3,
            "critical": True,
        },
        {
            "name": "dpi",
            "team": "vendors",
            "site": "s0",
            "depends_on": [*servers["s0"][2:5], "identity"],
            "backup": _backup(rng, 4, 1.0),
            "restore_h": 8,
            "critical": True,
        },
    ]
    for index in range(applications - len(apps)):
        site = f"s{index % sites}"
        depends = rng.sample(servers[site], rng.randint(1, 3))
        if rng.random() < _SHARED_DEPENDENCY_SHARE:
            depends.append(rng.choice(shared))
        apps.append(
            {
                "name": f"app{index}",
                "team": rng.choice(["applications", "applications", "vendors"]),
                "site": site,
                "depends_on": depends,
                "backup": _backup(rng, rng.choice([4, 12, 24]), 0.4),
                **_restore(rng),
            }
        )
    names = [app["name"] for app in apps]
    acts = [
        {
            "name": f"activity{index}",
            "kind": rng.choice(["care", "care", "care", "administrative"]),
            "needs": rng.sample(names, rng.randint(2, 6)),
            "rto_h": rng.choice([4, 8, 24, 72]),
            "rpo_h": rng.choice([1, 4, 24]),
            "degraded_hold_h": rng.choice([0, 4, 24, 72]),
        }
        for index in range(activities)
    ]
    return {
        "teams": _TEAMS,
        "backup_systems": [{"name": "veeam", "authentication": "production_directory"}],
        "components": [*components, *apps],
        "activities": acts,
        "scenarios": [
            {
                "name": "ransomware",
                "description": "All infrastructure and applications encrypted, online backups destroyed.",
                "lost": ["infrastructure", "application"],
                "online_backups_destroyed": True,
            },
            {"name": "site-power", "lost": [], "outages": {"site:s1": 12}},
        ],
    }
