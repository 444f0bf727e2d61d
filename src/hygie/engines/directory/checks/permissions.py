"""Dangerous ACEs on Tier-0 objects held by principals outside Tier 0 (ANSSI "chemins de contrôle").

Each check selects its Tier-0 targets from :func:`hygie.engines.directory.tier0.tier0_objects` by
reason and reports every ACE granting a dangerous right on them to a trustee that is not Tier 0,
not the object itself and not a well-known legitimate holder (SELF, CREATOR OWNER, SYSTEM,
Enterprise Domain Controllers; see :func:`checks.acl.tier0_ids`). A trustee that is Tier 0 already
controls the forest: its ACEs open no new path, so reporting them would only add noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import acl_finding, control_of, rid_is, tier0_targets
from hygie.engines.directory.registry import Category, NotEvaluatedError, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot


def _targets(snapshot: Snapshot, reason: pl.Expr) -> pl.DataFrame:
    """Tier-0 objects whose ``reason`` matches."""
    return tier0_targets(snapshot).filter(reason)


def _reason_has(*texts: str) -> pl.Expr:
    """True where the Tier-0 reason mentions one of ``texts``."""
    expr = pl.lit(value=False)
    for text in texts:
        expr = expr | pl.col("reason").str.contains(text, literal=True)
    return expr


@directory_check(
    "directory.permissions_naming_context",
    title_en="Dangerous permissions on the domain root or configuration partition",
    title_fr="Permissions dangereuses sur la racine des naming contexts",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_naming_context",),
    levels=(1, 2),
)
def permissions_naming_context(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on a domain root or the configuration partition held outside Tier 0."""
    targets = _targets(snapshot, _reason_has("domain root", "configuration partition"))
    return acl_finding("directory.permissions_naming_context", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_adminsdholder",
    title_en="Dangerous permissions on AdminSDHolder",
    title_fr="Permissions dangereuses sur l'objet adminSDHolder",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_adminsdholder",),
    levels=(1, 2),
)
def permissions_adminsdholder(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on AdminSDHolder held outside Tier 0: SDProp copies them onto every admin hourly."""
    targets = _targets(snapshot, _reason_has("AdminSDHolder"))
    return acl_finding("directory.permissions_adminsdholder", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_dc",
    title_en="Dangerous permissions on domain controller objects",
    title_fr="Permissions dangereuses sur les objets contrôleurs de domaine",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_dc",),
    levels=(1, 2),
)
def permissions_dc(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on DC computer objects and the OUs and containers above them held outside Tier 0.

    Control of a DC object gives RBCD or shadow credentials on it; control of its OU gives GPO links.
    """
    targets = _targets(
        snapshot, _reason_has("domain controller", "Domain Controllers OU", "OU containing domain controllers")
    )
    return acl_finding("directory.permissions_dc", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_gpo_tier0",
    title_en="Dangerous permissions on GPOs applied to privileged objects",
    title_fr="Permissions dangereuses sur les GPO s'appliquant aux objets privilégiés",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_gpo_priv",),
    levels=(1,),
)
def permissions_gpo_tier0(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on GPOs linked to a domain root or a DC's OU held outside Tier 0 (code on DCs)."""
    targets = _targets(snapshot, pl.col("kind") == "GPO")
    return acl_finding("directory.permissions_gpo_tier0", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_schema",
    title_en="Dangerous permissions on the schema",
    title_fr="Permissions dangereuses sur les objets du schéma",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_permissions_schema",),
    levels=(1, 2),
)
def permissions_schema(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on the schema partition held outside Tier 0 (default ACLs of every new object).

    SharpHound does not collect the schema partition: without it the check is not evaluated.
    """
    targets = _targets(snapshot, _reason_has("schema partition"))
    if targets.is_empty():
        msg = "the collection does not include the schema partition"
        raise NotEvaluatedError(msg)
    return acl_finding("directory.permissions_schema", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_pki",
    title_en="Dangerous permissions on certificate authorities and PKI containers",
    title_fr="Permissions dangereuses sur les conteneurs de certificats et les autorités de certification",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_adcs_control",),
    levels=(1,),
)
def permissions_pki(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs, ManageCA included, on CAs, NTAuth, Public Key Services and CA hosts held outside Tier 0.

    Whoever controls them issues or trusts certificates that authenticate as any account. Cert
    Publishers (RID 517) is left out: its members are the CA servers themselves, and Windows gives
    it full control of the AIA and CDP objects by default so that CAs publish their certificates.
    """
    targets = _targets(snapshot, _reason_has("PKI", "hosts an enterprise CA"))
    rights = (*_CONTROL, "ManageCA")
    rows = control_of(snapshot, targets, rights).filter(~rid_is(("517",), "source"))
    return acl_finding("directory.permissions_pki", snapshot, rows)


# Rights that change what a template issues: the ESC4 family.
_TEMPLATE_RIGHTS: tuple[str, ...] = (
    "GenericAll",
    "GenericWrite",
    "WriteDacl",
    "WriteOwner",
    "Owns",
    "WritePKINameFlag",
    "WritePKIEnrollmentFlag",
)
_CONTROL = ("GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "Owns", "AllExtendedRights")


@directory_check(
    "directory.permissions_cert_templates",
    title_en="Dangerous permissions on certificate templates",
    title_fr="Permissions dangereuses sur les objets de modèles de certificats",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_adcs_template_control",),
    levels=(1, 2),
)
def permissions_cert_templates(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Write ACEs on any certificate template held outside Tier 0 (ESC4).

    Every template counts, published or not: one write away from enrollee-supplied subjects, and
    publishing it is one CA setting away.
    """
    targets = snapshot.cert_templates.select("object_id")
    rows = control_of(snapshot, targets, _TEMPLATE_RIGHTS)
    return acl_finding("directory.permissions_cert_templates", snapshot, rows)


@directory_check(
    "directory.permissions_privileged_members",
    title_en="Dangerous permissions on privileged accounts and groups",
    title_fr="Permissions dangereuses sur des membres de groupes privilégiés",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_privileged_members_perm",),
    levels=(1, 2),
)
def permissions_privileged_members(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs (password reset, membership, shadow credentials...) on Tier-0 principals held outside Tier 0.

    Domain controllers and DnsAdmins have checks of their own (``permissions_dc``,
    ``permissions_dnsadmins``, as ANSSI has controls of its own for them): they are left out here
    so that one ACE is not reported twice.
    """
    own_check = _reason_has("domain controller", "(DnsAdmins)")
    targets = _targets(snapshot, pl.col("kind").is_in(["User", "Computer", "Group"]) & ~own_check)
    return acl_finding("directory.permissions_privileged_members", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.permissions_dnsadmins",
    title_en="Dangerous permissions on the DnsAdmins group",
    title_fr="Permissions dangereuses sur le groupe DnsAdmins",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_dnsadmins",),
    levels=(1,),
)
def permissions_dnsadmins(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Control ACEs on DnsAdmins held outside Tier 0: its members load a DLL as SYSTEM on DCs."""
    account = pl.coalesce(pl.col("sam_account_name"), pl.col("name").str.split("@").list.first()).str.to_uppercase()
    targets = snapshot.principals.filter((pl.col("kind") == "Group") & (account == "DNSADMINS"))
    return acl_finding("directory.permissions_dnsadmins", snapshot, control_of(snapshot, targets))


@directory_check(
    "directory.tier0_owner",
    title_en="Tier-0 objects owned by non-privileged principals",
    title_fr="Objets Tier 0 ayant un propriétaire inadapté",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_owner",),
    levels=(3,),
)
def tier0_owner(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Tier-0 objects whose owner is outside Tier 0: an owner can always rewrite the DACL."""
    rows = control_of(snapshot, tier0_targets(snapshot), ("Owns",))
    return acl_finding("directory.tier0_owner", snapshot, rows)
