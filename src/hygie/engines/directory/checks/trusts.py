"""Trust checks: SID filtering, SID history over forest trusts, TGT delegation, trust account passwords.

Trust rows name their two ends by SID; findings name a trust "SOURCE -> TARGET" after the domains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.support import ENABLED, days_before, finding_with, require
from hygie.engines.directory.registry import Category, NotEvaluatedError, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

# trustAttributes (MS-ADTS 6.1.6.7.9).
_QUARANTINED_DOMAIN = 0x4
_TREAT_AS_EXTERNAL = 0x40
_ENABLE_TGT_DELEGATION = 0x800
# userAccountControl INTERDOMAIN_TRUST_ACCOUNT.
_INTERDOMAIN_TRUST_ACCOUNT = 0x800

_OUTGOING = pl.col("direction").is_in(["Outbound", "Bidirectional"])
_INCOMING = pl.col("direction").is_in(["Inbound", "Bidirectional"])


def _trusts(snapshot: Snapshot) -> pl.DataFrame:
    """Trusts with ``object_id``, ``name`` and ``kind`` columns for findings."""
    names = snapshot.domains.select(pl.col("object_id").alias("source_sid"), pl.col("name").alias("source_name"))
    trusts = snapshot.trusts.join(names, on="source_sid", how="left")
    return trusts.with_columns(
        pl.coalesce(pl.col("target_sid"), pl.col("target_name")).alias("object_id"),
        pl.concat_str(
            pl.coalesce(pl.col("source_name"), pl.col("source_sid"), pl.lit("?")),
            pl.lit(" -> "),
            pl.coalesce(pl.col("target_name"), pl.col("target_sid"), pl.lit("?")),
        ).alias("name"),
        pl.lit("Trust").alias("kind"),
    )


@directory_check(
    "directory.trust_not_filtered",
    title_en="Outbound external trusts without SID filtering",
    title_fr="Relations d'approbation sortante de type domaine non filtré",
    severity=Severity.CRITICAL,
    category=Category.TRUSTS,
    anssi=("vuln_trusts_domain_notfiltered",),
    levels=(1,),
)
def trust_not_filtered(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Outbound or two-way external trusts whose SID filtering (quarantine) is off.

    The trusted domain's administrators can then forge any SID of ours, Domain Admins included, in
    the SID history of their tickets. Trusts inside a forest (ParentChild, CrossLink) are not
    filtered by design and are not claimed here.
    """
    trusts = _trusts(snapshot).filter((pl.col("trust_type") == "External") & _OUTGOING)
    filtering = pl.coalesce(pl.col("sid_filtering_enabled"), (pl.col("trust_attributes") & _QUARANTINED_DOMAIN) != 0)
    trusts = require(trusts.with_columns(filtering.alias("filtering")), ("filtering",), "SID filtering state")
    offenders = trusts.filter(~pl.col("filtering").fill_null(value=True))
    return finding_with("directory.trust_not_filtered", offenders, ("direction", "trust_type"))


@directory_check(
    "directory.trust_forest_sid_history",
    title_en="Outbound forest trusts with SID history enabled",
    title_fr="Relations d'approbation sortantes de type forêt avec sID History activé",
    severity=Severity.CRITICAL,
    category=Category.TRUSTS,
    anssi=("vuln_trusts_forest_sidhistory",),
    levels=(1,),
)
def trust_forest_sid_history(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Outbound or two-way forest trusts with TREAT_AS_EXTERNAL (0x40): SID history crosses the forest.

    Only trustAttributes tells it; SharpHound does not keep them, so such trusts are not evaluated there.
    """
    trusts = _trusts(snapshot).filter((pl.col("trust_type") == "Forest") & _OUTGOING)
    trusts = require(trusts, ("trust_attributes",), "trust attributes")
    offenders = trusts.filter((pl.col("trust_attributes") & _TREAT_AS_EXTERNAL) != 0)
    return finding_with("directory.trust_forest_sid_history", offenders, ("trust_attributes",))


@directory_check(
    "directory.trust_tgt_delegation",
    title_en="Inbound trusts with TGT delegation",
    title_fr="Relations d'approbation entrante avec délégation",
    severity=Severity.MEDIUM,
    category=Category.TRUSTS,
    anssi=("vuln_trusts_tgt_deleg",),
    levels=(3,),
)
def trust_tgt_delegation(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Inbound or two-way forest and external trusts letting TGTs be delegated across (0x800).

    An unconstrained-delegation host of the other side then receives our users' TGTs. Trusts
    inside a forest always delegate and are left out.
    """
    trusts = _trusts(snapshot).filter(pl.col("trust_type").is_in(["Forest", "External"]) & _INCOMING)
    delegation = pl.coalesce(
        pl.col("tgt_delegation_enabled"), (pl.col("trust_attributes") & _ENABLE_TGT_DELEGATION) != 0
    )
    trusts = require(trusts.with_columns(delegation.alias("delegation")), ("delegation",), "TGT delegation state")
    offenders = trusts.filter(pl.col("delegation").fill_null(value=False))
    return finding_with("directory.trust_tgt_delegation", offenders, ("direction", "trust_type"))


#: A trust password older than this was not rotated (domain controllers change it every 30 days).
TRUST_PASSWORD_MAX_DAYS = 365


def trust_accounts(snapshot: Snapshot) -> pl.DataFrame:
    """User accounts that are trust accounts.

    Recognised by INTERDOMAIN_TRUST_ACCOUNT (0x800) in userAccountControl when known, else by the
    shape Windows gives them: a User whose sAMAccountName is the partner's NetBIOS name plus "$",
    the NetBIOS name taken as the first label of a trust's partner DNS name.
    """
    partners = (
        snapshot.trusts.select(
            (pl.col("target_name").str.split(".").list.first().str.to_uppercase() + "$").alias("account")
        )
        .drop_nulls()
        .unique()
    )
    users = snapshot.principals.filter(pl.col("kind") == "User")
    account = pl.coalesce(pl.col("sam_account_name"), pl.col("name").str.split("@").list.first()).str.to_uppercase()
    by_flag = (pl.col("user_account_control") & _INTERDOMAIN_TRUST_ACCOUNT) != 0
    by_name = account.is_in(partners["account"].implode())
    return users.filter(by_flag.fill_null(value=False) | by_name)


@directory_check(
    "directory.trust_account_password_old",
    title_en="Trust accounts whose password is unchanged for more than a year",
    title_fr="Comptes de trust dont le mot de passe est inchangé depuis plus d'un an",
    severity=Severity.MEDIUM,
    category=Category.TRUSTS,
    anssi=("vuln_trusts_accounts",),
    levels=(2,),
)
def trust_account_password_old(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Trust accounts whose pwdLastSet is over a year old: a dead trust, or a broken rotation.

    SharpHound does not collect trust accounts; with trusts but no trust account in the data the
    check is not evaluated rather than passed.
    """
    accounts = trust_accounts(snapshot)
    if accounts.is_empty() and not snapshot.trusts.is_empty():
        msg = "the collection has trusts but no trust accounts"
        raise NotEvaluatedError(msg)
    offenders = accounts.filter(
        ENABLED & (pl.col("pwdlastset") > 0) & (pl.col("pwdlastset") < days_before(now, TRUST_PASSWORD_MAX_DAYS))
    )
    return finding_with("directory.trust_account_password_old", offenders, ("pwdlastset",))
