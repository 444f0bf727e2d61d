"""What the delegation and permission checks share: membership expansion, ACE selection, ACL findings.

ACE rights are edges of the snapshot (``source`` = trustee, ``target`` = object, ``kind`` = right),
so every selection here is a Polars join or filter over the edge table, never a loop per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import AffectedObject, Finding
from hygie.engines.directory.checks.common import registered_finding
from hygie.engines.directory.memo import per_snapshot
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.tier0 import tier0_objects, tier0_principals

if TYPE_CHECKING:
    from hygie.engines.directory.snapshot import Snapshot

__all__ = [
    "BROAD_PRINCIPALS",
    "DANGEROUS_RIGHTS",
    "LEGITIMATE_HOLDERS",
    "ace_edges",
    "acl_finding",
    "broad_principal",
    "control_of",
    "is_well_known",
    "nested_members",
    "nested_memberships",
    "object_index",
    "per_snapshot",
    "rid_is",
    "tier0_ids",
    "tier0_targets",
]

#: ACE edge kinds that hand control of the target to the trustee (see the edge table of the docs).
DANGEROUS_RIGHTS: tuple[str, ...] = (
    "GenericAll",
    "GenericWrite",
    "WriteDacl",
    "WriteOwner",
    "Owns",
    "AllExtendedRights",
    "AddKeyCredentialLink",
    "WriteSPN",
    "AddMember",
    "ForceChangePassword",
    "AddAllowedToAct",
    "WriteAccountRestrictions",
    "WriteGPLink",
    # Not in every list of control edges, but adding oneself to a Tier-0 group is membership.
    "AddSelf",
)

#: Every ACE edge kind the collectors write, dangerous or not; used to tell "no ACL collected".
_ACE_KINDS: tuple[str, ...] = (
    *DANGEROUS_RIGHTS,
    "GetChanges",
    "GetChangesAll",
    "GetChangesInFilteredSet",
    "DCSync",
    "ReadLAPSPassword",
    "ReadGMSAPassword",
    "Enroll",
    "ManageCA",
    "ManageCertificates",
    "WritePKIEnrollmentFlag",
    "WritePKINameFlag",
)

#: Well-known SIDs of groups that hold every user or computer of a domain: Everyone, Anonymous,
#: Authenticated Users, Builtin\Users; Domain Users (513) and Domain Computers (515) are domain RIDs.
BROAD_PRINCIPALS: tuple[str, ...] = ("S-1-1-0", "S-1-5-7", "S-1-5-11", "S-1-5-32-545")
_BROAD_RIDS: tuple[str, ...] = ("513", "515")

#: Well-known SIDs whose ACEs on Tier-0 objects are by design (see :func:`tier0_ids`).
LEGITIMATE_HOLDERS: tuple[str, ...] = ("S-1-5-10", "S-1-3-0", "S-1-5-18", "S-1-5-9")

_MAX_EVIDENCE_ROWS = 5000
_MAX_NESTING = 64


def rid_is(rids: tuple[str, ...], column: str = "object_id") -> pl.Expr:
    """True where ``column`` is a domain SID (``S-1-5-21-a-b-c-RID``) whose RID is one of ``rids``.

    Anchored on both ends, so the local groups of a computer (``<computer SID>-513``) never match.
    """
    return pl.col(column).str.extract(r"^S-1-5-21-\d+-\d+-\d+-(\d+)$", 1).is_in(list(rids))


def is_well_known(sids: tuple[str, ...], column: str = "object_id") -> pl.Expr:
    """True where ``column`` is one of the well-known ``sids``, bare or prefixed by its domain.

    SharpHound writes well-known principals as ``DOMAIN.FQDN-S-1-5-11``; LDAP collections as
    ``S-1-5-11``. A SID contains an ``S`` only at its start, so the ``-S-...`` suffix is unambiguous.
    """
    pattern = "(?:^|-)(?:" + "|".join(sid.replace("-", r"\-") for sid in sids) + ")$"
    return pl.col(column).str.contains(pattern)


def broad_principal(column: str = "source") -> pl.Expr:
    """True where ``column`` is a group holding every user or computer of a domain (or everyone)."""
    return is_well_known(BROAD_PRINCIPALS, column) | rid_is(_BROAD_RIDS, column)


def nested_memberships(snapshot: Snapshot, groups: pl.DataFrame) -> pl.DataFrame:
    """(``group``, ``member``) for every direct or nested member of each group of ``groups.object_id``.

    Breadth-first over the MemberOf edges, one join per nesting level for all groups at once; loops
    end because a (group, member) pair already found is never expanded twice.
    """
    member_of = snapshot.edges.filter(pl.col("kind") == "MemberOf").select("source", "target")
    seen = groups.select(pl.col("object_id").alias("group"), pl.col("object_id").alias("member")).unique()
    frontier = seen
    found: list[pl.DataFrame] = []
    for _ in range(_MAX_NESTING):
        new = (
            frontier.join(member_of, left_on="member", right_on="target")
            .select("group", pl.col("source").alias("member"))
            .unique()
            .join(seen, on=["group", "member"], how="anti")
        )
        if new.is_empty():
            break
        found.append(new)
        seen = pl.concat([seen, new])
        frontier = new
    return pl.concat(found) if found else pl.DataFrame(schema={"group": pl.String(), "member": pl.String()})


def nested_members(snapshot: Snapshot, groups: pl.DataFrame) -> pl.DataFrame:
    """``object_id`` of every direct or nested member of the groups in ``groups.object_id``."""
    pairs = nested_memberships(snapshot, groups)
    return pairs.select(pl.col("member").alias("object_id")).unique()


def tier0_ids(snapshot: Snapshot) -> pl.DataFrame:
    """``object_id`` of the Tier-0 principals (and CA hosts) plus the well-known legitimate ACE holders.

    Local groups of Tier-0 computers count as Tier 0. Legitimate holders: SELF (S-1-5-10, the
    object acting on itself), CREATOR OWNER (S-1-3-0, a placeholder replaced by the creator on
    child objects), Local System (S-1-5-18, the DC itself) and Enterprise Domain Controllers
    (S-1-5-9, the DCs of the forest).
    """

    def compute(snap: Snapshot) -> pl.DataFrame:
        # Tier-0 objects that are principals too: CA hosts are Tier 0 without being in a Tier-0 group.
        objects = tier0_targets(snap).filter(pl.col("kind").is_in(["User", "Computer", "Group"]))
        members = tier0_principals(snap).select("object_id")
        principals = pl.concat([members, objects.select("object_id")])
        sources = snap.edges.select(pl.col("source").alias("object_id")).unique()
        legit = pl.concat([sources, snap.principals.select("object_id")]).filter(is_well_known(LEGITIMATE_HOLDERS))
        # Local groups of a Tier-0 computer (``<computer SID>-544``...): whoever administers the
        # host controls it already, so they are Tier 0 too.
        host = pl.col("object_id").str.extract(r"^(S-1-5-21-\d+-\d+-\d+-\d+)-\d+$", 1)
        local = sources.filter(host.is_in(principals["object_id"].implode()))
        return pl.concat([principals, legit, local]).unique()

    return per_snapshot(snapshot, "tier0_ids", compute)


def tier0_targets(snapshot: Snapshot) -> pl.DataFrame:
    """The Tier-0 objects (object_id, kind, name, reason), computed once per snapshot."""
    return per_snapshot(snapshot, "tier0_objects", tier0_objects)


def control_of(snapshot: Snapshot, targets: pl.DataFrame, rights: tuple[str, ...] = DANGEROUS_RIGHTS) -> pl.DataFrame:
    """ACEs granting ``rights`` on ``targets.object_id`` to anyone outside Tier 0 (not the object itself)."""
    aces = ace_edges(snapshot, rights).join(
        targets.select("object_id"), left_on="target", right_on="object_id", how="semi"
    )
    return aces.filter(pl.col("source") != pl.col("target")).join(
        tier0_ids(snapshot), left_on="source", right_on="object_id", how="anti"
    )


def object_index(snapshot: Snapshot) -> pl.DataFrame:
    """``object_id``, ``kind`` and ``name`` of every object of every table, one row per id."""
    return per_snapshot(snapshot, "object_index", _object_index)


def _object_index(snapshot: Snapshot) -> pl.DataFrame:
    frames = [snapshot.principals.select("object_id", "kind", "name")]
    frames.append(snapshot.domains.select("object_id", pl.lit("Domain").alias("kind"), "name"))
    for table, kind in (
        ("gpos", "GPO"),
        ("ous", "OU"),
        ("containers", "Container"),
        ("cert_templates", "CertTemplate"),
    ):
        frames.append(snapshot.table(table).select("object_id", pl.lit(kind).alias("kind"), "name"))
    frames.append(snapshot.cert_authorities.select("object_id", "kind", "name"))
    return pl.concat(frames).unique(subset="object_id", keep="first")


def ace_edges(snapshot: Snapshot, rights: tuple[str, ...] = DANGEROUS_RIGHTS) -> pl.DataFrame:
    """ACE edges (source, kind, target) of the given ``rights``, selected once per snapshot and ``rights``.

    Raises ``NotEvaluatedError`` when the collection holds no ACE at all: permission checks then
    say "not evaluated" instead of passing on a collection made without ACLs.
    """

    def collected(snap: Snapshot) -> bool:
        return not snap.edges.filter(pl.col("kind").is_in(list(_ACE_KINDS))).is_empty()

    if not per_snapshot(snapshot, "ace_collected", collected):
        msg = "the collection holds no access control entries"
        raise NotEvaluatedError(msg)

    def select(snap: Snapshot) -> pl.DataFrame:
        return snap.edges.filter(pl.col("kind").is_in(list(rights))).select("source", "kind", "target")

    return per_snapshot(snapshot, "aces:" + ",".join(rights), select)


def acl_finding(check_id: str, snapshot: Snapshot, aces: pl.DataFrame) -> list[Finding]:
    """One finding naming every trustee and target of ``aces`` (``source``, ``kind``, ``target``).

    ``evidence["aces"]`` lists the (trustee, right, target) rows, the first few thousand of them,
    and ``evidence["count"]`` their total.
    """
    if aces.is_empty():
        return []
    aces = aces.select("source", "kind", "target").unique().sort("source", "target", "kind")
    index = object_index(snapshot)
    named = aces.join(
        index.rename({"object_id": "source", "kind": "source_kind", "name": "source_name"}), on="source", how="left"
    ).join(index.rename({"object_id": "target", "kind": "target_kind", "name": "target_name"}), on="target", how="left")
    named = named.with_columns(
        pl.col("source_name").fill_null(pl.col("source")),
        pl.col("target_name").fill_null(pl.col("target")),
        pl.col("source_kind").fill_null("principal"),
        pl.col("target_kind").fill_null("object"),
    )
    objects = pl.concat(
        [
            named.select(
                pl.col("source").alias("object_id"),
                pl.col("source_kind").alias("kind"),
                pl.col("source_name").alias("name"),
            ),
            named.select(
                pl.col("target").alias("object_id"),
                pl.col("target_kind").alias("kind"),
                pl.col("target_name").alias("name"),
            ),
        ]
    ).unique(subset="object_id", keep="first", maintain_order=True)
    affected = tuple(
        AffectedObject(kind=str(kind), name=str(name), identifier=str(object_id))
        for object_id, kind, name in objects.iter_rows()
    )
    rows = [
        {"trustee": source_name, "trustee_id": source, "right": right, "target": target_name, "target_id": target}
        for source, right, target, source_name, target_name in named.head(_MAX_EVIDENCE_ROWS)
        .select("source", "kind", "target", "source_name", "target_name")
        .iter_rows()
    ]
    return [registered_finding(check_id, affected, {"count": aces.height, "aces": rows})]
