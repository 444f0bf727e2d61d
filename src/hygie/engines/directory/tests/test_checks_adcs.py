"""AD CS checks on hand-built templates and CA certificates, and on the ESC1 lab of the v6 fixtures."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from hygie.engines.directory.checks import adcs
from hygie.engines.directory.registry import NotEvaluatedError
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, edge, principal, row, snapshot_of

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CA = "CA-GUID"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
DOMAIN_USERS = f"{DOMAIN_SID}-513"
DOMAIN_ADMINS = f"{DOMAIN_SID}-512"


def template(name: str, **values: Any) -> dict[str, Any]:
    """A certificate template row: authentication, no approval, no signature, unless ``values`` say otherwise."""
    defaults: dict[str, Any] = {
        "object_id": name,
        "name": f"{name}@LAB.LOCAL",
        "enrollee_supplies_subject": False,
        "authentication_enabled": True,
        "requires_manager_approval": False,
        "authorized_signatures": 0,
        "no_security_extension": False,
        "effective_ekus": [CLIENT_AUTH],
    }
    return row("cert_templates", **{**defaults, **values})


def lab(templates: list[dict[str, Any]], enrol: str = DOMAIN_USERS, *, published: bool = True) -> Any:
    """A snapshot with ``templates`` (published to one enterprise CA) and ``enrol`` holding Enroll on each."""
    principals = [
        principal(513, kind="Group", name="DOMAIN USERS@LAB.LOCAL"),
        principal(512, kind="Group", name="DOMAIN ADMINS@LAB.LOCAL"),
    ]
    edges = [edge(t["object_id"], CA, "PublishedTo") for t in templates if published]
    edges += [edge(enrol, t["object_id"], "Enroll") for t in templates]
    authority = row("cert_authorities", object_id=CA, name="LAB-CA@LAB.LOCAL", kind="EnterpriseCA")
    return snapshot_of(principals=principals, cert_templates=templates, cert_authorities=[authority], edges=edges)


def names(findings: list[Any]) -> set[str]:
    """Names of the objects affected by ``findings``."""
    return {affected.name for finding in findings for affected in finding.affected}


def test_esc1() -> None:
    """Only the template without approval, signature or built subject, and usable to authenticate, is ESC1."""
    snap = lab(
        [
            template("VULN", enrollee_supplies_subject=True),
            template("APPROVAL", enrollee_supplies_subject=True, requires_manager_approval=True),
            template("SIGNED", enrollee_supplies_subject=True, authorized_signatures=1),
            template("NOAUTH", enrollee_supplies_subject=True, authentication_enabled=False),
            template("BUILTNAME"),
        ]
    )
    findings = adcs.esc1(snap, NOW)
    assert names(findings) == {"VULN@LAB.LOCAL"}
    assert findings[0].evidence["objects"][0]["enrollee"] == [DOMAIN_USERS]


def test_esc1_needs_low_privileged_enrolment_and_publication() -> None:
    """Admin-only enrolment or an unpublished template is not ESC1."""
    vulnerable = [template("VULN", enrollee_supplies_subject=True)]
    assert adcs.esc1(lab(vulnerable, enrol=DOMAIN_ADMINS), NOW) == []
    assert adcs.esc1(lab(vulnerable, published=False), NOW) == []


def test_esc2_esc3_esc9() -> None:
    """Any Purpose or no EKU is ESC2, the request agent EKU ESC3, no security extension ESC9."""
    snap = lab(
        [
            template("ANY", effective_ekus=["2.5.29.37.0"]),
            template("NOEKU", effective_ekus=[]),
            template("AGENT", effective_ekus=["1.3.6.1.4.1.311.20.2.1"], authentication_enabled=False),
            template("NOSEC", no_security_extension=True),
            template("PLAIN"),
        ]
    )
    assert names(adcs.esc2(snap, NOW)) == {"ANY@LAB.LOCAL", "NOEKU@LAB.LOCAL"}
    assert names(adcs.esc3(snap, NOW)) == {"AGENT@LAB.LOCAL"}
    assert names(adcs.esc9(snap, NOW)) == {"NOSEC@LAB.LOCAL"}


def test_templates_not_evaluated_without_settings() -> None:
    """Templates without their settings are not evaluated."""
    snap = lab([row("cert_templates", object_id="T", name="T@LAB.LOCAL")])
    with pytest.raises(NotEvaluatedError):
        adcs.esc1(snap, NOW)


# DER of the OIDs sha256WithRSAEncryption (1.2.840.113549.1.1.11) and sha1WithRSAEncryption (...1.5).
_SHA256_RSA = bytes.fromhex("2a864886f70d01010b")
_SHA1_RSA = bytes.fromhex("2a864886f70d010105")


def _certificate(bits: int, not_after: datetime, *, sha1: bool = False) -> str:
    """A self-signed CA certificate, base64 DER.

    OpenSSL refuses to sign with SHA-1 today; a SHA-1 certificate is made by rewriting the
    signature algorithm OIDs (same length) of a SHA-256 one. Its signature no longer verifies,
    which the check never does: it reads the declared algorithm, as a collector would.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LAB-CA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(not_after - timedelta(days=3650))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    if sha1:
        der = der.replace(_SHA256_RSA, _SHA1_RSA)
    return base64.b64encode(der).decode()


def test_ca_certificates_weak() -> None:
    """A 1024-bit, SHA-1, expired CA certificate is reported with its three weaknesses."""
    strong = _certificate(2048, NOW + timedelta(days=365))
    weak = _certificate(1024, NOW - timedelta(days=1), sha1=True)
    authorities = [
        row("cert_authorities", object_id="GOOD", name="GOOD-CA", kind="RootCA", cert_chain=[strong]),
        row("cert_authorities", object_id="BAD", name="BAD-CA", kind="RootCA", cert_chain=[weak]),
    ]
    findings = adcs.ca_certificates_weak(snapshot_of(cert_authorities=authorities), NOW)
    assert names(findings) == {"BAD-CA"}
    reasons = {item["reason"] for item in findings[0].evidence["weaknesses"]}
    assert reasons == {"1024-bit key", "SHA1 signature", "expired on " + (NOW - timedelta(days=1)).date().isoformat()}


def test_ca_certificates_not_evaluated_on_thumbprints() -> None:
    """Thumbprints alone cannot be judged."""
    thumbprint = "5F0143662A7EA16E8DB90E44D0F1F1FC87B1E703"
    authorities = [row("cert_authorities", object_id="CA", name="CA", kind="RootCA", cert_chain=[thumbprint])]
    with pytest.raises(NotEvaluatedError):
        adcs.ca_certificates_weak(snapshot_of(cert_authorities=authorities), NOW)


def test_corpus_esc1_lab(bloodhound_corpus: Path) -> None:
    """The ESC1 lab's ESC1 templates, worked out from the JSON, are exactly the ones reported.

    Expected: templates an enterprise CA publishes, with enrollee-supplied subject, authentication,
    no approval nor signature, and Enroll held by a non-admin user or group (RID over 1000,
    adminCount off). The template named ESC1 must be among them.
    """
    folder = bloodhound_corpus / "fixtures" / "v6" / "all"

    def load(kind: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads((folder / f"{kind}.json").read_text(encoding="utf-8-sig"))["data"]
        return data

    admins = {
        record["ObjectIdentifier"]
        for kind in ("users", "groups")
        for record in load(kind)
        if record["Properties"].get("admincount")
    }
    published = {t["ObjectIdentifier"] for ca in load("enterprisecas") for t in ca["EnabledCertTemplates"]}
    expected = set()
    for record in load("certtemplates"):
        props = record["Properties"]
        enrollees = {
            ace["PrincipalSID"]
            for ace in record["Aces"]
            if ace["RightName"] in {"Enroll", "AllExtendedRights", "GenericAll"}
            and ace["PrincipalSID"].startswith("S-1-5-21-")
            and int(ace["PrincipalSID"].rsplit("-", 1)[1]) >= 1000  # first RID of non-built-in objects
            and ace["PrincipalSID"] not in admins
        }
        if (
            record["ObjectIdentifier"] in published
            and props["enrolleesuppliessubject"]
            and props["authenticationenabled"]
            and not props["requiresmanagerapproval"]
            and not props["authorizedsignatures"]
            and enrollees
        ):
            expected.add(props["name"])
    assert "ESC1@ESC1.LOCAL" in expected
    assert names(adcs.esc1(read_sharphound(folder), NOW)) == expected
