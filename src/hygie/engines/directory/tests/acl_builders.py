"""Build small snapshots with ACE edges and non-principal objects for the permission and delegation tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

import hygie.engines.directory.checks  # noqa: F401 - importing registers the checks
from hygie.engines.directory.registry import CHECKS
from hygie.engines.directory.schema import SCHEMAS
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID

if TYPE_CHECKING:
    from hygie.engines._core import Finding

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DOMAIN_DN = "DC=LAB,DC=LOCAL"


def sid(rid: int) -> str:
    """The SID of ``rid`` in the test domain."""
    return f"{DOMAIN_SID}-{rid}"


def obj(table: str, object_id: str, name: str, **values: Any) -> dict[str, Any]:
    """A row of ``table`` (domains, gpos, ous, containers, cert_templates, cert_authorities)."""
    row: dict[str, Any] = dict.fromkeys(SCHEMAS[table])
    row.update(object_id=object_id, name=name, domain_sid=DOMAIN_SID, is_deleted=False)
    if table == "cert_templates":
        row.update(ekus=[], effective_ekus=[])
    if table == "cert_authorities":
        row.update(cert_chain=[])
    row.update(values)
    return row


def domain() -> dict[str, Any]:
    """The domain object of the test domain."""
    return obj("domains", DOMAIN_SID, "LAB.LOCAL", distinguished_name=DOMAIN_DN)


def build(
    principals: list[dict[str, Any]],
    edges: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    **tables: list[dict[str, Any]],
) -> Snapshot:
    """A snapshot of ``principals``, (source, kind, target) ``edges`` and rows of other ``tables``.

    The domain object is always present, so that domain-root checks have their target.
    """
    frames = {name: pl.DataFrame(rows, schema=SCHEMAS[name]) for name, rows in tables.items()}
    frames.setdefault("domains", pl.DataFrame([domain()], schema=SCHEMAS["domains"]))
    edge_rows = [
        {"source": source, "target": target, "kind": kind, "is_inherited": False, "enforced": None}
        for source, kind, target in edges
    ]
    frames["principals"] = pl.DataFrame(principals, schema=SCHEMAS["principals"])
    frames["edges"] = pl.DataFrame(edge_rows, schema=SCHEMAS["edges"])
    return Snapshot(**frames)  # type: ignore[arg-type]  # every value is a table DataFrame


def findings(check_id: str, snap: Snapshot) -> list[Finding]:
    """The findings of ``check_id`` on ``snap``."""
    return CHECKS[check_id].implementation(snap, NOW)


def named(check_id: str, snap: Snapshot) -> set[str]:
    """Identifiers of every object the findings of ``check_id`` name."""
    return {item.identifier for finding in findings(check_id, snap) for item in finding.affected}


def ace_rows(check_id: str, snap: Snapshot) -> set[tuple[str, str, str]]:
    """(trustee id, right, target id) rows of the evidence of ``check_id``."""
    return {
        (row["trustee_id"], row["right"], row["target_id"])
        for finding in findings(check_id, snap)
        for row in finding.evidence["aces"]
    }
