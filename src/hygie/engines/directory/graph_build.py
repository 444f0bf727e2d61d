"""The attack graph's nodes and edges, built from a snapshot with Polars joins (no loop per edge).

Edges follow BloodHound's documented orientation, "source can take control of (or obtain the
credentials of) target": ``MemberOf`` (member -> group), ``AdminTo`` (principal -> computer),
``HasSession`` (computer -> user: compromising the computer yields the user's credentials), ACL
rights (trustee -> object), ``GPLink`` (GPO -> OU or domain), ``Contains`` (container -> child:
inheritable ACEs set on a container reach its children, so control of the container is control of
the children), delegation (``AllowedToDelegate``, ``AllowedToAct``), ``HasSIDHistory``, ``DCSync``
(both replication rights on a domain) and ``ADCSESC1`` (an ESC1 template -> its domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["ACL_RIGHTS", "LATERAL_MOVEMENT", "UNFIXABLE", "EdgeTable", "build_edges"]

#: Rights on an object that let the trustee take it over (BloodHound's traversable ACL edges).
ACL_RIGHTS: frozenset[str] = frozenset(
    {
        "GenericAll",
        "GenericWrite",
        "WriteDacl",
        "WriteOwner",
        "Owns",
        "AddMember",
        "AddSelf",
        "ForceChangePassword",
        "AllExtendedRights",
        "AddKeyCredentialLink",
        "ReadLAPSPassword",
        "ReadGMSAPassword",
        "WriteSPN",
        "AddAllowedToAct",
        "WriteAccountRestrictions",
        "WriteGPLink",
    }
)
#: Relations taken as they are stored.
_DIRECT: frozenset[str] = frozenset(
    {"MemberOf", "AdminTo", "HasSession", "AllowedToDelegate", "AllowedToAct", "HasSIDHistory", "GPLink", "Contains"}
)
#: Lateral movement edges: a logon, not control; used only when asked.
LATERAL_MOVEMENT: frozenset[str] = frozenset({"CanRDP", "CanPSRemote", "ExecuteDCOM"})
#: Structural edges no administrator can remove: a fix never proposes them.
UNFIXABLE: frozenset[str] = frozenset({"Contains", "GPLink", "HostsCAService", "ADCSESC1", "PrimaryGroup", "Implicit"})
#: Display order when one pair of nodes is joined by several edge kinds: membership first.
_PRIORITY = ["MemberOf", "PrimaryGroup", "Implicit", "AdminTo", "DCSync", "GenericAll", "Owns", "WriteDacl"]
#: Both are needed to replicate secrets (DCSync).
_REPLICATION = ["GetChanges", "GetChangesAll"]
# Well-known SIDs SharpHound prefixes with the domain name; every account of the domain is in them.
_IMPLICIT_SUFFIXES = ("-S-1-1-0", "-S-1-5-11")


@dataclass(frozen=True, slots=True)
class EdgeTable:
    """The graph: ``nodes`` (idx, object_id, name, kind), ``pairs`` (src, dst, kind, fixable), ``edges``.

    One ``pairs`` row per ordered pair of nodes: removing a fix removes every fixable right of the
    pair. ``edges`` (src, dst, kind) keeps every kind, to name a fix.
    """

    nodes: pl.DataFrame
    pairs: pl.DataFrame
    edges: pl.DataFrame

    def kinds(self, src: int, dst: int) -> tuple[str, ...]:
        """Every edge kind from node ``src`` to node ``dst``."""
        kinds = self.edges.filter((pl.col("src") == src) & (pl.col("dst") == dst))["kind"].unique(maintain_order=True)
        return tuple(str(kind) for kind in kinds)

    @property
    def size(self) -> int:
        """Number of nodes."""
        return self.nodes.height

    def src(self) -> NDArray[np.int64]:
        """Source node index of each pair."""
        return self.pairs["src"].to_numpy().astype(np.int64)

    def dst(self) -> NDArray[np.int64]:
        """Target node index of each pair."""
        return self.pairs["dst"].to_numpy().astype(np.int64)


def _nodes(snapshot: Snapshot, edges: pl.DataFrame) -> pl.DataFrame:
    """Every object of the snapshot and every edge end, each once, with a dense index."""
    cols = ["object_id", "name", "kind"]
    known = pl.concat(
        [
            snapshot.principals.select(cols),
            snapshot.domains.select("object_id", "name", pl.lit("Domain").alias("kind")),
            snapshot.gpos.select("object_id", "name", pl.lit("GPO").alias("kind")),
            snapshot.ous.select("object_id", "name", pl.lit("OU").alias("kind")),
            snapshot.containers.select("object_id", "name", pl.lit("Container").alias("kind")),
            snapshot.cert_templates.select("object_id", "name", pl.lit("CertTemplate").alias("kind")),
            snapshot.cert_authorities.select(cols),
        ]
    ).unique(subset="object_id", keep="first", maintain_order=True)
    ends = pl.concat([edges["source"], edges["target"]]).unique().to_frame("object_id")
    unknown = ends.join(known, on="object_id", how="anti").select(
        "object_id", pl.col("object_id").alias("name"), pl.lit("Unknown").alias("kind")
    )
    nodes = pl.concat([known, unknown]).with_row_index("idx")
    return nodes.with_columns(pl.col("idx").cast(pl.Int64), pl.col("name").fill_null(pl.col("object_id")))


def _dcsync(snapshot: Snapshot) -> pl.DataFrame:
    """``DCSync`` edges: a principal holding GetChanges and GetChangesAll on a domain, directly or via groups.

    Each right's holders are expanded to their transitive members by joining ``MemberOf`` level by
    level (as many joins as the nesting depth); an edge is drawn from a principal that has both
    rights but whose groups, taken one by one, do not (otherwise the group's edge already covers it).
    """
    domains = snapshot.domains.select("object_id")
    rights = snapshot.edges.filter(pl.col("kind").is_in(_REPLICATION)).join(
        domains, left_on="target", right_on="object_id", how="semi"
    )
    if rights.is_empty():
        return pl.DataFrame(schema={"source": pl.String, "target": pl.String, "kind": pl.String})
    member_of = snapshot.edges.filter(pl.col("kind") == "MemberOf").select(
        pl.col("source").alias("member"), pl.col("target").alias("group")
    )
    holders = rights.select(pl.col("source").alias("holder"), pl.col("target").alias("domain"), "kind").unique()
    frontier = holders
    for _ in range(64):  # nesting depth bound; cycles stop when nothing new is found
        nested = frontier.join(member_of, left_on="holder", right_on="group").select(
            pl.col("member").alias("holder"), "domain", "kind"
        )
        fresh = nested.join(holders, on=["holder", "domain", "kind"], how="anti").unique()
        if fresh.is_empty():
            break
        holders = pl.concat([holders, fresh])
        frontier = fresh
    both = (
        holders.group_by("holder", "domain")
        .agg(pl.col("kind").n_unique().alias("n"))
        .filter(pl.col("n") == len(_REPLICATION))
    )
    # A principal whose own group already has both rights reaches the domain through that group.
    covered = both.join(member_of, left_on="holder", right_on="member").join(
        both.select(pl.col("holder").alias("group"), "domain"), on=["group", "domain"], how="semi"
    )
    edges = both.join(covered.select("holder", "domain").unique(), on=["holder", "domain"], how="anti")
    return edges.select(
        pl.col("holder").alias("source"), pl.col("domain").alias("target"), pl.lit("DCSync").alias("kind")
    )


def _esc1(snapshot: Snapshot) -> pl.DataFrame:
    """ESC1: enrolment on a template whose enrollee supplies the subject, for client authentication.

    ``Enroll`` (or full control, which grants it) on such a template, published to a CA and
    without manager approval, yields a certificate that authenticates as any account of the
    domain: principal -> template -> domain. The CA's own enrolment rights are not evaluated.
    """
    published = snapshot.edges.filter(pl.col("kind") == "PublishedTo").select(pl.col("source").alias("object_id"))
    templates = snapshot.cert_templates.filter(
        pl.col("enrollee_supplies_subject").fill_null(value=False)
        & pl.col("authentication_enabled").fill_null(value=False)
        & ~pl.col("requires_manager_approval").fill_null(value=True)
        & (pl.col("authorized_signatures").fill_null(0) == 0)
    ).join(published, on="object_id", how="semi")
    enroll = snapshot.edges.filter(pl.col("kind").is_in(["Enroll", "AllExtendedRights", "GenericAll"])).join(
        templates.select("object_id"), left_on="target", right_on="object_id", how="semi"
    )
    to_domain = templates.join(
        snapshot.domains.select(pl.col("object_id").alias("domain"), pl.col("object_id").alias("domain_sid")),
        on="domain_sid",
    ).select(pl.col("object_id").alias("source"), pl.col("domain").alias("target"), pl.lit("ADCSESC1").alias("kind"))
    return pl.concat([enroll.select("source", "target", pl.lit("Enroll").alias("kind")), to_domain])


def _implicit(snapshot: Snapshot) -> pl.DataFrame:
    """Every account of a domain belongs to its Everyone and Authenticated Users groups.

    SharpHound writes ACEs granted to them under ``DOMAIN-S-1-5-11``; without these edges a right
    given to all authenticated users would reach nobody.
    """
    pattern = "(" + "|".join(suffix.replace("-", r"\-") for suffix in _IMPLICIT_SUFFIXES) + ")$"
    # They only ever act as trustees (edge sources); filter before deduplicating, it is cheaper.
    trustees = snapshot.edges.select(pl.col("source").alias("group")).filter(pl.col("group").str.contains(pattern))
    groups = trustees.unique().with_columns(pl.col("group").str.replace(pattern, "").str.to_uppercase().alias("domain"))
    accounts = snapshot.principals.filter(pl.col("kind").is_in(["User", "Computer"])).select(
        "object_id", pl.col("domain").str.to_uppercase()
    )
    return accounts.join(groups, on="domain").select(
        pl.col("object_id").alias("source"), pl.col("group").alias("target"), pl.lit("Implicit").alias("kind")
    )


def build_edges(snapshot: Snapshot, *, lateral_movement: bool = False) -> EdgeTable:
    """The attack graph of ``snapshot``; ``lateral_movement`` adds CanRDP, CanPSRemote, ExecuteDCOM."""
    raw = snapshot.edges
    wanted = ACL_RIGHTS | _DIRECT | {"HostsCAService"} | (LATERAL_MOVEMENT if lateral_movement else frozenset())
    kept = raw.filter(pl.col("kind").is_in(list(wanted))).select("source", "target", "kind")
    # A child whose ACL is protected (inheritance disabled, as SDProp does on every adminCount
    # object) takes no ACE from its container: control of the container does not reach it.
    protected = pl.concat(
        [
            snapshot.table(name).filter(pl.col("is_acl_protected").fill_null(value=False)).select("object_id")
            for name in ("principals", "domains", "gpos", "ous", "containers", "cert_templates", "cert_authorities")
        ]
    )
    kept = kept.join(
        protected.with_columns(pl.lit("Contains").alias("kind")),
        left_on=["target", "kind"],
        right_on=["object_id", "kind"],
        how="anti",
    )
    # Primary-group memberships (Domain Users, Domain Computers) cannot be removed: mark them.
    primary = snapshot.principals.select(
        pl.col("object_id").alias("source"),
        pl.col("primary_group_sid").alias("target"),
        pl.lit(value=True).alias("_primary"),
    )
    kept = (
        kept.join(primary, on=["source", "target"], how="left")
        .with_columns(
            pl.when((pl.col("kind") == "MemberOf") & pl.col("_primary").fill_null(value=False))
            .then(pl.lit("PrimaryGroup"))
            .otherwise(pl.col("kind"))
            .alias("kind")
        )
        .drop("_primary")
    )
    edges = pl.concat([kept, _dcsync(snapshot), _esc1(snapshot), _implicit(snapshot)]).filter(
        pl.col("source") != pl.col("target")
    )
    nodes = _nodes(snapshot, edges)
    ids = nodes.select("object_id", "idx")
    indexed = (
        edges.join(ids.rename({"idx": "src"}), left_on="source", right_on="object_id")
        .join(ids.rename({"idx": "dst"}), left_on="target", right_on="object_id")
        .select("src", "dst", "kind")
    )
    # One row per (src, dst) pair, sorted by (dst, src) like the CSR graph: an integer sort in
    # numpy, the displayed kind being the first by priority, the pair fixable when all its kinds are.
    rank = {kind: position for position, kind in enumerate(_PRIORITY)}
    ranks = indexed["kind"].replace_strict(rank, default=len(rank), return_dtype=pl.Int64).to_numpy()
    src, dst = indexed["src"].to_numpy(), indexed["dst"].to_numpy()
    order = np.lexsort((ranks, dst * (nodes.height + 2) + src))
    key = (dst * (nodes.height + 2) + src)[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if key.size else np.zeros(0, np.int64)
    fixable = ~indexed["kind"].is_in(list(UNFIXABLE)).to_numpy()[order]
    firsts = order[starts]
    pairs = pl.DataFrame(
        {
            "src": src[firsts],
            "dst": dst[firsts],
            "kind": indexed["kind"].gather(firsts),
            "fixable": np.logical_and.reduceat(fixable, starts) if key.size else np.zeros(0, np.bool_),
        },
        schema={"src": pl.Int64, "dst": pl.Int64, "kind": pl.String, "fixable": pl.Boolean},
    )
    return EdgeTable(nodes=nodes, pairs=pairs, edges=indexed)
