"""Binary security descriptors: parsing by the MS-DTYP layout and BloodHound right names."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.engines.directory.security_descriptor import (
    SecurityDescriptorError,
    ace_rights,
    allowed_trustees,
    guid_to_str,
    parse_security_descriptor,
    sid_to_str,
)
from hygie.engines.directory.tests.sd_builders import ace, sd, sddl, sid_bytes

DOMAIN = "S-1-5-21-1004336348-1177238915-682003330"
ALICE = f"{DOMAIN}-1105"
HELPDESK = f"{DOMAIN}-1201"
DOMAIN_ADMINS = f"{DOMAIN}-512"
USER_CLASS = "bf967aba-0de6-11d0-a285-00aa003049e2"
COMPUTER_CLASS = "bf967a86-0de6-11d0-a285-00aa003049e2"
FORCE_CHANGE_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529"  # noqa: S105 - a GUID
MEMBER = "bf9679c0-0de6-11d0-a285-00aa003049e2"


class TestSid:
    """``sid_to_str`` writes the textual form of MS-DTYP 2.4.2.1."""

    def test_domain_sid(self) -> None:
        """Revision 1, authority 5 (NT), sub-authorities little-endian."""
        raw = bytes([1, 5, 0, 0, 0, 0, 0, 5]) + struct.pack("<5I", 21, 1004336348, 1177238915, 682003330, 1105)
        assert sid_to_str(raw) == ALICE

    def test_everyone_has_no_sub_authority_beyond_zero(self) -> None:
        """S-1-1-0: authority 1 (world), one sub-authority 0."""
        assert sid_to_str(bytes([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])) == "S-1-1-0"

    def test_huge_authority_is_hexadecimal(self) -> None:
        """Authorities of 2**32 and above are written as 0x followed by 12 hex digits."""
        raw = bytes([1, 0, 0x01, 0, 0, 0, 0, 0])
        assert sid_to_str(raw) == "S-1-0x010000000000"

    def test_trailing_bytes_refused(self) -> None:
        """A value longer than its SID is corrupt, not silently cut."""
        with pytest.raises(SecurityDescriptorError, match="unexpected bytes after offset 12"):
            sid_to_str(sid_bytes("S-1-1-0") + b"\0")

    def test_guid_is_mixed_endian(self) -> None:
        """The first three GUID fields are stored little-endian (the user class GUID)."""
        raw = bytes.fromhex("ba7a96bfe60dd011a28500aa003049e2")
        assert guid_to_str(raw) == USER_CLASS


class TestParse:
    """``parse_security_descriptor`` reads header, owner, group and DACL."""

    def test_fields(self) -> None:
        """Owner, group, control and every ACE field come back as written."""
        raw = sd(
            DOMAIN_ADMINS,
            "S-1-5-18",
            [
                ace(0x00, 0x12, 0x000F01FF, ALICE),
                ace(0x05, 0x00, 0x100, HELPDESK, object_type=FORCE_CHANGE_PASSWORD, inherited_object_type=USER_CLASS),
                ace(0x06, 0x0A, 0x20, "S-1-1-0", object_type=MEMBER),
            ],
            control=0x9404,
        )
        parsed = parse_security_descriptor(raw)
        assert (parsed.owner_sid, parsed.group_sid, parsed.control) == (DOMAIN_ADMINS, "S-1-5-18", 0x9404)
        assert parsed.is_acl_protected
        first, second, third = parsed.dacl
        assert (first.ace_type, first.mask, first.trustee_sid, first.is_inherited) == (0, 0xF01FF, ALICE, True)
        assert (second.object_type, second.inherited_object_type) == (FORCE_CHANGE_PASSWORD, USER_CLASS)
        assert (third.ace_type, third.inherit_only, third.is_inherited, third.object_type) == (6, True, False, MEMBER)

    def test_no_dacl(self) -> None:
        """Without SE_DACL_PRESENT the DACL is empty and flagged absent."""
        parsed = parse_security_descriptor(sd(ALICE, None, None, control=0x8000))
        assert parsed.dacl == ()
        assert not parsed.dacl_present
        assert parsed.group_sid is None

    def test_audit_ace_skipped_by_size(self) -> None:
        """A SYSTEM_AUDIT ACE (type 2) is stepped over; the next ACE is still read."""
        audit = struct.pack("<BBHI", 2, 0x40, 8 + 12, 0x10) + sid_bytes("S-1-1-0")
        parsed = parse_security_descriptor(sd(None, None, [audit, ace(0, 0, 0x20, ALICE)]))
        assert [item.trustee_sid for item in parsed.dacl] == [ALICE]

    def test_sddl_round_trip(self) -> None:
        """The SDDL of a protected user ACL, assembled to bytes, parses back to its parts."""
        text = f"O:DAG:SYD:PAI(A;;GA;;;{DOMAIN_ADMINS})(OA;CIIO;WP;{MEMBER};{USER_CLASS};AU)"
        parsed = parse_security_descriptor(sddl(text.replace("O:DA", f"O:{DOMAIN_ADMINS}")))
        assert parsed.owner_sid == DOMAIN_ADMINS
        assert parsed.control & 0x1400 == 0x1400  # P and AI
        assert [(item.mask, item.flags, item.trustee_sid) for item in parsed.dacl] == [
            (0x10000000, 0, DOMAIN_ADMINS),
            (0x20, 0x0A, "S-1-5-11"),
        ]

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            (b"\x01\x00\x04\x80", "header needs 20 bytes at offset 0"),
            (struct.pack("<BBHIIII", 2, 0, 0x8004, 0, 0, 0, 0), "revision 2"),
            (struct.pack("<BBHIIII", 1, 0, 0x0004, 0, 0, 0, 0), "not a self-relative"),
            (struct.pack("<BBHIIII", 1, 0, 0x8000, 200, 0, 0, 0), "owner SID needs 8 bytes at offset 200"),
            (
                sd(None, None, [ace(0, 0, 0x20, ALICE)])[:-4],
                "DACL needs 44 bytes at offset 20",
            ),  # 8 + 4 + 4 + 28 (5 sub-authorities)
        ],
    )
    def test_corrupt_input_names_the_offset(self, raw: bytes, message: str) -> None:
        """Truncated or inconsistent bytes raise our error with the offset involved."""
        with pytest.raises(SecurityDescriptorError, match=message):
            parse_security_descriptor(raw)

    def test_ace_overrunning_the_dacl(self) -> None:
        """An ACE whose size runs past the DACL is refused, not read from the next structure."""
        raw = bytearray(sd(None, None, [ace(0, 0, 0x20, ALICE)]))
        struct.pack_into("<H", raw, 20 + 8 + 2, 200)
        with pytest.raises(SecurityDescriptorError, match="ACE 0 at offset 28: size 200"):
            parse_security_descriptor(bytes(raw))

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=200))
    def test_random_bytes_raise_only_our_error(self, raw: bytes) -> None:
        """Whatever the bytes, the parser returns or raises SecurityDescriptorError."""
        with contextlib.suppress(SecurityDescriptorError):
            parse_security_descriptor(raw)

    @settings(max_examples=300, deadline=None)
    @given(st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=255))
    def test_corrupted_valid_descriptor(self, position: int, value: int) -> None:
        """One byte changed anywhere in a valid descriptor never escapes as another exception."""
        raw = bytearray(sddl(f"O:{ALICE}G:SYD:(A;;GA;;;{HELPDESK})(OA;;CR;{FORCE_CHANGE_PASSWORD};;AU)"))
        raw[position % len(raw)] = value
        with contextlib.suppress(SecurityDescriptorError):
            parse_security_descriptor(bytes(raw))


def _rights(text: str, object_class: str, **kwargs: object) -> set[tuple[str, str, bool]]:
    return set(ace_rights(parse_security_descriptor(sddl(text)), object_class, **kwargs))  # type: ignore[arg-type]


class TestAceRights:
    """``ace_rights`` maps allowed ACEs to BloodHound edges."""

    def test_owner_and_generic_all(self) -> None:
        """The owner gets Owns; full control is one GenericAll edge, not every right it includes."""
        rights = _rights(f"O:{DOMAIN_ADMINS}D:(A;ID;0xF01FF;;;{HELPDESK})", "User")
        assert rights == {(DOMAIN_ADMINS, "Owns", False), (HELPDESK, "GenericAll", True)}

    def test_generic_bit_maps_to_generic_all(self) -> None:
        """GENERIC_ALL (GA) as stored in some ACEs means full control."""
        assert _rights(f"D:(A;;GA;;;{ALICE})", "Group") == {(ALICE, "GenericAll", False)}

    def test_write_dacl_write_owner_generic_write(self) -> None:
        """WD, WO and write-all-properties are three separate edges."""
        rights = _rights(f"D:(A;;WDWORCWPSW;;;{ALICE})", "Computer")
        assert rights == {(ALICE, "WriteDacl", False), (ALICE, "WriteOwner", False), (ALICE, "GenericWrite", False)}

    def test_deny_and_inherit_only_ignored(self) -> None:
        """Deny ACEs and ACEs that only propagate to children give no edge."""
        assert _rights(f"D:(D;;GA;;;{ALICE})(A;CIIO;GA;;;{HELPDESK})", "User") == set()

    def test_inherited_object_type_restricts_the_class(self) -> None:
        """An ACE scoped to user objects applies to users, not to computers."""
        text = f"D:(OA;ID;CR;{FORCE_CHANGE_PASSWORD};{USER_CLASS};{HELPDESK})"
        assert _rights(text, "User") == {(HELPDESK, "ForceChangePassword", True)}
        assert _rights(text, "Computer") == set()

    def test_ignored_principals(self) -> None:
        """SYSTEM and service SIDs give no edge, even as owner."""
        assert _rights("O:SYD:(A;;GA;;;SY)(A;;GA;;;S-1-5-80-1-2-3-4-5)", "User") == set()

    def test_domain_replication_rights(self) -> None:
        """The three replication extended rights (DCSync) on the domain object."""
        text = (
            f"D:(OA;;CR;1131f6aa-9c07-11d1-f79f-00c04fc2dcd2;;{ALICE})"
            f"(OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;{ALICE})"
            f"(OA;;CR;89e95b76-444d-4c62-991a-0facbeda640c;;{ALICE})(A;;CR;;;{HELPDESK})"
        )
        assert _rights(text, "domainDNS") == {
            (ALICE, "GetChanges", False),
            (ALICE, "GetChangesAll", False),
            (ALICE, "GetChangesInFilteredSet", False),
            (HELPDESK, "AllExtendedRights", False),
        }

    def test_group_member_writes(self) -> None:
        """Write of ``member`` is AddMember; the validated write alone is AddSelf."""
        text = f"D:(OA;;WP;{MEMBER};;{ALICE})(OA;;SW;{MEMBER};;{HELPDESK})"
        assert _rights(text, "Group") == {(ALICE, "AddMember", False), (HELPDESK, "AddSelf", False)}

    @pytest.mark.parametrize(
        ("object_class", "guid", "right"),
        [
            ("User", "f3a64788-5306-11d1-a9c5-0000f80367c1", "WriteSPN"),
            ("User", "5b47d60f-6090-40b2-9f37-2a4de88f3063", "AddKeyCredentialLink"),
            ("Computer", "5b47d60f-6090-40b2-9f37-2a4de88f3063", "AddKeyCredentialLink"),
            ("Computer", "3f78c3e5-f79a-46bd-a0b8-9d18116ddc79", "AddAllowedToAct"),
            ("Computer", "4c164200-20c0-11d0-a768-00aa003049e2", "WriteAccountRestrictions"),
            ("OU", "f30e3bbe-9ff0-11d1-b603-0000f80367c1", "WriteGPLink"),
            ("Domain", "f30e3bbe-9ff0-11d1-b603-0000f80367c1", "WriteGPLink"),
        ],
    )
    def test_property_writes(self, object_class: str, guid: str, right: str) -> None:
        """Writing one attribute gives the edge named after the attack it enables."""
        assert _rights(f"D:(OA;;WP;{guid};;{ALICE})", object_class) == {(ALICE, right, False)}

    def test_property_write_on_the_wrong_class(self) -> None:
        """A gPLink write on a user means nothing."""
        assert _rights(f"D:(OA;;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;;{ALICE})", "User") == set()

    def test_laps_guid_comes_from_the_schema(self) -> None:
        """ms-Mcs-AdmPwd's GUID is forest-specific: read access to it is ReadLAPSPassword."""
        laps = "a740f691-b206-4baa-9ab1-559f8985523f"
        text = f"D:(OA;;RPCR;{laps};;{ALICE})(A;;CR;;;{HELPDESK})"
        rights = _rights(text, "Computer", schema_guids={"ms-mcs-admpwd": laps})
        assert rights == {(ALICE, "ReadLAPSPassword", False), (HELPDESK, "AllExtendedRights", False)}
        assert _rights(text, "Computer") == {(HELPDESK, "AllExtendedRights", False)}
        assert _rights(text, "Computer", schema_guids={"ms-mcs-admpwd": laps}, has_laps=False) == set()

    def test_certificate_template_enrolment(self) -> None:
        """Enroll and AutoEnroll extended rights on a template."""
        text = (
            f"D:(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{ALICE})"
            f"(OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;{HELPDESK})"
        )
        assert _rights(text, "pKICertificateTemplate") == {(ALICE, "Enroll", False), (HELPDESK, "AutoEnroll", False)}

    def test_ca_security_rights(self) -> None:
        """In the CA's own security, bits 1, 2 and 0x100 are ManageCA, ManageCertificates, Enroll."""
        assert _rights(f"D:(A;;0x103;;;{ALICE})", "CASecurity") == {
            (ALICE, "ManageCA", False),
            (ALICE, "ManageCertificates", False),
            (ALICE, "Enroll", False),
        }

    def test_allowed_trustees(self) -> None:
        """The principals an msDS-GroupMSAMembership descriptor lets read the password."""
        parsed = parse_security_descriptor(sddl(f"O:BAD:(A;;0xF01FF;;;{ALICE})(D;;0xF01FF;;;WD)(A;;0x3;;;{ALICE})"))
        assert allowed_trustees(parsed) == [ALICE]


# nTSecurityDescriptor of CN=Domain Admins in a Samba 4 domain freshly provisioned for these tests
# (domain SID S-1-5-21-3559367508-1018143732-520322373). Samba's own decoder gives this SDDL
# (SACL left out), from which the expectations below are derived by hand:
# O:DAG:DAD:AI(A;;<full>;;;DA)(A;;<full>;;;SY)(A;;RPLCLORC;;;AU)(A;;<full>;;;AO)(A;;RPLCLORC;;;PS)
# (OA;;CR;ab721a55-...;;AU)(OA;;RP;46a9b11d-...;;S-1-5-32-560) 16 inherited RU/ED read ACEs
# (OA;CIID;RPWPCR;91e647de-...;;PS)(A;CIID;<full>;;;EA)(A;CIID;LC;;;RU)
# (A;CIID;RPWPCRCCLCLORCWOWDSDSW;;;BA)  with <full> = RPWPCRCCDCLCLORCWOWDSDDTSW = 0xF01FF.
SAMBA_DOMAIN_ADMINS_SD = bytes.fromhex(
    "0100178c14000000300000004c000000c400000001050000000000051500000054a327d4f4a3af3c457d031f0002000001050000"
    "000000051500000054a327d4f4a3af3c457d031f000200000400780002000000075a38002000000003000000be3b0ef3f09fd111"
    "b6030000f80367c1a57a96bfe60dd011a28500aa003049e2010100000000000100000000075a38002000000003000000bf3b0ef3"
    "f09fd111b6030000f80367c1a57a96bfe60dd011a28500aa003049e20101000000000001000000000400d4041b00000000002400"
    "ff010f0001050000000000051500000054a327d4f4a3af3c457d031f0002000000001400ff010f00010100000000000512000000"
    "000014009400020001010000000000050b00000000001800ff010f00010200000000000520000000240200000000140094000200"
    "01010000000000050a000000050028000001000001000000551a72ab2f1ed011981900aa0040529b01010000000000050b000000"
    "05002c0010000000010000001db1a946ae605a40b7e8ff8a58d456d201020000000000052000000030020000051a3c0010000000"
    "030000000042164cc020d011a76800aa006e052914cc28483714bc459b07ad6f015e5f280102000000000005200000002a020000"
    "051a3c0010000000030000000042164cc020d011a76800aa006e0529ba7a96bfe60dd011a28500aa003049e20102000000000005"
    "200000002a020000051a3c0010000000030000001020205fa579d011902000c04fc2d4cf14cc28483714bc459b07ad6f015e5f28"
    "0102000000000005200000002a020000051a3c0010000000030000001020205fa579d011902000c04fc2d4cfba7a96bfe60dd011"
    "a28500aa003049e20102000000000005200000002a020000051a3c00100000000300000040c20abca979d011902000c04fc2d4cf"
    "14cc28483714bc459b07ad6f015e5f280102000000000005200000002a020000051a3c00100000000300000040c20abca979d011"
    "902000c04fc2d4cfba7a96bfe60dd011a28500aa003049e20102000000000005200000002a020000051a3c001000000003000000"
    "422fba59a279d011902000c04fc2d3cf14cc28483714bc459b07ad6f015e5f280102000000000005200000002a020000051a3c00"
    "1000000003000000422fba59a279d011902000c04fc2d3cfba7a96bfe60dd011a28500aa003049e2010200000000000520000000"
    "2a020000051a3c001000000003000000f8887003e10ad211b42200a0c968f93914cc28483714bc459b07ad6f015e5f2801020000"
    "00000005200000002a020000051a3c001000000003000000f8887003e10ad211b42200a0c968f939ba7a96bfe60dd011a28500aa"
    "003049e20102000000000005200000002a020000051a380010000000030000006d9ec6b7c72cd211854e00a0c983f608867a96bf"
    "e60dd011a28500aa003049e20101000000000005090000000512380010000000030000006d9ec6b7c72cd211854e00a0c983f608"
    "9c7a96bfe60dd011a28500aa003049e2010100000000000509000000051a380010000000030000006d9ec6b7c72cd211854e00a0"
    "c983f608ba7a96bfe60dd011a28500aa003049e2010100000000000509000000051a2c00940002000200000014cc28483714bc45"
    "9b07ad6f015e5f280102000000000005200000002a02000005122c0094000200020000009c7a96bfe60dd011a28500aa003049e2"
    "0102000000000005200000002a020000051a2c009400020002000000ba7a96bfe60dd011a28500aa003049e20102000000000005"
    "200000002a020000051228003001000001000000de47e6916fd9704b9557d63ff4f3ccd801010000000000050a00000000122400"
    "ff010f0001050000000000051500000054a327d4f4a3af3c457d031f070200000012180004000000010200000000000520000000"
    "2a02000000121800bd010f0001020000000000052000000020020000"
)
SAMBA_DOMAIN = "S-1-5-21-3559367508-1018143732-520322373"


class TestSambaDescriptor:
    """A descriptor written by a real directory server, not by our builders."""

    def test_parse(self) -> None:
        """Owner, group and the 27 DACL entries Samba reports."""
        parsed = parse_security_descriptor(SAMBA_DOMAIN_ADMINS_SD)
        assert (parsed.owner_sid, parsed.group_sid) == (f"{SAMBA_DOMAIN}-512", f"{SAMBA_DOMAIN}-512")
        assert len(parsed.dacl) == 27
        assert not parsed.is_acl_protected
        last = parsed.dacl[-1]
        assert (last.trustee_sid, last.mask, last.is_inherited) == (
            "S-1-5-32-544",
            0xF01FF & ~0x42,
            True,
        )  # no DC (0x2), no DT (0x40)

    def test_rights(self) -> None:
        """Full control for DA, AO and EA; BA lacks DC and DT so gets WriteDacl, WriteOwner, GenericWrite."""
        rights = set(ace_rights(parse_security_descriptor(SAMBA_DOMAIN_ADMINS_SD), "group"))
        assert rights == {
            (f"{SAMBA_DOMAIN}-512", "Owns", False),
            (f"{SAMBA_DOMAIN}-512", "GenericAll", False),
            ("S-1-5-32-548", "GenericAll", False),
            (f"{SAMBA_DOMAIN}-519", "GenericAll", True),
            ("S-1-5-32-544", "WriteDacl", True),
            ("S-1-5-32-544", "WriteOwner", True),
            ("S-1-5-32-544", "GenericWrite", True),
        }
