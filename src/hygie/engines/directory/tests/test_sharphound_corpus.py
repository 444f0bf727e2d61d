"""Reading the real SharpHound collections of the corpus (SpecterOps example data and fixtures).

Expected figures are computed from the JSON with the standard library, or quoted from the files,
never copied from the reader's own output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from hygie.engines.directory.schema import TABLES
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot

PHANTOM_SID = "S-1-5-21-2697957641-2271029196-387917394"


def _entries(folder: Path, suffixes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every ``data`` entry of the files ending in ``_<suffix>.json`` (or named ``<suffix>.json``)."""
    entries: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        if path.stem.rsplit("_", 1)[-1] in suffixes:
            entries.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return entries


def _row(frame: pl.DataFrame, **where: object) -> dict[str, Any]:
    rows = frame.filter(**where).to_dicts()
    assert 1 == len(rows), where
    return rows[0]


class TestExampleDataFolder:
    """The three-domain example collection read from its folder."""

    def test_one_row_per_distinct_object(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # Some principals are written twice (a full record and a stub, built-in groups in each
        # domain's file): the snapshot holds each object identifier once.
        folder = bloodhound_corpus / "ad_example_data"
        for table, suffixes in [
            ("principals", ("users", "groups", "computers")),
            ("domains", ("domains",)),
            ("gpos", ("gpos",)),
            ("ous", ("ous",)),
            ("containers", ("containers",)),
            ("cert_templates", ("certtemplates",)),
            ("cert_authorities", ("enterprisecas", "rootcas", "aiacas", "ntauthstores")),
        ]:
            expected = {entry["ObjectIdentifier"].upper() for entry in _entries(folder, suffixes)}
            assert expected == set(example.table(table).get_column("object_id")), table

    def test_principal_kinds(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        folder = bloodhound_corpus / "ad_example_data"
        computers = {entry["ObjectIdentifier"] for entry in _entries(folder, ("computers",))}
        actual = set(example.principals.filter(kind="Computer").get_column("object_id"))
        assert computers == actual

    def test_three_domains_and_their_levels(self, example: Snapshot) -> None:
        # 20240305110018_domains.json: "functionallevel": "2016" for PHANTOM.CORP.
        assert {"PHANTOM.CORP", "GHOST.CORP", "WRAITH.CORP"} == set(example.domains.get_column("name"))
        assert "2016" == _row(example.domains, name="PHANTOM.CORP")["functional_level"]

    def test_trusts(self, example: Snapshot) -> None:
        # PHANTOM.CORP trusts: GHOST.CORP ParentChild without SID filtering, WRAITH.CORP External with it.
        trusts = example.trusts.filter(source_sid=PHANTOM_SID)
        ghost = _row(trusts, target_name="GHOST.CORP")
        wraith = _row(trusts, target_name="WRAITH.CORP")
        assert ("ParentChild", "Bidirectional", False) == (
            ghost["trust_type"],
            ghost["direction"],
            ghost["sid_filtering_enabled"],
        )
        assert ("External", True) == (wraith["trust_type"], wraith["sid_filtering_enabled"])

    def test_kerberoastable_and_asrep_users(self, example: Snapshot) -> None:
        # 20240305110018_users.json: SVC_KERB_DEL has "serviceprincipalnames": ["test/test2"];
        # NOPREAUTH has "dontreqpreauth": true.
        kerberoastable = _row(example.principals, name="SVC_KERB_DEL@PHANTOM.CORP")
        assert (["test/test2"], "User", True) == (
            kerberoastable["spns"],
            kerberoastable["kind"],
            kerberoastable["enabled"],
        )
        assert True is _row(example.principals, name="NOPREAUTH@PHANTOM.CORP")["dontreqpreauth"]

    def test_krbtgt_properties(self, example: Snapshot) -> None:
        # The first user of 20240305110018_users.json: krbtgt, disabled, admincount, pwdlastset 1692274242.
        krbtgt = _row(example.principals, object_id=f"{PHANTOM_SID}-502")
        assert ("KRBTGT@PHANTOM.CORP", False, True, 1692274242, -1) == (
            krbtgt["name"],
            krbtgt["enabled"],
            krbtgt["admincount"],
            krbtgt["pwdlastset"],
            krbtgt["lastlogontimestamp"],
        )

    def test_membership_edges_match_members_lists(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        folder = bloodhound_corpus / "ad_example_data"
        expected = {
            (member["ObjectIdentifier"].upper(), group["ObjectIdentifier"].upper())
            for group in _entries(folder, ("groups",))
            for member in group["Members"]
        }
        member_of = example.edges.filter(kind="MemberOf").select("source", "target").rows()
        assert expected <= set(member_of)

    def test_ace_edges_keep_inheritance(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        # The first container of 20240305110018_containers.json is SOM, with a non-inherited
        # GenericAll from Enterprise Admins (-519).
        som = _row(example.containers, name="SOM@PHANTOM.CORP")["object_id"]
        edge = _row(example.edges, source=f"{PHANTOM_SID}-519", target=som, kind="GenericAll")
        assert False is edge["is_inherited"]

    def test_gpo_links_and_containment(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        folder = bloodhound_corpus / "ad_example_data"
        links = {
            (link["GUID"].upper(), holder["ObjectIdentifier"].upper(), link["IsEnforced"])
            for holder in _entries(folder, ("domains", "ous"))
            for link in holder["Links"]
        }
        actual = set(example.edges.filter(kind="GPLink").select("source", "target", "enforced").rows())
        assert links == actual
        # The OU "USERS@PHANTOM.CORP" (51FB8637-...) is "ContainedBy" the OU 79583BC0-....
        contains = example.edges.filter(kind="Contains", target="51FB8637-28BC-4816-9A51-984160B207FA")
        assert ["79583BC0-65A5-49A3-8FCB-9EF814445913"] == contains.get_column("source").to_list()

    def test_count_mismatch_is_a_warning(self, example: Snapshot) -> None:
        # 20240305110018_users.json declares "count": 49 but holds 53 entries.
        assert any("20240305110018_users.json" in line and "49" in line and "53" in line for line in example.warnings)


class TestExampleDataZip:
    """The zip of the same collection gives the same tables as the folder."""

    def test_same_tables_as_folder(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        zipped = read_sharphound(bloodhound_corpus / "ad_example_data.zip")
        for table in TABLES:
            assert example.table(table).equals(zipped.table(table)), table
        assert len(example.warnings) == len(zipped.warnings)


class TestFixtures:
    """BloodHound's own v5 and v6 ingest fixtures, whose ``meta`` blocks are deliberately odd."""

    @pytest.mark.parametrize("version", ["v5", "v6"])
    def test_objects_read_despite_odd_meta(self, bloodhound_corpus: Path, version: str) -> None:
        folder = bloodhound_corpus / "fixtures" / version / "ingest"
        snapshot = read_sharphound(folder)
        expected = {entry["ObjectIdentifier"].upper() for entry in _entries(folder, ("users", "groups", "computers"))}
        assert expected == set(snapshot.principals.get_column("object_id"))
        # Every file declares "count": 0 (or 5) while holding entries.
        assert any("users.json: 'meta' count is 0" in line for line in snapshot.warnings)

    def test_v5_missing_version_and_extra_field_are_warnings(self, bloodhound_corpus: Path) -> None:
        # v5 containers.json has no "version"; gpos.json has an extra "gpos": 5 field.
        snapshot = read_sharphound(bloodhound_corpus / "fixtures" / "v5" / "ingest")
        assert any(line.startswith("containers.json: 'meta' has no 'version'") for line in snapshot.warnings)
        assert any(line.startswith("gpos.json: unexpected 'meta' fields ignored: gpos") for line in snapshot.warnings)
        assert 23 == snapshot.containers.height

    def test_sessions_and_local_admins(self, bloodhound_corpus: Path) -> None:
        # v5 sessions.json: computer ...-1104 has a session of user ...-2117; computers.json: the
        # local Administrators group (...-1104-544) of ...-1104 holds Domain Admins (...-512).
        sid = "S-1-5-21-3130019616-2776909439-2417379446"
        edges = read_sharphound(bloodhound_corpus / "fixtures" / "v5" / "ingest").edges
        assert 1 == edges.filter(source=f"{sid}-1104", target=f"{sid}-2117", kind="HasSession").height
        assert 1 == edges.filter(source=f"{sid}-512", target=f"{sid}-1104", kind="AdminTo").height

    def test_adcs_collection(self, bloodhound_corpus: Path) -> None:
        folder = bloodhound_corpus / "fixtures" / "v6" / "all"
        snapshot = read_sharphound(folder)
        templates = {entry["ObjectIdentifier"].upper() for entry in _entries(folder, ("certtemplates",))}
        assert templates == set(snapshot.cert_templates.get_column("object_id"))
        published = snapshot.edges.filter(kind="PublishedTo")
        enterprise = _entries(folder, ("enterprisecas",))
        expected = {
            (template["ObjectIdentifier"].upper(), ca["ObjectIdentifier"].upper())
            for ca in enterprise
            for template in ca["EnabledCertTemplates"]
        }
        assert expected == set(published.select("source", "target").rows())
