"""A small directory (domain, configuration and schema partitions) as raw LDAP entries, for tests.

Values are what a domain controller returns: text attributes as UTF-8, binary ones
(objectSid, objectGUID, nTSecurityDescriptor) as their wire bytes, built from MS-DTYP here.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence

from hygie.engines.directory.tests.sd_builders import sddl, sid_bytes

__all__ = ["BASE", "DOMAIN_SID", "GUIDS", "LAPS_GUID", "entries", "write_ldif"]

BASE = "DC=corp,DC=local"
CONFIG = f"CN=Configuration,{BASE}"
DOMAIN_SID = "S-1-5-21-111-222-333"
LAPS_GUID = "a740f691-b206-4baa-9ab1-559f8985523f"  # forest-specific ms-Mcs-AdmPwd GUID
GUIDS = {
    "users": "11111111-0000-0000-0000-000000000001",
    "ou": "11111111-0000-0000-0000-000000000002",
    "gpo": "11111111-0000-0000-0000-000000000003",
    "template": "11111111-0000-0000-0000-000000000004",
    "ca": "11111111-0000-0000-0000-000000000005",
    "root": "11111111-0000-0000-0000-000000000006",
    "ntauth": "11111111-0000-0000-0000-000000000007",
    "adminsdholder": "11111111-0000-0000-0000-000000000008",
}
_ADMINS = f"{DOMAIN_SID}-512"
# FILETIME of 2024-01-01T00:00:00Z: (1704067200 + 11644473600) * 10**7.
FILETIME_2024 = 133485408000000000


def _entry(dn: str, classes: Sequence[str], **attrs: object) -> tuple[str, Mapping[str, Sequence[bytes]]]:
    values: dict[str, list[bytes]] = {"objectclass": [name.encode() for name in ("top", *classes)]}
    for name, value in attrs.items():
        items = value if isinstance(value, list) else [value]
        values[name.lower().replace("_", "-")] = [
            item if isinstance(item, bytes) else str(item).encode() for item in items
        ]
    return dn, values


def _guid(key: str) -> bytes:
    return uuid.UUID(GUIDS[key]).bytes_le


def entries() -> list[tuple[str, Mapping[str, Sequence[bytes]]]]:
    """Every entry of the test directory, in the order an LDAP search returns them."""
    sid = sid_bytes
    return [
        _entry(
            BASE,
            ["domain", "domainDNS"],
            objectSid=sid(DOMAIN_SID),
            objectGUID=uuid.UUID(int=9).bytes_le,
            whenCreated="20220524031001.0Z",
            **{"msDS-Behavior-Version": 7, "ms-DS-MachineAccountQuota": 10},
            minPwdLength=7,
            pwdHistoryLength=24,
            maxPwdAge=-36288000000000,  # 42 days
            lockoutThreshold=0,
            pwdProperties=1,
            gPLink=f"[LDAP://cn={{31B2F340-016D-11D2-945F-00C04FB984F9}},cn=policies,cn=system,{BASE};2]",
            nTSecurityDescriptor=sddl(
                f"O:{_ADMINS}G:{_ADMINS}D:(OA;;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;{DOMAIN_SID}-1105)"
                f"(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;{DOMAIN_SID}-1105)(A;;GA;;;BA)"
            ),
        ),
        _entry(f"CN=Users,{BASE}", ["container"], objectGUID=_guid("users"), name="Users"),
        _entry(
            f"CN=AdminSDHolder,CN=System,{BASE}", ["container"], objectGUID=_guid("adminsdholder"), name="AdminSDHolder"
        ),
        _entry(
            f"OU=Servers,{BASE}",
            ["organizationalUnit"],
            objectGUID=_guid("ou"),
            name="Servers",
            gPOptions=1,
            gPLink=f"[LDAP://cn={{31B2F340-016D-11D2-945F-00C04FB984F9}},cn=policies,cn=system,{BASE};0]"
            f"[LDAP://cn={{6AC1786C-016F-11D2-945F-00C04FB984F9}},cn=policies,cn=system,{BASE};1]",
        ),
        _entry(
            f"CN={{31B2F340-016D-11D2-945F-00C04FB984F9}},CN=Policies,CN=System,{BASE}",
            ["container", "groupPolicyContainer"],
            objectGUID=_guid("gpo"),
            displayName="Default Domain Policy",
            gPCFileSysPath=r"\\corp.local\sysvol\corp.local\Policies\{31B2F340-016D-11D2-945F-00C04FB984F9}",
        ),
        _entry(
            f"CN=Alice,CN=Users,{BASE}",
            ["person", "organizationalPerson", "user"],
            objectSid=sid(f"{DOMAIN_SID}-1105"),
            sAMAccountName="alice",
            userAccountControl=0x10000 | 0x400000 | 0x80 | 0x200,  # never expires, no preauth, reversible
            primaryGroupID=513,
            adminCount=1,
            pwdLastSet=FILETIME_2024,
            lastLogon=0,
            servicePrincipalName="HTTP/web.corp.local",
            userPassword="Summer2024",
            sIDHistory=sid("S-1-5-21-999-888-777-1000"),
            **{"msDS-AllowedToDelegateTo": ["cifs/srv01.corp.local", "cifs/unknown.elsewhere"]},
            nTSecurityDescriptor=sddl(
                f"O:{_ADMINS}D:PAI(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;{DOMAIN_SID}-1201)(D;;GA;;;WD)"
            ),
        ),
        _entry(
            f"CN=Helpdesk,CN=Users,{BASE}",
            ["group"],
            objectSid=sid(f"{DOMAIN_SID}-1201"),
            sAMAccountName="Helpdesk",
            member=[f"CN=Alice,CN=Users,{BASE}", f"CN=S-1-5-11,CN=ForeignSecurityPrincipals,{BASE}"],
        ),
        _entry(
            f"CN=Domain Admins,CN=Users,{BASE}",
            ["group"],
            objectSid=sid(_ADMINS),
            sAMAccountName="Domain Admins",
            adminCount=1,
            member=[f"CN=Alice,CN=Users,{BASE}", f"CN=Bob,OU=Elsewhere,{BASE}"],
        ),
        _entry(
            f"CN=Administrators,CN=Builtin,{BASE}",
            ["group"],
            objectSid=sid("S-1-5-32-544"),
            sAMAccountName="Administrators",
        ),
        _entry(
            f"CN=SRV01,OU=Servers,{BASE}",
            ["person", "organizationalPerson", "user", "computer"],
            objectSid=sid(f"{DOMAIN_SID}-2001"),
            sAMAccountName="SRV01$",
            dNSHostName="srv01.corp.local",
            userAccountControl=0x1000 | 0x80000,
            primaryGroupID=515,
            operatingSystem="Windows Server 2019 Standard",
            **{
                "ms-Mcs-AdmPwdExpirationTime": FILETIME_2024,
                "msDS-SupportedEncryptionTypes": 24,
                "msDS-AllowedToActOnBehalfOfOtherIdentity": sddl(f"O:BAD:(A;;0xF01FF;;;{DOMAIN_SID}-1105)"),
            },
            nTSecurityDescriptor=sddl(f"O:{_ADMINS}D:(OA;;RPCR;{LAPS_GUID};;{DOMAIN_SID}-1201)"),
        ),
        _entry(
            f"CN=DC01,OU=Domain Controllers,{BASE}",
            ["person", "organizationalPerson", "user", "computer"],
            objectSid=sid(f"{DOMAIN_SID}-1000"),
            sAMAccountName="DC01$",
            dNSHostName="dc01.corp.local",
            userAccountControl=0x2000 | 0x80000,
            primaryGroupID=516,
        ),
        _entry(
            f"CN=svc-web,CN=Managed Service Accounts,{BASE}",
            ["person", "organizationalPerson", "user", "computer", "msDS-GroupManagedServiceAccount"],
            objectSid=sid(f"{DOMAIN_SID}-3001"),
            sAMAccountName="svc-web$",
            userAccountControl=0x1000,
            **{"msDS-GroupMSAMembership": sddl(f"O:BAD:(A;;0xF01FF;;;{DOMAIN_SID}-2001)")},
        ),
        _entry(
            f"CN=partner.example,CN=System,{BASE}",
            ["leaf", "trustedDomain"],
            trustPartner="partner.example",
            trustDirection=3,
            trustType=2,
            trustAttributes=0x4,
            securityIdentifier=sid("S-1-5-21-444-555-666"),
        ),
        _entry(f"CN=Partitions,{CONFIG}", ["crossRefContainer"], **{"msDS-Behavior-Version": 6}),
        _entry(f"CN=Directory Service,CN=Windows NT,CN=Services,{CONFIG}", ["nTDSService"], dSHeuristics="00000001"),
        _entry(f"CN=Schema,{CONFIG}", ["dMD"], objectVersion=88),
        _entry(
            f"CN=ms-Mcs-AdmPwd,CN=Schema,{CONFIG}",
            ["attributeSchema"],
            lDAPDisplayName="ms-Mcs-AdmPwd",
            schemaIDGUID=uuid.UUID(LAPS_GUID).bytes_le,
        ),
        _entry(f"CN=DFSR-GlobalSettings,CN=System,{BASE}", ["msDFSR-GlobalSettings"], **{"msDFSR-Flags": 48}),
        _entry(
            f"CN=ESC1,CN=Certificate Templates,CN=Public Key Services,CN=Services,{CONFIG}",
            ["pKICertificateTemplate"],
            objectGUID=_guid("template"),
            displayName="ESC1 template",
            **{
                "msPKI-Certificate-Name-Flag": 1,
                "msPKI-Enrollment-Flag": 0x80000 | 0x8,
                "msPKI-RA-Signature": 0,
                "msPKI-Template-Schema-Version": 2,
                "msPKI-Cert-Template-OID": "1.3.6.1.4.1.311.21.8.1.2",
                "msPKI-Certificate-Application-Policy": "1.3.6.1.5.5.7.3.2",
            },
            pKIExtendedKeyUsage="1.3.6.1.5.5.7.3.2",
            nTSecurityDescriptor=sddl(f"O:{_ADMINS}D:(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{DOMAIN_SID}-513)"),
        ),
        _entry(
            f"CN=corp-CA,CN=Enrollment Services,CN=Public Key Services,CN=Services,{CONFIG}",
            ["pKIEnrollmentService"],
            objectGUID=_guid("ca"),
            dNSHostName="dc01.corp.local",
            certificateTemplates="ESC1",
            cACertificate=b"certificate bytes",
        ),
        _entry(
            f"CN=corp-CA,CN=Certification Authorities,CN=Public Key Services,CN=Services,{CONFIG}",
            ["certificationAuthority"],
            objectGUID=_guid("root"),
            cACertificate=b"certificate bytes",
        ),
        _entry(
            f"CN=NTAuthCertificates,CN=Public Key Services,CN=Services,{CONFIG}",
            ["certificationAuthority"],
            objectGUID=_guid("ntauth"),
            cACertificate=[b"certificate bytes", b"another"],
        ),
    ]


def _safe(value: bytes) -> bool:
    """RFC 2849 SAFE-STRING: printable ASCII not starting with space, colon or '<'."""
    return bool(value) and all(32 <= byte < 127 for byte in value) and value[:1] not in {b" ", b":", b"<"}


def _fold(line: str, width: int = 76) -> str:
    """Fold at ``width`` characters as ldapsearch does: continuation lines start with one space."""
    parts = [line[:width]] + [" " + line[i : i + width - 1] for i in range(width, len(line), width - 1)]
    return "\n".join(parts)


def write_ldif(
    entries_: Sequence[tuple[str, Mapping[str, Sequence[bytes]]]], *, changetype: bool = False, header: bool = True
) -> str:
    """The LDIF text an export of ``entries_`` gives: binary values base64-encoded, long lines folded."""
    out = ["# extended LDIF", "version: 1", ""] if header else []
    for dn, attrs in entries_:
        out.append(_fold(f"dn: {dn}"))
        if changetype:
            out.append("changetype: add")
        for name, values in attrs.items():
            for value in values:
                raw = bytes(value)
                text = f"{name}: {raw.decode()}" if _safe(raw) else f"{name}:: {base64.b64encode(raw).decode()}"
                out.append(_fold(text))
        out.append("")
    return "\n".join(out) + "\n"
