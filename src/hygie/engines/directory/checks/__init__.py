"""Directory checks, one module per family; importing this package registers them all."""

from __future__ import annotations

from hygie.engines.directory.checks import (
    accounts,
    adcs,
    anomalies,
    delegation,
    permissions,
    permissions_secrets,
    policy,
    privileged,
    stale,
    trusts,
)

__all__ = [
    "accounts",
    "adcs",
    "anomalies",
    "delegation",
    "permissions",
    "permissions_secrets",
    "policy",
    "privileged",
    "stale",
    "trusts",
]
