"""Trusts and AD CS objects (certificate templates, CAs, NTAuth store) from LDAP entries.

Flag names and the derived booleans follow MS-CRTD (template attributes) and MS-ADTS 6.1.6.7.9
(trustAttributes); the strings are those SharpHound writes, so both readers agree.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from hygie.engines.directory.ldap_values import (
    Attributes,
    EntryError,
    as_int,
    as_sid,
    as_str,
    as_strs,
    dn_domain,
    dn_parent,
    flag_names,
    normalise_dn,
    rdn_value,
)

if TYPE_CHECKING:
    from hygie.engines.directory.ldap_entries import SnapshotBuilder

__all__ = ["add_authority", "add_template", "add_trust", "trust_row"]

# msPKI-Enrollment-Flag (MS-CRTD 2.26).
_ENROLLMENT_FLAGS = {
    0x1: "INCLUDE_SYMMETRIC_ALGORITHMS",
    0x2: "PEND_ALL_REQUESTS",
    0x4: "PUBLISH_TO_KRA_CONTAINER",
    0x8: "PUBLISH_TO_DS",
    0x10: "AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE",
    0x20: "AUTO_ENROLLMENT",
    0x40: "PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT",
    0x80: "DOMAIN_AUTHENTICATION_NOT_REQUIRED",
    0x100: "USER_INTERACTION_REQUIRED",
    0x200: "ADD_TEMPLATE_NAME",
    0x400: "REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE",
    0x800: "ALLOW_ENROLL_ON_BEHALF_OF",
    0x1000: "ADD_OCSP_NOCHECK",
    0x2000: "ENABLE_KEY_REUSE_ON_NT_TOKEN_KEYSET_STORAGE_FULL",
    0x4000: "NOREVOCATIONINFOINISSUEDCERTS",
    0x8000: "INCLUDE_BASIC_CONSTRAINTS_FOR_EE_CERTS",
    0x10000: "ALLOW_PREVIOUS_APPROVAL_KEYBASEDRENEWAL_VALIDATE_REENROLLMENT",
    0x20000: "ISSUANCE_POLICIES_FROM_REQUEST",
    0x40000: "SKIP_AUTO_RENEWAL",
    0x80000: "NO_SECURITY_EXTENSION",
}
# msPKI-Certificate-Name-Flag (MS-CRTD 2.28).
_NAME_FLAGS = {
    0x1: "ENROLLEE_SUPPLIES_SUBJECT",
    0x2: "ADD_EMAIL",
    0x4: "ADD_OBJ_GUID",
    0x8: "OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME",
    0x100: "ADD_DIRECTORY_PATH",
    0x10000: "ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME",
    0x400000: "SUBJECT_ALT_REQUIRE_DOMAIN_DNS",
    0x800000: "SUBJECT_ALT_REQUIRE_SPN",
    0x1000000: "SUBJECT_ALT_REQUIRE_DIRECTORY_GUID",
    0x2000000: "SUBJECT_ALT_REQUIRE_UPN",
    0x4000000: "SUBJECT_ALT_REQUIRE_EMAIL",
    0x8000000: "SUBJECT_ALT_REQUIRE_DNS",
    0x10000000: "SUBJECT_REQUIRE_DNS_AS_CN",
    0x20000000: "SUBJECT_REQUIRE_EMAIL",
    0x40000000: "SUBJECT_REQUIRE_COMMON_NAME",
    0x80000000: "SUBJECT_REQUIRE_DIRECTORY_PATH",
}
_ENROLLEE_SUPPLIES_SUBJECT = 0x1
_PEND_ALL_REQUESTS = 0x2
_NO_SECURITY_EXTENSION = 0x80000
# EKUs that let a certificate authenticate to AD: client authentication, PKINIT client,
# smart card logon, any purpose. No EKU at all also means any purpose.
_AUTHENTICATION_EKUS = frozenset({"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.2.3.4", "1.3.6.1.4.1.311.20.2.2", "2.5.29.37.0"})

# trustAttributes (MS-ADTS 6.1.6.7.9).
_NON_TRANSITIVE = 0x1
_QUARANTINED_DOMAIN = 0x4
_FOREST_TRANSITIVE = 0x8
_WITHIN_FOREST = 0x20
_TREAT_AS_EXTERNAL = 0x40
_NO_TGT_DELEGATION = 0x200
_ENABLE_TGT_DELEGATION = 0x800
_DIRECTIONS = {0: "Disabled", 1: "Inbound", 2: "Outbound", 3: "Bidirectional"}
_MIT_REALM = 3  # trustType TRUST_TYPE_MIT


def add_template(builder: SnapshotBuilder, dn: str, attrs: Attributes) -> None:
    """A ``pKICertificateTemplate`` row."""
    guid = _object_guid(builder, dn)
    common = builder.common(dn, attrs, guid, f"{rdn_value(dn)}@{dn_domain(dn)}".upper())
    enrollment = as_int(dn, attrs, "mspki-enrollment-flag")
    name_flag = as_int(dn, attrs, "mspki-certificate-name-flag")
    schema_version = as_int(dn, attrs, "mspki-template-schema-version")
    ekus = as_strs(dn, attrs, "pkiextendedkeyusage")
    policies = as_strs(dn, attrs, "mspki-certificate-application-policy")
    # Version 1 templates have no application policies: their EKUs are what the CA issues.
    effective = ekus if schema_version == 1 and ekus else policies
    builder.row(
        "cert_templates",
        {
            **common,
            "display_name": as_str(dn, attrs, "displayname"),
            "oid": as_str(dn, attrs, "mspki-cert-template-oid"),
            "schema_version": schema_version,
            "enrollment_flag": flag_names(enrollment, _ENROLLMENT_FLAGS),
            "certificate_name_flag": flag_names(name_flag, _NAME_FLAGS),
            "enrollee_supplies_subject": _bit(name_flag, _ENROLLEE_SUPPLIES_SUBJECT),
            "requires_manager_approval": _bit(enrollment, _PEND_ALL_REQUESTS),
            "authentication_enabled": not effective or bool(_AUTHENTICATION_EKUS.intersection(effective)),
            "authorized_signatures": as_int(dn, attrs, "mspki-ra-signature"),
            "no_security_extension": _bit(enrollment, _NO_SECURITY_EXTENSION),
            "ekus": ekus,
            "effective_ekus": effective,
        },
    )


def _bit(value: int | None, bit: int) -> bool | None:
    return bool(value & bit) if value is not None else None


def _object_guid(builder: SnapshotBuilder, dn: str) -> str:
    guid = builder.index.ids.get(normalise_dn(dn))
    if guid is None:
        raise EntryError(dn, "no objectGUID")
    return guid


def add_authority(builder: SnapshotBuilder, dn: str, attrs: Attributes, classes: set[str]) -> None:
    """An enterprise CA (``pKIEnrollmentService``), root or AIA CA, or the NTAuth store."""
    guid = _object_guid(builder, dn)
    parent = dn_parent(dn) or ""
    name = rdn_value(dn)
    if "pkienrollmentservice" in classes:
        kind = "EnterpriseCA"
    elif name.upper() == "NTAUTHCERTIFICATES":
        kind = "NTAuthStore"
    elif parent.startswith("CN=AIA,"):
        kind = "AIACA"
    else:
        kind = "RootCA"
    common = builder.common(dn, attrs, guid, f"{name}@{dn_domain(dn)}".upper())
    thumbprints = [hashlib.sha1(bytes(value)).hexdigest().upper() for value in attrs.get("cacertificate") or ()]  # noqa: S324 - a thumbprint is SHA-1 by definition
    host = as_str(dn, attrs, "dnshostname")
    hosting = None
    if kind == "EnterpriseCA":
        hosting = builder.index.hosts.get(host.lower()) if host else None
        builder.edge(hosting, guid, "HostsCAService")
        for template in as_strs(dn, attrs, "certificatetemplates"):
            builder.edge(builder.index.templates.get(template.upper()), guid, "PublishedTo")
    builder.row(
        "cert_authorities",
        {
            **common,
            "kind": kind,
            "ca_name": name if kind == "EnterpriseCA" else None,
            "dns_hostname": host,
            "cert_thumbprint": thumbprints[0] if thumbprints else None,
            # The NTAuth store holds several CA certificates: all their thumbprints are listed.
            "cert_chain": thumbprints,
            "hosting_computer": hosting,
        },
    )


def add_trust(builder: SnapshotBuilder, dn: str, attrs: Attributes) -> None:
    """A ``trustedDomain`` object of a domain's System container."""
    source = builder.index.domain_sids.get(dn_domain(dn) or "")
    builder.row("trusts", trust_row(dn, attrs, source))


def trust_row(dn: str, attrs: Attributes, source_sid: str | None) -> dict[str, object]:
    """The trusts row of one ``trustedDomain`` entry.

    SID filtering (MS-PAC 4.1.2.2, MS-ADTS trustAttributes): none inside a forest; a forest
    trust filters unless TREAT_AS_EXTERNAL relaxes it to let SID history through; an external
    trust filters when QUARANTINED_DOMAIN is set (the default since Windows Server 2003 SP1).
    TGT delegation crosses a trust inside a forest, or across one with
    CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION and without CROSS_ORGANIZATION_NO_TGT_DELEGATION.
    """
    attributes = as_int(dn, attrs, "trustattributes") or 0
    trust_type = as_int(dn, attrs, "trusttype")
    partner = (as_str(dn, attrs, "trustpartner") or rdn_value(dn)).upper()
    own = (dn_domain(dn) or "").upper()
    if attributes & _WITHIN_FOREST:
        # Parent and child names nest; any other trust inside a forest is a shortcut.
        nested = partner.endswith("." + own) or own.endswith("." + partner)
        kind, filtering, delegation = ("ParentChild" if nested else "CrossLink"), False, True
    elif attributes & _FOREST_TRANSITIVE:
        kind, filtering = "Forest", not attributes & _TREAT_AS_EXTERNAL
        delegation = bool(attributes & _ENABLE_TGT_DELEGATION) and not attributes & _NO_TGT_DELEGATION
    elif trust_type == _MIT_REALM:
        kind, filtering, delegation = "Unknown", False, False
    else:
        kind, filtering = "External", bool(attributes & _QUARANTINED_DOMAIN)
        delegation = bool(attributes & _ENABLE_TGT_DELEGATION) and not attributes & _NO_TGT_DELEGATION
    direction = as_int(dn, attrs, "trustdirection")
    return {
        "source_sid": source_sid,
        "target_sid": as_sid(dn, attrs, "securityidentifier"),
        "target_name": partner,
        "direction": _DIRECTIONS.get(direction, "Unknown") if direction is not None else None,
        "trust_type": kind,
        "is_transitive": not attributes & _NON_TRANSITIVE,
        "sid_filtering_enabled": bool(filtering),
        "trust_attributes": as_int(dn, attrs, "trustattributes"),
        "tgt_delegation_enabled": bool(delegation),
    }
