"""Account hygiene checks: Kerberos and password flags, cleartext secrets, primary groups, SID history, loops.

Every check is a filter or a join over the principal and edge tables; group loops are found with a
compiled strongly-connected-components pass over the ``MemberOf`` graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # scipy ships no type stubs
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import per_snapshot
from hygie.engines.directory.checks.common import finding_for, privileged_principals
from hygie.engines.directory.checks.support import ENABLED, SID_DOMAIN, SID_RID, finding_with, require, with_evidence
from hygie.engines.directory.registry import Category, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_USER = pl.col("kind") == "User"
_ACCOUNT = pl.col("kind").is_in(["User", "Computer"])
_KRBTGT = pl.col("object_id").str.ends_with("-502")
_MANAGED = pl.col("gmsa").fill_null(value=False) | pl.col("msa").fill_null(value=False)


@directory_check(
    "directory.password_never_expires",
    title_en="Accounts whose password never expires",
    title_fr="Comptes dont le mot de passe n'expire jamais",
    severity=Severity.MEDIUM,
    category=Category.STALE,
    anssi=("vuln_dont_expire",),
    levels=(2,),
)
def password_never_expires(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled user accounts with DONT_EXPIRE_PASSWORD (managed service accounts rotate on their own)."""
    users = require(snapshot.principals.filter(_USER & ENABLED), ("pwdneverexpires",), "DONT_EXPIRE_PASSWORD")
    offenders = users.filter(pl.col("pwdneverexpires").fill_null(value=False) & ~_MANAGED)
    return finding_for("directory.password_never_expires", offenders)


@directory_check(
    "directory.asrep_roastable",
    title_en="Accounts without Kerberos pre-authentication (AS-REP roastable)",
    title_fr="Comptes sans préauthentification Kerberos",
    severity=Severity.HIGH,
    category=Category.STALE,
    anssi=("vuln_kerberos_properties_preauth",),
    levels=(2,),
)
def asrep_roastable(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users with DONT_REQ_PREAUTH: anyone can fetch material to crack their password offline."""
    users = require(snapshot.principals.filter(_USER & ENABLED), ("dontreqpreauth",), "DONT_REQ_PREAUTH")
    offenders = users.filter(pl.col("dontreqpreauth").fill_null(value=False))
    return finding_for("directory.asrep_roastable", offenders)


@directory_check(
    "directory.kerberoastable_users",
    title_en="Non-privileged user accounts with an SPN (kerberoastable)",
    title_fr="Comptes utilisateurs non privilégiés avec SPN (kerberoastables)",
    severity=Severity.LOW,
    category=Category.STALE,
)
def kerberoastable_users(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled non-privileged users with an SPN, krbtgt excepted; privileged ones have their own check.

    Informational: a service account's ticket can be cracked offline, its password must be long.
    ANSSI only has a control for privileged accounts (``vuln_spn_priv``).
    """
    privileged = per_snapshot(snapshot, "privileged_principals", privileged_principals)
    users = snapshot.principals.filter(_USER & ENABLED & pl.col("has_spn").fill_null(value=False) & ~_KRBTGT)
    offenders = users.join(privileged.select("object_id"), on="object_id", how="anti")
    return finding_with("directory.kerberoastable_users", offenders, ("spns",))


@directory_check(
    "directory.password_not_required",
    title_en="Accounts allowed to have an empty password (PASSWD_NOTREQD)",
    title_fr="Comptes pouvant avoir un mot de passe vide (PASSWD_NOTREQD)",
    severity=Severity.MEDIUM,
    category=Category.STALE,
)
def password_not_required(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled users and computers with PASSWD_NOTREQD: the password policy does not apply to them.

    No ANSSI control id for it in the checklist.
    """
    accounts = require(snapshot.principals.filter(_ACCOUNT & ENABLED), ("passwordnotreqd",), "PASSWD_NOTREQD")
    offenders = accounts.filter(pl.col("passwordnotreqd").fill_null(value=False))
    return finding_for("directory.password_not_required", offenders)


# msDS-SupportedEncryptionTypes bits: DES-CBC-CRC 0x1, DES-CBC-MD5 0x2, RC4 0x4, AES128 0x8, AES256 0x10.
_DES_BITS = 0x3
_STRONGER_BITS = 0x1C


@directory_check(
    "directory.kerberos_des_only",
    title_en="Accounts restricted to DES Kerberos encryption",
    title_fr="Comptes utilisateurs avec un chiffrement Kerberos faible",
    severity=Severity.MEDIUM,
    category=Category.STALE,
    anssi=("vuln_kerberos_properties_deskey",),
    levels=(2,),
)
def kerberos_des_only(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled accounts with USE_DES_KEY_ONLY, or whose supported encryption types are DES and nothing else."""
    accounts = require(
        snapshot.principals.filter(_ACCOUNT & ENABLED),
        ("use_des_key_only", "supported_encryption_types"),
        "Kerberos encryption settings",
    )
    types = pl.col("supported_encryption_types")
    des_only = ((types & _DES_BITS) != 0) & ((types & _STRONGER_BITS) == 0)
    offenders = accounts.filter(pl.col("use_des_key_only").fill_null(value=False) | des_only.fill_null(value=False))
    return finding_with("directory.kerberos_des_only", offenders, ("supported_encryption_types",))


@directory_check(
    "directory.reversible_password",
    title_en="Accounts whose password is stored with reversible encryption",
    title_fr="Comptes dont le mot de passe est stocké de manière réversible",
    severity=Severity.HIGH,
    category=Category.STALE,
)
def reversible_password(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enabled accounts with ENCRYPTED_TEXT_PWD_ALLOWED: their password can be read back in clear.

    ANSSI's ``vuln_reversible_password_priv_uac`` covers privileged accounts only; no id here.
    """
    accounts = require(snapshot.principals.filter(_ACCOUNT & ENABLED), ("reversible_encryption",), "the UAC flags")
    offenders = accounts.filter(pl.col("reversible_encryption").fill_null(value=False))
    return finding_for("directory.reversible_password", offenders)


@directory_check(
    "directory.cleartext_password_attributes",
    title_en="Accounts with a password in a readable attribute (userPassword, unixUserPassword...)",
    title_fr="Comptes ayant un mot de passe dans un attribut lisible (userPassword, unixUserPassword...)",
    severity=Severity.HIGH,
    category=Category.STALE,
)
def cleartext_password_attributes(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Principals with userPassword, unixUserPassword, unicodePwd-like attributes readable and set."""
    principals = require(snapshot.principals, ("password_attributes",), "cleartext password attributes")
    offenders = principals.filter(pl.col("password_attributes").list.len().fill_null(0) > 0)
    return finding_with("directory.cleartext_password_attributes", offenders, ("password_attributes",))


@directory_check(
    "directory.disabled_in_groups",
    title_en="Disabled accounts still members of groups",
    title_fr="Comptes désactivés encore membres de groupes",
    severity=Severity.INFO,
    category=Category.STALE,
)
def disabled_in_groups(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Disabled users and computers with a MemberOf edge other than their primary group.

    Re-enabling one gives all its rights back at once; no ANSSI id. Built-in accounts (RID under
    1000: Guest in Guests, krbtgt in Denied RODC Password Replication Group) are members by default.
    """
    builtin = (SID_RID < _FIRST_USER_RID).fill_null(value=False)
    disabled = snapshot.principals.filter(_ACCOUNT & ~pl.col("enabled").fill_null(value=True) & ~builtin)
    memberships = snapshot.edges.filter(pl.col("kind") == "MemberOf").select("source", "target")
    groups = disabled.join(memberships, left_on="object_id", right_on="source", how="inner").filter(
        pl.col("target") != pl.col("primary_group_sid").fill_null("")
    )
    offenders = disabled.join(groups.select("object_id").unique(), on="object_id", how="semi")
    return finding_for("directory.disabled_in_groups", offenders)


# Default primary groups: Domain Users 513 (Domain Guests 514 for Guest, RID 501), Domain Computers
# 515, Domain Controllers 516, Read-only Domain Controllers 521.
_DOMAIN_USERS, _DOMAIN_GUESTS, _DOMAIN_COMPUTERS, _DOMAIN_CONTROLLERS, _RODCS = 513, 514, 515, 516, 521
#: RIDs under this are the built-in accounts and groups; migrated or created objects start at 1000.
_FIRST_USER_RID = 1000
_PRIMARY_RID = pl.col("primary_group_sid").str.extract(r"^S-1-5-21-\d+-\d+-\d+-(\d+)$", 1).cast(pl.Int64, strict=False)
_DEFAULT_PRIMARY = (
    pl.when((pl.col("kind") == "User") & _MANAGED)
    .then(_PRIMARY_RID == _DOMAIN_COMPUTERS)
    .when(pl.col("kind") == "User")
    .then(
        (_PRIMARY_RID == _DOMAIN_USERS) | ((_PRIMARY_RID == _DOMAIN_GUESTS) & pl.col("object_id").str.ends_with("-501"))
    )
    # A computer flagged DC, RODC or neither may sit in the matching primary group; where the
    # collector left the flag empty (SharpHound has no RODC flag) the primary group is believed.
    .otherwise(
        (_PRIMARY_RID == _DOMAIN_COMPUTERS)
        | ((_PRIMARY_RID == _DOMAIN_CONTROLLERS) & pl.col("is_dc").fill_null(value=True))
        | ((_PRIMARY_RID == _RODCS) & pl.col("is_rodc").fill_null(value=True))
    )
)


def _changed_primary(snapshot: Snapshot) -> pl.DataFrame:
    accounts = snapshot.principals.filter(_ACCOUNT)
    accounts = require(accounts, ("primary_group_sid",), "primary groups")
    return accounts.filter(pl.col("primary_group_sid").is_not_null() & ~_DEFAULT_PRIMARY.fill_null(value=False))


@directory_check(
    "directory.primary_group_changed",
    title_en="Accounts with a modified primary group",
    title_fr="Comptes avec un PrimaryGroupID modifié",
    severity=Severity.LOW,
    category=Category.ANOMALIES,
    anssi=("vuln_primary_group_id_nochange",),
    levels=(3,),
)
def primary_group_changed(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Accounts outside their default primary group.

    Users: Domain Users (Guest: Domain Guests; managed service accounts: Domain Computers);
    computers: Domain Computers, Domain Controllers for DCs, Read-only Domain Controllers for RODCs.

    Primary-group membership is not listed in the group's ``member`` attribute: it hides membership.
    """
    offenders = _changed_primary(snapshot)
    return finding_with("directory.primary_group_changed", offenders, ("primary_group_sid",))


@directory_check(
    "directory.primary_group_below_1000",
    title_en="Accounts whose primary group is a built-in group other than the default",
    title_fr="Comptes avec un PrimaryGroupID inférieur à 1000",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_primary_group_id_1000",),
    levels=(1,),
)
def primary_group_below_1000(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Accounts whose non-default primary group has a RID under 1000 (Domain Admins 512...): hidden privilege."""
    offenders = _changed_primary(snapshot).filter(_PRIMARY_RID < _FIRST_USER_RID)
    return finding_with("directory.primary_group_below_1000", offenders, ("primary_group_sid",))


@directory_check(
    "directory.sid_history_dangerous",
    title_en="SID history from the same domain or of well-known groups",
    title_fr="Comptes ou groupes ayant un historique de SID d'apparence non conforme",
    severity=Severity.HIGH,
    category=Category.ANOMALIES,
    anssi=("vuln_sidhistory_dangerous",),
    levels=(2,),
)
def sid_history_dangerous(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Principals whose sIDHistory holds a SID of their own domain, a built-in SID or a RID under 1000.

    A migration brings SIDs of another domain with ordinary RIDs; anything else was injected to
    give hidden rights (Mimikatz ``sid::add``).
    """
    values = (
        snapshot.principals.select("object_id", "kind", "name", SID_DOMAIN.alias("own"), "sidhistory")
        .explode("sidhistory", empty_as_null=False, keep_nulls=False)
        .filter(pl.col("sidhistory").is_not_null())
    )
    history_domain = pl.col("sidhistory").str.extract(r"^(S-1-5-21-\d+-\d+-\d+)-\d+$", 1)
    history_rid = pl.col("sidhistory").str.extract(r"-(\d+)$", 1).cast(pl.Int64, strict=False)
    bad = values.filter(
        (history_domain == pl.col("own")).fill_null(value=False)
        | history_domain.is_null()
        | (history_rid < _FIRST_USER_RID).fill_null(value=False)
    )
    offenders = bad.group_by("object_id", "kind", "name", maintain_order=True).agg(pl.col("sidhistory"))
    return finding_with("directory.sid_history_dangerous", offenders, ("sidhistory",))


@directory_check(
    "directory.group_loops",
    title_en="Group nesting loops",
    title_fr="Présences de boucles d'imbrication de groupes",
    severity=Severity.INFO,
    category=Category.ANOMALIES,
    anssi=("vuln_group_loop",),
    levels=(4,),
)
def group_loops(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Groups in a MemberOf cycle: strongly connected components of two or more groups, or self-membership."""
    groups = snapshot.principals.filter(pl.col("kind") == "Group").select("object_id")
    edges = (
        snapshot.edges.filter(pl.col("kind") == "MemberOf")
        .select("source", "target")
        .join(groups, left_on="source", right_on="object_id", how="semi")
        .join(groups, left_on="target", right_on="object_id", how="semi")
    )
    if edges.is_empty():
        return []
    index = groups.with_row_index("code")
    coded = edges.join(index, left_on="source", right_on="object_id").join(
        index, left_on="target", right_on="object_id", suffix="_target"
    )
    rows = coded["code"].to_numpy().astype(np.int64)
    cols = coded["code_target"].to_numpy().astype(np.int64)
    size = index.height
    graph = csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=True, connection="strong")
    components = index.with_columns(pl.Series("component", labels))
    sizes = components.group_by("component").agg(pl.len().alias("size"))
    self_loops = coded.filter(pl.col("code") == pl.col("code_target")).select(pl.col("source").alias("object_id"))
    looping = components.join(sizes.filter(pl.col("size") > 1), on="component", how="semi").select("object_id")
    in_loop = pl.concat([looping, self_loops]).unique()
    offenders = snapshot.principals.join(in_loop, on="object_id", how="semi")
    findings = finding_for("directory.group_loops", offenders)
    loops = components.join(in_loop, on="object_id", how="semi").group_by("component").agg(pl.col("object_id"))
    return with_evidence(findings, loops=loops["object_id"].to_list())
