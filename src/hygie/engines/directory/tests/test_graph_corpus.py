"""Tier 0 and attack paths on the real SharpHound collections of the corpus.

Expectations are derived from the JSON with the standard library (group ``Members`` lists,
``Aces``, template properties), never copied from the engine's own output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hygie.engines.directory.graph import AttackPaths, attack_paths
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tier0 import tier0_principals


def _records(folder: Path, suffix: str) -> list[dict[str, Any]]:
    """Every ``data`` entry of the files of ``folder`` named ``*_<suffix>.json`` or ``<suffix>.json``."""
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        if path.stem.rsplit("_", 1)[-1] == suffix:
            records.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return records


def _transitive_members(groups: list[dict[str, Any]], root: str) -> set[str]:
    """Members of ``root`` at any depth, following the ``Members`` lists of the group records."""
    members = {
        group["ObjectIdentifier"].upper(): {m["ObjectIdentifier"].upper() for m in group.get("Members") or []}
        for group in groups
    }
    seen: set[str] = set()
    pending = [root]
    while pending:
        for member in members.get(pending.pop(), set()) - seen:
            seen.add(member)
            pending.append(member)
    return seen


def _path(result: AttackPaths, source: str) -> tuple[list[str], list[str]]:
    path = next(p for p in result.paths if p.nodes[0].id == source)
    return [node.id for node in path.nodes], list(path.edges)


@pytest.fixture(scope="module")
def example_paths(example: Snapshot) -> AttackPaths:
    """Attack paths of the example collection, computed once for the module."""
    return attack_paths(example)


class TestExampleData:
    """The three-domain example collection."""

    def test_nested_domain_admins_are_tier0(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        folder = bloodhound_corpus / "ad_example_data"
        groups = _records(folder, "groups")
        known = {
            r["ObjectIdentifier"].upper() for kind in ("users", "groups", "computers") for r in _records(folder, kind)
        }
        tier0 = set(tier0_principals(example)["object_id"])
        admins = [g["ObjectIdentifier"].upper() for g in groups if g["ObjectIdentifier"].endswith("-512")]
        assert 3 == len(set(admins))  # one Domain Admins per domain
        for group in admins:
            expected = _transitive_members(groups, group) & known
            assert expected, group
            assert expected <= tier0, group

    def test_krbtgt_accounts_are_tier0(self, bloodhound_corpus: Path, example: Snapshot) -> None:
        users = _records(bloodhound_corpus / "ad_example_data", "users")
        krbtgt = {u["ObjectIdentifier"].upper() for u in users if u["ObjectIdentifier"].endswith("-502")}
        assert 3 == len(krbtgt)
        assert krbtgt <= set(tier0_principals(example)["object_id"])

    def test_add_member_on_domain_admins_is_a_one_hop_path(
        self, bloodhound_corpus: Path, example_paths: AttackPaths
    ) -> None:
        # groups.json: an enabled user holds AddMember on DOMAIN ADMINS@PHANTOM.CORP without being in it.
        folder = bloodhound_corpus / "ad_example_data"
        groups = _records(folder, "groups")
        enabled = {u["ObjectIdentifier"].upper() for u in _records(folder, "users") if u["Properties"].get("enabled")}
        domain_admins = next(g for g in groups if g["Properties"].get("name") == "DOMAIN ADMINS@PHANTOM.CORP")
        da_id = domain_admins["ObjectIdentifier"].upper()
        holders = {
            ace["PrincipalSID"].upper()
            for ace in domain_admins["Aces"]
            if ace["RightName"] == "AddMember" and ace["PrincipalType"] == "User"
        }
        candidates = (holders & enabled) - _transitive_members(groups, da_id)
        assert candidates
        for user in candidates:
            nodes, edges = _path(example_paths, user)
            assert 2 == len(nodes), (user, nodes, edges)  # one hop: nothing can be shorter

    def test_counts_are_consistent(self, example_paths: AttackPaths) -> None:
        assert example_paths.principals_with_path == (
            example_paths.users_with_path + example_paths.computers_with_path + example_paths.groups_with_path
        )
        assert example_paths.principals_with_path == len(example_paths.paths)
        assert all(fix.principals_disconnected >= 0 for fix in example_paths.cut)


class TestEsc1Fixture:
    """``fixtures/v6/all``: the ESC1 lab domain."""

    @pytest.fixture
    def folder(self, bloodhound_corpus: Path) -> Path:
        """The fixture collection's folder."""
        return bloodhound_corpus / "fixtures" / "v6" / "all"

    def test_enrolment_on_esc1_template_is_a_path(self, folder: Path) -> None:
        published = {
            t["ObjectIdentifier"].upper()
            for ca in _records(folder, "enterprisecas")
            for t in ca.get("EnabledCertTemplates") or []
        }
        esc1 = [
            t
            for t in _records(folder, "certtemplates")
            if t["Properties"].get("enrolleesuppliessubject")
            and t["Properties"].get("authenticationenabled")
            and not t["Properties"].get("requiresmanagerapproval")
            and not t["Properties"].get("authorizedsignatures")
            and t["ObjectIdentifier"].upper() in published
            and t["Properties"]["name"] == "ESC1@ESC1.LOCAL"
        ]
        assert 1 == len(esc1)
        template = esc1[0]["ObjectIdentifier"].upper()
        davis = next(u for u in _records(folder, "users") if u["Properties"]["name"] == "DAVIS@ESC1.LOCAL")
        assert davis["Properties"]["enabled"]
        assert any(
            ace["PrincipalSID"] == davis["ObjectIdentifier"] and ace["RightName"] == "Enroll" for ace in esc1[0]["Aces"]
        )
        result = attack_paths(read_sharphound(folder))
        assert ([davis["ObjectIdentifier"].upper(), template], ["Enroll"]) == _path(
            result, davis["ObjectIdentifier"].upper()
        )

    def test_builtin_administrator_and_krbtgt(self, folder: Path) -> None:
        users = {u["ObjectIdentifier"].upper(): u["Properties"]["name"] for u in _records(folder, "users")}
        tier0 = dict(tier0_principals(read_sharphound(folder)).select("object_id", "via").iter_rows())
        for user_id, name in users.items():
            if user_id.endswith(("-500", "-502")):
                assert user_id in tier0, name
