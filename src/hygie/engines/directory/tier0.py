"""The Tier-0 set: groups, principals and objects whose control gives control of the whole forest.

Tier 0 is the administrative tier of the identity plane (Microsoft's enterprise access model,
formerly "tier model"; ANSSI's "Points de contrôle Active Directory" call it "comptes à privilèges"
and audit it in ``vuln_privileged_members`` and friends). Whoever controls one Tier-0 object
controls the forest, so the attack graph ends here.

Nested membership is computed with a compiled breadth-first search (``scipy.sparse.csgraph``)
from the Tier-0 groups over reversed ``MemberOf`` edges: no Python loop over edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # scipy ships no type stubs
from scipy.sparse.csgraph import breadth_first_order  # type: ignore[import-untyped]

from hygie.engines.directory.memo import per_snapshot

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hygie.engines.directory.snapshot import Snapshot

__all__ = ["TIER0_BUILTIN_RIDS", "TIER0_DOMAIN_RIDS", "tier0_groups", "tier0_objects", "tier0_principals"]

#: Tier-0 groups of a domain SID (``S-1-5-21-...-RID``), RID -> why it is Tier 0.
#: Sources: Microsoft "Appendix B: Privileged Accounts and Groups in Active Directory" and
#: "Securing privileged access - enterprise access model" (control plane), ANSSI points de contrôle
#: AD (``vuln_privileged_members``, ``vuln_dnsadmins``, ``vuln_rodc_priv_revealed``, ``vuln_adcs_control``).
TIER0_DOMAIN_RIDS: dict[str, str] = {
    # Full control of every object of the domain (Microsoft appendix B; ANSSI vuln_privileged_members).
    "512": "Domain Admins",
    # Writable DCs hold every password hash (DCSync, golden ticket).
    "516": "Domain Controllers",
    # Writes the schema of the forest, hence the default ACLs of every new object (appendix B).
    "518": "Schema Admins",
    # Administrators of every domain of the forest (appendix B).
    "519": "Enterprise Admins",
    # RODCs of the forest and of the domain: they cache and can be made to cache privileged
    # secrets; ANSSI audits what they reveal (vuln_rodc_priv_revealed) and treats them as DCs.
    "498": "Enterprise Read-only Domain Controllers",
    "521": "Read-only Domain Controllers",
    # Write msDS-KeyCredentialLink on every account, domain and forest wide: shadow credentials
    # on a DC or an admin (Microsoft "Active Directory security groups" reference).
    "526": "Key Admins",
    "527": "Enterprise Key Admins",
}

#: Tier-0 groups of the built-in domain (``S-1-5-32-RID``), RID -> why it is Tier 0.
TIER0_BUILTIN_RIDS: dict[str, str] = {
    # Owns the domain object and AdminSDHolder; full control of DCs (appendix B).
    "544": "Administrators",
    # Create and change most accounts and groups, log on locally to DCs (appendix B: "should be
    # empty"; ANSSI vuln_privileged_members lists the Operators groups as privileged).
    "548": "Account Operators",
    # Log on to DCs, change services, back up and restore DC files (appendix B).
    "549": "Server Operators",
    # Load printer drivers (kernel code) on DCs (appendix B).
    "550": "Print Operators",
    # Read every file of a DC including NTDS.dit and the registry hives (appendix B).
    "551": "Backup Operators",
}

#: Members of DnsAdmins can make a DC's DNS service load a DLL as SYSTEM (ANSSI vuln_dnsadmins);
#: the group has no fixed RID, so it is matched by its account name.
_DNSADMINS = "DNSADMINS"
_RID = pl.col("object_id").str.extract(r"-(\d+)$", 1)
_IS_DOMAIN_SID = pl.col("object_id").str.contains(r"S-1-5-21-\d+-\d+-\d+-\d+$")
_IS_BUILTIN_SID = pl.col("object_id").str.contains(r"S-1-5-32-\d+$")


def _seed_groups(snapshot: Snapshot) -> pl.DataFrame:
    """The well-known Tier-0 groups themselves (object_id, name, reason), before nesting."""
    groups = snapshot.principals.filter(pl.col("kind") == "Group")
    account = pl.coalesce(pl.col("sam_account_name"), pl.col("name").str.split("@").list.first()).str.to_uppercase()
    reason = (
        pl.when(_IS_DOMAIN_SID & _RID.is_in(list(TIER0_DOMAIN_RIDS)))
        .then(_RID.replace_strict(TIER0_DOMAIN_RIDS, default=None))
        # Built-in RIDs are also accepted under a domain SID: no domain object uses RIDs below 1000
        # except the well-known ones, and some tools write the built-in groups that way.
        .when((_IS_BUILTIN_SID | _IS_DOMAIN_SID) & _RID.is_in(list(TIER0_BUILTIN_RIDS)))
        .then(_RID.replace_strict(TIER0_BUILTIN_RIDS, default=None))
        # Enterprise Domain Controllers (S-1-5-9): every DC of the forest is implicitly in it.
        .when(pl.col("object_id").str.contains(r"(^|-)S-1-5-9$"))
        .then(pl.lit("Enterprise Domain Controllers"))
        .when(account == _DNSADMINS)
        .then(pl.lit("DnsAdmins"))
    )
    return groups.select("object_id", "name", reason.alias("reason")).filter(pl.col("reason").is_not_null())


def _index(ids: pl.Series) -> pl.DataFrame:
    """``ids`` deduplicated, each with a dense integer index ``idx``."""
    return ids.unique(maintain_order=True).to_frame("object_id").with_row_index("idx")


def _codes(column: pl.Series, index: pl.DataFrame) -> NDArray[np.int64]:
    """The integer index of each identifier of ``column`` (all present in ``index``)."""
    codes = column.to_frame("object_id").join(index, on="object_id", how="left", maintain_order="left")["idx"]
    return codes.cast(pl.Int64).to_numpy()


def _memberships(snapshot: Snapshot) -> pl.DataFrame:
    """Every Tier-0 member (object_id, via): ``via`` is the seed group it is nested in.

    Breadth-first search from a virtual root linked to every seed group, over group -> member
    edges; the seed of each member is found by pointer doubling on the predecessor array, so
    nested depth costs log2(depth) vectorised steps.
    """
    seeds = _seed_groups(snapshot)
    if seeds.is_empty():
        return pl.DataFrame(schema={"object_id": pl.String, "via": pl.String})
    member_of = snapshot.edges.filter(pl.col("kind") == "MemberOf")
    index = _index(pl.concat([seeds["object_id"], member_of["source"], member_of["target"]]))
    size = index.height
    root = size  # virtual node
    rows = np.concatenate([_codes(member_of["target"], index), np.full(seeds.height, root, dtype=np.int64)])
    cols = np.concatenate([_codes(member_of["source"], index), _codes(seeds["object_id"], index)])
    graph = csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(size + 1, size + 1))
    order, predecessors = breadth_first_order(graph, root, directed=True, return_predecessors=True)
    reached = order[order != root]
    seed_of = predecessors.astype(np.int64)
    seed_of[seed_of < 0] = root  # unreached nodes and the root itself
    seed_of[root] = root
    seeds_idx = _codes(seeds["object_id"], index)
    seed_of[seeds_idx] = seeds_idx  # a seed is its own seed, even when also nested in another one
    # Pointer doubling: after k steps each node points 2^k levels up, stopping at a seed.
    for _ in range(64):
        parent = seed_of[seed_of]
        if np.array_equal(parent, seed_of):
            break
        seed_of = parent
    ids = index["object_id"]
    seed_names = seeds.select("object_id", "name", "reason")
    frame = pl.DataFrame({"object_id": ids.gather(reached), "seed": ids.gather(seed_of[reached])})
    via = (
        pl.when(pl.col("object_id") == pl.col("seed"))
        .then(pl.concat_str(pl.lit("well-known Tier-0 group ("), "reason", pl.lit(")")))
        .otherwise(pl.coalesce("name", "seed"))
    )
    return frame.join(seed_names, left_on="seed", right_on="object_id", how="left").select(
        "object_id", via.alias("via")
    )


def tier0_groups(snapshot: Snapshot) -> pl.DataFrame:
    """Tier-0 groups (object_id, name): the well-known ones of every domain and groups nested in them."""
    members = _memberships(snapshot)
    groups = snapshot.principals.filter(pl.col("kind") == "Group").select("object_id", "name")
    return groups.join(members.select("object_id"), on="object_id", how="semi", maintain_order="left")


def tier0_principals(snapshot: Snapshot) -> pl.DataFrame:
    """Every Tier-0 principal (object_id, kind, name, via) known to the snapshot.

    Transitive members of the Tier-0 groups (and those groups), domain controllers, ``krbtgt``
    accounts (RID 502: their key signs every ticket) and built-in Administrators (RID 500).
    ``via`` says why: the Tier-0 group it is nested in, or the account's role.
    """
    return per_snapshot(snapshot, "tier0_principals", _tier0_principals)


def _tier0_principals(snapshot: Snapshot) -> pl.DataFrame:
    principals = snapshot.principals
    by_role = principals.select(
        "object_id",
        pl.when(pl.col("is_dc").fill_null(value=False) & (pl.col("kind") == "Computer"))
        .then(pl.lit("domain controller"))
        .when((pl.col("kind") == "User") & _IS_DOMAIN_SID & (_RID == "502"))
        .then(pl.lit("krbtgt account"))
        .when((pl.col("kind") == "User") & _IS_DOMAIN_SID & (_RID == "500"))
        .then(pl.lit("built-in Administrator"))
        .alias("via"),
    ).filter(pl.col("via").is_not_null())
    reasons = pl.concat([_memberships(snapshot), by_role]).unique(subset="object_id", keep="first", maintain_order=True)
    return principals.select("object_id", "kind", "name").join(
        reasons, on="object_id", how="inner", maintain_order="left"
    )


def _dc_ancestors(snapshot: Snapshot) -> pl.DataFrame:
    """Containers and OUs (object_id) above a domain controller through ``Contains`` edges."""
    dcs = snapshot.principals.filter(pl.col("is_dc").fill_null(value=False)).select("object_id")
    contains = snapshot.edges.filter(pl.col("kind") == "Contains")
    if dcs.is_empty() or contains.is_empty():
        return pl.DataFrame(schema={"object_id": pl.String})
    index = _index(pl.concat([dcs["object_id"], contains["source"], contains["target"]]))
    size = index.height
    rows = np.concatenate([_codes(contains["target"], index), np.full(dcs.height, size, dtype=np.int64)])
    cols = np.concatenate([_codes(contains["source"], index), _codes(dcs["object_id"], index)])
    graph = csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(size + 1, size + 1))
    order = breadth_first_order(graph, size, directed=True, return_predecessors=False)
    reached = order[order != size]
    return index["object_id"].gather(reached).to_frame().join(dcs, on="object_id", how="anti")


def _dn_starts(prefix: str) -> pl.Expr:
    return pl.col("distinguished_name").str.to_uppercase().str.starts_with(prefix)


def tier0_objects(snapshot: Snapshot) -> pl.DataFrame:
    """Objects whose control gives Tier 0 (object_id, kind, name, reason), each once, reasons joined.

    Domain roots, AdminSDHolder (its ACL is stamped on every protected account), domain
    controllers and the OUs/containers above them, GPOs linked to a domain root or to an OU above a
    DC (they run code on DCs), Tier-0 groups and principals, the PKI (enterprise and root CAs, the
    NTAuth store, the Public Key Services containers, templates published to a CA: whoever controls
    them issues certificates that log on as anyone), the Configuration and Schema partitions.
    ANSSI audits the permissions on these objects: vuln_permissions_adminsdholder,
    vuln_permissions_dc, vuln_permissions_gpo_priv, vuln_permissions_naming_context,
    vuln_permissions_schema, vuln_adcs_control.
    Block-inheritance on OUs is ignored on purpose: a GPO linked above is reported even where an
    OU blocks it, the conservative choice.
    """
    principals = tier0_principals(snapshot).select(
        "object_id", "kind", "name", pl.concat_str(pl.lit("Tier-0 principal: "), "via").alias("reason")
    )
    domains = snapshot.domains.select(
        "object_id", pl.lit("Domain").alias("kind"), "name", pl.lit("domain root").alias("reason")
    )
    ancestors = _dc_ancestors(snapshot)
    dc_ous = snapshot.ous.join(ancestors, on="object_id", how="semi").select(
        "object_id", pl.lit("OU").alias("kind"), "name", pl.lit("OU containing domain controllers").alias("reason")
    )
    named_ous = snapshot.ous.filter(_dn_starts("OU=DOMAIN CONTROLLERS,DC=")).select(
        "object_id", pl.lit("OU").alias("kind"), "name", pl.lit("Domain Controllers OU").alias("reason")
    )
    containers = snapshot.containers.select(
        "object_id",
        pl.lit("Container").alias("kind"),
        "name",
        pl.when(_dn_starts("CN=ADMINSDHOLDER,CN=SYSTEM,"))
        .then(pl.lit("AdminSDHolder"))
        .when(
            pl.col("distinguished_name")
            .str.to_uppercase()
            .str.contains("CN=PUBLIC KEY SERVICES,CN=SERVICES,CN=CONFIGURATION,", literal=True)
        )
        .then(pl.lit("PKI container"))
        .when(_dn_starts("CN=SCHEMA,CN=CONFIGURATION,"))
        .then(pl.lit("schema partition"))
        .when(_dn_starts("CN=CONFIGURATION,DC="))
        .then(pl.lit("configuration partition"))
        .when(pl.col("object_id").is_in(ancestors["object_id"].implode()))
        .then(pl.lit("container of domain controllers"))
        .alias("reason"),
    ).filter(pl.col("reason").is_not_null())
    top = pl.concat([snapshot.domains["object_id"], dc_ous["object_id"], named_ous["object_id"]]).implode()
    linked = snapshot.edges.filter((pl.col("kind") == "GPLink") & pl.col("target").is_in(top))
    gpos = snapshot.gpos.join(linked.select(pl.col("source").alias("object_id")), on="object_id", how="semi").select(
        "object_id",
        pl.lit("GPO").alias("kind"),
        "name",
        pl.lit("GPO linked to a domain root or a DC's OU").alias("reason"),
    )
    authorities = snapshot.cert_authorities.select(
        "object_id", "kind", "name", pl.concat_str(pl.lit("PKI: "), "kind").alias("reason")
    )
    hosts = snapshot.edges.filter(pl.col("kind") == "HostsCAService").join(
        snapshot.cert_authorities.filter(kind="EnterpriseCA"), left_on="target", right_on="object_id", how="semi"
    )
    ca_hosts = snapshot.principals.join(
        hosts.select(pl.col("source").alias("object_id")), on="object_id", how="semi"
    ).select("object_id", "kind", "name", pl.lit("hosts an enterprise CA").alias("reason"))
    published = snapshot.edges.filter(pl.col("kind") == "PublishedTo")
    templates = snapshot.cert_templates.join(
        published.select(pl.col("source").alias("object_id")), on="object_id", how="semi"
    ).select(
        "object_id", pl.lit("CertTemplate").alias("kind"), "name", pl.lit("template published to a CA").alias("reason")
    )
    everything = pl.concat([principals, domains, dc_ous, named_ous, containers, gpos, authorities, ca_hosts, templates])
    return everything.group_by("object_id", maintain_order=True).agg(
        pl.col("kind").first(), pl.col("name").first(), pl.col("reason").unique(maintain_order=True).str.join("; ")
    )
