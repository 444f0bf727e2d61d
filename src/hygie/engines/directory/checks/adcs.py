"""AD CS checks: certificate templates open to impersonation (ESC1, ESC2, ESC3, ESC9) and weak CA certificates.

A template is exploitable when it is published by an enterprise CA (``PublishedTo`` edge) and a
principal outside Tier 0 holds an enrolment right on it (``Enroll``, ``AutoEnroll``, or a right
that includes them: ``GenericAll``, ``AllExtendedRights``). Names follow SpecterOps' "Certified
Pre-Owned" (2021) and the Certipy ESC numbering.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

import polars as pl
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from hygie.engines._core import Severity
from hygie.engines.directory.checks.acl import per_snapshot, tier0_ids
from hygie.engines.directory.checks.common import finding_for
from hygie.engines.directory.checks.support import finding_with, require, with_evidence
from hygie.engines.directory.registry import Category, NotEvaluatedError, directory_check

if TYPE_CHECKING:
    from datetime import datetime

    from hygie.engines._core import Finding
    from hygie.engines.directory.snapshot import Snapshot

_ENROLL_RIGHTS = ("Enroll", "AutoEnroll", "GenericAll", "AllExtendedRights")
_ANY_PURPOSE = "2.5.29.37.0"
_CERTIFICATE_REQUEST_AGENT = "1.3.6.1.4.1.311.20.2.1"


def _open_templates(snapshot: Snapshot) -> pl.DataFrame:
    """Published templates without approval nor signature that a non-Tier-0 principal may enrol in.

    Computed once per snapshot (the four ESC checks share it): ``enrollee`` lists who may enrol.
    """
    templates = require(
        snapshot.cert_templates,
        ("enrollee_supplies_subject", "authentication_enabled", "requires_manager_approval"),
        "certificate template settings",
    )
    edges = snapshot.edges
    published = edges.filter(pl.col("kind") == "PublishedTo").select(pl.col("source").alias("object_id")).unique()
    enrol = (
        edges.filter(pl.col("kind").is_in(_ENROLL_RIGHTS))
        .select(pl.col("source").alias("enrollee"), pl.col("target").alias("object_id"))
        .join(templates.select("object_id"), on="object_id", how="semi")
        .join(tier0_ids(snapshot), left_on="enrollee", right_on="object_id", how="anti")
        .group_by("object_id")
        .agg(pl.col("enrollee").unique().sort())
    )
    no_gate = ~pl.col("requires_manager_approval").fill_null(value=False) & (
        pl.col("authorized_signatures").fill_null(0) == 0
    )
    return (
        templates.filter(no_gate)
        .join(published, on="object_id", how="semi")
        .join(enrol, on="object_id", how="inner", maintain_order="left")
        .with_columns(pl.lit("CertTemplate").alias("kind"))
    )


def _enrollable(snapshot: Snapshot, condition: pl.Expr) -> pl.DataFrame:
    """The open templates (see :func:`_open_templates`) meeting ``condition``."""
    return per_snapshot(snapshot, "adcs_open_templates", _open_templates).filter(condition)


@directory_check(
    "directory.esc1",
    title_en="Certificate templates allowing authentication as anyone (ESC1)",
    title_fr="Permissions d'enrôlement dangereuses sur des modèles de certificats permettant l'authentification",
    severity=Severity.CRITICAL,
    category=Category.PRIVILEGED,
    anssi=("vuln_adcs_template_auth_enroll_with_name",),
    levels=(1,),
)
def esc1(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Enrollee supplies the subject, the certificate authenticates, no approval nor signature, open enrolment."""
    condition = pl.col("enrollee_supplies_subject").fill_null(value=False) & pl.col("authentication_enabled").fill_null(
        value=False
    )
    return finding_with("directory.esc1", _enrollable(snapshot, condition), ("enrollee",))


@directory_check(
    "directory.esc2",
    title_en="Certificate templates for any purpose open to enrolment (ESC2)",
    title_fr="Modèles de certificats pour tout usage ouverts à l'enrôlement (ESC2)",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
)
def esc2(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Templates with the Any Purpose EKU or no EKU at all (a subordinate CA certificate), open enrolment.

    ANSSI has no id of its own; such a certificate can act as a request agent or authenticate.
    """
    ekus = pl.col("effective_ekus").fill_null([])
    condition = (ekus.list.len() == 0) | ekus.list.contains(_ANY_PURPOSE)
    return finding_with("directory.esc2", _enrollable(snapshot, condition), ("enrollee",))


@directory_check(
    "directory.esc3",
    title_en="Enrolment agent certificate templates open to enrolment (ESC3)",
    title_fr="Modèles de certificats d'agent d'inscription ouverts à l'enrôlement (ESC3)",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
)
def esc3(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Templates with the Certificate Request Agent EKU, open enrolment: request certificates for others.

    The second half of ESC3 (a template accepting agent-signed requests) exists by default (User).
    """
    condition = pl.col("effective_ekus").fill_null([]).list.contains(_CERTIFICATE_REQUEST_AGENT)
    return finding_with("directory.esc3", _enrollable(snapshot, condition), ("enrollee",))


@directory_check(
    "directory.esc9",
    title_en="Authentication certificate templates without the security extension (ESC9)",
    title_fr="Modèles de certificats d'authentification sans extension de sécurité (ESC9)",
    severity=Severity.MEDIUM,
    category=Category.PRIVILEGED,
)
def esc9(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """Authentication templates with CT_FLAG_NO_SECURITY_EXTENSION, open enrolment.

    Certificates then carry no SID; with weak certificate mapping a user able to rename an account
    obtains a certificate for another.
    """
    condition = pl.col("no_security_extension").fill_null(value=False) & pl.col("authentication_enabled").fill_null(
        value=False
    )
    return finding_with("directory.esc9", _enrollable(snapshot, condition), ("enrollee",))


#: RSA keys under 2048 bits fall short of ANSSI's RGS B1 annex (2048 minimum until 2030) and NIST
#: SP 800-131A; SHA-1 and MD5 signatures are collision-broken (SHAttered, 2017).
MIN_RSA_BITS = 2048
_WEAK_HASHES = (hashes.SHA1, hashes.MD5)


def _weaknesses(der: bytes, now: datetime) -> list[str]:
    """Why a DER certificate is weak (empty when it is not)."""
    certificate = x509.load_der_x509_certificate(der)
    reasons = []
    key = certificate.public_key()
    if isinstance(key, (rsa.RSAPublicKey, dsa.DSAPublicKey)) and key.key_size < MIN_RSA_BITS:
        reasons.append(f"{key.key_size}-bit key")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 256:  # noqa: PLR2004 - P-256 floor
        reasons.append(f"{key.curve.key_size}-bit curve")
    if isinstance(certificate.signature_hash_algorithm, _WEAK_HASHES):
        reasons.append(f"{certificate.signature_hash_algorithm.name.upper()} signature")
    if certificate.not_valid_after_utc < now:
        reasons.append("expired on " + certificate.not_valid_after_utc.date().isoformat())
    return reasons


def _der(text: str) -> bytes | None:
    """The DER bytes of a base64 certificate, or None for anything else (a thumbprint, say)."""
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # A DER certificate is a SEQUENCE (0x30); a 40-hex thumbprint also decodes, to 30 bytes of noise.
    return der if len(der) > 64 and der[0] == 0x30 else None  # noqa: PLR2004 - far below any certificate


@directory_check(
    "directory.ca_certificates_weak",
    title_en="Weak or expired certificate authority certificates",
    title_fr="Certificats faibles ou vulnérables",
    severity=Severity.HIGH,
    category=Category.PRIVILEGED,
    anssi=("vuln_certificates_vuln",),
    levels=(1, 2, 3),
)
def ca_certificates_weak(snapshot: Snapshot, now: datetime) -> list[Finding]:
    """CAs whose certificate chain holds an RSA key under 2048 bits, a SHA-1/MD5 signature or an expired certificate.

    Certificates are parsed one by one in Python: a forest has a handful of CAs, not thousands.
    Collectors that keep only thumbprints (SharpHound, the LDAP collector today) leave it not evaluated.
    """
    chains = snapshot.cert_authorities.select("object_id", "name", "kind", "cert_chain").explode(
        "cert_chain", empty_as_null=False, keep_nulls=False
    )
    chains = chains.filter(pl.col("cert_chain").is_not_null())
    rows: list[dict[str, str]] = []
    parsed = 0
    for object_id, text in chains.select("object_id", "cert_chain").unique().iter_rows():
        der = _der(text)
        if der is None:
            continue
        try:
            reasons = _weaknesses(der, now)
        except ValueError:
            continue
        parsed += 1
        rows.extend({"object_id": object_id, "reason": reason} for reason in reasons)
    if not parsed and not chains.is_empty():
        msg = "the collection carries CA certificate thumbprints, not the certificates"
        raise NotEvaluatedError(msg)
    weak = pl.DataFrame(rows, schema={"object_id": pl.String, "reason": pl.String})
    offenders = snapshot.cert_authorities.join(weak.select("object_id").unique(), on="object_id", how="semi")
    findings = finding_for("directory.ca_certificates_weak", offenders)
    return with_evidence(findings, weaknesses=weak.sort("object_id", "reason").to_dicts())
