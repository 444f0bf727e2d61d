"""LDIF exports (RFC 2849) read into the same snapshot as the entries they hold."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.ldap_entries import snapshot_from_entries
from hygie.engines.directory.ldif import read_ldif
from hygie.engines.directory.schema import TABLES
from hygie.engines.directory.tests.ldap_fixture import BASE, DOMAIN_SID, entries, write_ldif

# Lines an export holds, to combine at random (valid, truncated and hostile ones).
_PIECES = [
    "version: 1",
    "",
    f"dn: {BASE}",
    "objectClass: domainDNS",
    "objectSid:: AQQAAAAAAAUVAAAAbwAAAN4AAABNAQAA",
    "objectSid:: AQQAAAAAAAUV",
    "nTSecurityDescriptor:: AQAEgBQAAAA=",
    "objectGUID:: AAEC",
    " folded",
    "# comment",
    "changetype: add",
    "changetype: modify",
    "member: CN=x,DC=corp,DC=local",
    "userAccountControl: 512",
    "userAccountControl: x",
    "whenCreated: 2022",
    "gPLink: [LDAP://cn=x;z]",
    "objectClass: user",
]


def _write(tmp_path: Path, text: str, *, newline: str = "\n") -> Path:
    path = tmp_path / "export.ldif"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


class TestReadLdif:
    """Well-formed exports."""

    @pytest.mark.parametrize("newline", ["\n", "\r\n"])
    def test_same_tables_as_the_entries(self, tmp_path: Path, newline: str) -> None:
        """Binary SIDs/GUIDs/SDs as base64, folded lines, CRLF: every table equals the direct result."""
        path = _write(tmp_path, write_ldif(entries()), newline=newline)
        expected = snapshot_from_entries(entries())
        actual = read_ldif(path)
        for name in TABLES:
            assert actual.table(name).equals(expected.table(name)), name
        assert actual.counts()["principals"] == 7
        assert actual.warnings == ("export.ldif: 1 group members outside the collected entries were left out",)

    def test_ldifde_changetype_add(self, tmp_path: Path) -> None:
        """Each ldifde record says 'changetype: add': still a content record."""
        path = _write(tmp_path, write_ldif(entries(), changetype=True, header=False))
        assert read_ldif(path).domains["object_id"].to_list() == [DOMAIN_SID]

    def test_ldapsearch_trailer_and_comments(self, tmp_path: Path) -> None:
        """Output of ldapsearch -L ends with 'search:'/'result:'; comments, even folded, are skipped."""
        text = write_ldif(entries()) + "# search result\n# a folded\n  comment\nsearch: 2\nresult: 0 Success\n"
        assert read_ldif(_write(tmp_path, text)).domains.height == 1

    def test_folded_base64_value(self, tmp_path: Path) -> None:
        """A base64 value folded in the middle is joined before decoding (objectSid of the domain)."""
        text = write_ldif(entries())
        assert "objectsid:: AQQAAAAAAAUVAAAAbwAAAN4AAABNAQAA" in text  # unfolded here: checked as written
        folded = text.replace(
            "objectsid:: AQQAAAAAAAUVAAAAbwAAAN4AAABNAQAA", "objectsid:: AQQAAAAAAAUV\n AAAAbwAAAN4AAABNAQAA"
        )
        assert read_ldif(_write(tmp_path, folded)).domains["object_id"].to_list() == [DOMAIN_SID]


class TestBadLdif:
    """Refused input names the file and line."""

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (f"dn: {BASE}\nchangetype: modify\nreplace: description\n", r"export.ldif:2: change record \(modify\)"),
            (f"dn: {BASE}\ndescription:< file:///etc/passwd\n", r"export.ldif:2: URL values"),
            (f"dn: {BASE}\nobjectsid:: not*base64\n", r"export.ldif:2: invalid base64"),
            (f"dn: {BASE}\nthis line has no colon\n", r"export.ldif:2: expected 'attribute: value'"),
            (" folded first\n", r"export.ldif:1: continuation line"),
            ("objectclass: top\n", r"export.ldif:1: a record must start with 'dn:'"),
            ("# only a comment\n", r"export.ldif: no LDIF entry"),
            (f"dn: {BASE}\nobjectclass: top\n", r"export.ldif: no domain object"),
        ],
    )
    def test_refused(self, tmp_path: Path, text: str, message: str) -> None:
        """Each malformed file raises CollectionError with its position."""
        with pytest.raises(CollectionError, match=message):
            read_ldif(_write(tmp_path, text))

    def test_not_utf8(self, tmp_path: Path) -> None:
        """Binary garbage is refused at its line."""
        path = tmp_path / "export.ldif"
        path.write_bytes(b"version: 1\n\ndn: \xff\xfe\n")
        with pytest.raises(CollectionError, match=r"export.ldif:3: not UTF-8"):
            read_ldif(path)

    def test_corrupt_descriptor_points_at_the_entry(self, tmp_path: Path) -> None:
        """A truncated nTSecurityDescriptor is reported at the line where its entry starts."""
        items = entries()
        dn, attrs = items[5]
        items[5] = (dn, {**attrs, "ntsecuritydescriptor": [bytes(attrs["ntsecuritydescriptor"][0])[:30]]})
        text = write_ldif(items)
        line = text.splitlines().index(f"dn: {dn}") + 1
        with pytest.raises(CollectionError, match=rf"export.ldif:{line}: entry 'CN=Alice.*offset"):
            read_ldif(_write(tmp_path, text))

    def test_size_limit_and_missing_file(self, tmp_path: Path) -> None:
        """Oversized files are refused before reading; a missing file is a CollectionError."""
        path = _write(tmp_path, write_ldif(entries()))
        with pytest.raises(CollectionError, match="more than the 100-byte limit"):
            read_ldif(path, max_file_bytes=100)
        with pytest.raises(CollectionError, match=r"missing\.ldif"):
            read_ldif(tmp_path / "missing.ldif")


class TestFuzz:
    """Whatever the bytes, the reader returns a snapshot or raises CollectionError."""

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=20), max_size=30), st.binary(max_size=40))
    def test_random_files(self, tmp_path: Path, pieces: list[str], tail: bytes) -> None:
        """Random mixes of plausible LDIF lines and random bytes never escape as another exception."""
        path = tmp_path / "fuzz.ldif"
        path.write_bytes("\n".join(pieces).encode("utf-8") + tail)
        with contextlib.suppress(CollectionError):
            read_ldif(path)
