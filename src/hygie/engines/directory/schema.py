"""Column schemas of the snapshot tables, fixed so that empty tables and Parquet round trips agree."""

from __future__ import annotations

import polars as pl

__all__ = ["SCHEMAS", "TABLES"]

_STR = pl.String()
_BOOL = pl.Boolean()
_INT = pl.Int64()
_STRS = pl.List(pl.String())

# Columns shared by every directory object, whatever its kind.
_COMMON: dict[str, pl.DataType] = {
    "object_id": _STR,
    "name": _STR,
    "domain": _STR,
    "domain_sid": _STR,
    "distinguished_name": _STR,
    "description": _STR,
    "when_created": _INT,
    "is_deleted": _BOOL,
    "is_acl_protected": _BOOL,
}

#: Users, computers and groups: everything a security principal check or the attack graph reads.
PRINCIPALS: dict[str, pl.DataType] = {
    **_COMMON,
    "kind": _STR,  # User, Computer or Group
    "sam_account_name": _STR,
    "enabled": _BOOL,
    "admincount": _BOOL,
    "spns": _STRS,
    "has_spn": _BOOL,
    "dontreqpreauth": _BOOL,
    "passwordnotreqd": _BOOL,
    "pwdneverexpires": _BOOL,
    "sensitive": _BOOL,
    "unconstraineddelegation": _BOOL,
    "trustedtoauth": _BOOL,
    "allowed_to_delegate": _STRS,  # SPNs from msDS-AllowedToDelegateTo
    "pwdlastset": _INT,  # Unix seconds; 0 = must change, -1 = never (as SharpHound writes them)
    "lastlogon": _INT,
    "lastlogontimestamp": _INT,
    "sidhistory": _STRS,
    "primary_group_sid": _STR,
    "operating_system": _STR,
    "is_dc": _BOOL,
    "haslaps": _BOOL,
    # Columns a SharpHound collection does not carry stay null there; LDAP and LDIF fill them.
    "user_account_control": _INT,  # raw userAccountControl
    "supported_encryption_types": _INT,  # msDS-SupportedEncryptionTypes
    "reversible_encryption": _BOOL,  # UAC ENCRYPTED_TEXT_PWD_ALLOWED
    "use_des_key_only": _BOOL,  # UAC USE_DES_KEY_ONLY
    "smartcard_required": _BOOL,  # UAC SMARTCARD_REQUIRED
    "is_rodc": _BOOL,  # UAC PARTIAL_SECRETS_ACCOUNT
    "gmsa": _BOOL,  # group managed service account
    "msa": _BOOL,  # standalone managed service account
    "password_attributes": _STRS,  # names of readable cleartext password attributes that are set
    "laps_expiration": _INT,  # Unix seconds of the LAPS password expiry (legacy or Windows LAPS)
}

#: Domains; policy columns are null when the collector cannot see them (SharpHound does not).
DOMAINS: dict[str, pl.DataType] = {
    **_COMMON,
    "functional_level": _STR,  # as SharpHound writes it: "2016", "2012 R2"...
    "forest_functional_level": _STR,
    "collected": _BOOL,
    "machine_account_quota": _INT,  # ms-DS-MachineAccountQuota
    "min_pwd_length": _INT,
    "pwd_history_length": _INT,
    "max_pwd_age_days": _INT,  # 0 = passwords never expire
    "lockout_threshold": _INT,  # 0 = never locked out
    "pwd_properties": _INT,  # DOMAIN_PASSWORD_COMPLEX = 1, DOMAIN_PASSWORD_STORE_CLEARTEXT = 16
    "dsheuristics": _STR,
    "sysvol_replication": _STR,  # "DFSR" or "FRS"
    "schema_version": _INT,  # objectVersion of the schema partition
}

TRUSTS: dict[str, pl.DataType] = {
    "source_sid": _STR,
    "target_sid": _STR,
    "target_name": _STR,
    "direction": _STR,
    "trust_type": _STR,
    "is_transitive": _BOOL,
    "sid_filtering_enabled": _BOOL,
    "trust_attributes": _INT,  # raw trustAttributes (null from SharpHound)
    "tgt_delegation_enabled": _BOOL,
}

GPOS: dict[str, pl.DataType] = {**_COMMON, "gpc_path": _STR}
OUS: dict[str, pl.DataType] = {**_COMMON, "blocks_inheritance": _BOOL}
CONTAINERS: dict[str, pl.DataType] = dict(_COMMON)

CERT_TEMPLATES: dict[str, pl.DataType] = {
    **_COMMON,
    "display_name": _STR,
    "oid": _STR,
    "schema_version": _INT,
    "enrollment_flag": _STR,
    "certificate_name_flag": _STR,
    "enrollee_supplies_subject": _BOOL,
    "requires_manager_approval": _BOOL,
    "authentication_enabled": _BOOL,
    "authorized_signatures": _INT,
    "no_security_extension": _BOOL,
    "ekus": _STRS,
    "effective_ekus": _STRS,
}

#: Enterprise, root and AIA CAs and NTAuth stores, told apart by ``kind``.
CERT_AUTHORITIES: dict[str, pl.DataType] = {
    **_COMMON,
    "kind": _STR,
    "ca_name": _STR,
    "dns_hostname": _STR,
    "cert_thumbprint": _STR,
    "cert_chain": _STRS,
    "hosting_computer": _STR,
}

#: Directed relations in BloodHound's orientation: ``source`` can act on, or contains, ``target``.
EDGES: dict[str, pl.DataType] = {
    "source": _STR,
    "target": _STR,
    "kind": _STR,  # MemberOf, an ACE right name, Contains, GPLink, HasSession, AdminTo, ...
    "is_inherited": _BOOL,  # ACE edges only
    "enforced": _BOOL,  # GPLink edges only
}

#: Table name -> schema, in the order they are saved.
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "principals": PRINCIPALS,
    "domains": DOMAINS,
    "trusts": TRUSTS,
    "gpos": GPOS,
    "ous": OUS,
    "containers": CONTAINERS,
    "cert_templates": CERT_TEMPLATES,
    "cert_authorities": CERT_AUTHORITIES,
    "edges": EDGES,
}
TABLES: tuple[str, ...] = tuple(SCHEMAS)
