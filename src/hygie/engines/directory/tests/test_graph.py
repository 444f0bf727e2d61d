"""Attack graph on hand-built snapshots whose paths and best cut are known by construction."""

from __future__ import annotations

from typing import Any

import polars as pl

from hygie.engines.directory.audit import audit
from hygie.engines.directory.graph import AttackPaths, attack_paths
from hygie.engines.directory.schema import SCHEMAS
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, principal

DA = 512


def _sid(rid: int) -> str:
    return f"{DOMAIN_SID}-{rid}"


def _build(
    rows: list[dict[str, Any]], edges: list[tuple[str, str, str]], ous: list[dict[str, Any]] | None = None
) -> Snapshot:
    """A snapshot of ``rows`` (plus Domain Admins) with (source, target, kind) ``edges``, a domain, ``ous``."""
    return Snapshot(
        principals=pl.DataFrame(
            [principal(DA, kind="Group", name="DOMAIN ADMINS@LAB.LOCAL"), *rows], schema=SCHEMAS["principals"]
        ),
        edges=pl.DataFrame([{"source": s, "target": t, "kind": k} for s, t, k in edges], schema=SCHEMAS["edges"]),
        domains=pl.DataFrame([{"object_id": DOMAIN_SID, "name": "LAB.LOCAL"}], schema=SCHEMAS["domains"]),
        ous=pl.DataFrame(ous or [], schema=SCHEMAS["ous"]),
    )


def _path_of(result: AttackPaths, rid: int) -> tuple[list[str], list[str]]:
    path = next(p for p in result.paths if p.nodes[0].id == _sid(rid))
    return [node.id for node in path.nodes], list(path.edges)


def _bottleneck() -> Snapshot:
    """Users 1001-1003 in group 1100, which has GenericAll on admin 1200 (a Domain Admin)."""
    rows = [
        principal(1001),
        principal(1002),
        principal(1003),
        principal(1100, kind="Group", name="HELPDESK@LAB.LOCAL"),
        principal(1200, name="ADMIN@LAB.LOCAL"),
        principal(1300),  # no path at all
    ]
    edges = [
        (_sid(1001), _sid(1100), "MemberOf"),
        (_sid(1002), _sid(1100), "MemberOf"),
        (_sid(1003), _sid(1100), "MemberOf"),
        (_sid(1100), _sid(1200), "GenericAll"),
        (_sid(1200), _sid(DA), "MemberOf"),
    ]
    return _build(rows, edges)


class TestReachability:
    """Who reaches Tier 0, through which shortest path."""

    def test_counts_and_paths(self) -> None:
        result = attack_paths(_bottleneck())
        # 1001-1003 and the group itself; 1200 is Tier 0 (member of Domain Admins), 1300 has no edge.
        assert (4, 3, 0) == (result.principals_with_path, result.users_with_path, result.computers_with_path)
        assert ([_sid(1001), _sid(1100), _sid(1200)], ["MemberOf", "GenericAll"]) == _path_of(result, 1001)
        assert ([_sid(1100), _sid(1200)], ["GenericAll"]) == _path_of(result, 1100)

    def test_shortest_path_is_chosen(self) -> None:
        # 1001 also has a direct ForceChangePassword on the admin: one hop beats two.
        snap = _bottleneck()
        extra = pl.DataFrame(
            [{"source": _sid(1001), "target": _sid(1200), "kind": "ForceChangePassword"}], schema=SCHEMAS["edges"]
        )
        result = attack_paths(
            Snapshot(principals=snap.principals, domains=snap.domains, edges=pl.concat([snap.edges, extra]))
        )
        assert ([_sid(1001), _sid(1200)], ["ForceChangePassword"]) == _path_of(result, 1001)

    def test_disabled_accounts_start_no_path(self) -> None:
        rows = [principal(1001, enabled=False), principal(1002)]
        edges = [(_sid(1001), _sid(DA), "AddMember"), (_sid(1002), _sid(DA), "AddSelf")]
        result = attack_paths(_build(rows, edges))
        assert 1 == result.users_with_path
        assert [_sid(1002)] == [p.nodes[0].id for p in result.paths]

    def test_session_on_a_computer_exposes_the_admin(self) -> None:
        # Computer 1500 holds a session of admin 1200: taking the computer yields the admin.
        rows = [principal(1200), principal(1500, kind="Computer")]
        edges = [(_sid(1200), _sid(DA), "MemberOf"), (_sid(1500), _sid(1200), "HasSession")]
        result = attack_paths(_build(rows, edges))
        assert 1 == result.computers_with_path
        assert ([_sid(1500), _sid(1200)], ["HasSession"]) == _path_of(result, 1500)

    def test_container_control_stops_at_protected_children(self) -> None:
        # GenericAll on an OU reaches children through inheritance, except a child whose ACL is
        # protected (admin 1201, as SDProp leaves it); admin 1200 inherits.
        rows = [principal(1001), principal(1002), principal(1200), principal(1201, is_acl_protected=True)]
        edges = [
            (_sid(1200), _sid(DA), "MemberOf"),
            (_sid(1201), _sid(DA), "MemberOf"),
            (_sid(1001), "OU-1", "GenericAll"),
            ("OU-1", _sid(1200), "Contains"),
            (_sid(1002), "OU-2", "GenericAll"),
            ("OU-2", _sid(1201), "Contains"),
        ]
        ous = [{"object_id": "OU-1", "name": "A"}, {"object_id": "OU-2", "name": "B"}]
        result = attack_paths(_build(rows, edges, ous=ous))
        assert [_sid(1001)] == [p.nodes[0].id for p in result.paths]
        assert ([_sid(1001), "OU-1", _sid(1200)], ["GenericAll", "Contains"]) == _path_of(result, 1001)

    def test_non_control_rights_are_not_paths(self) -> None:
        rows = [principal(1001)]
        edges = [(_sid(1001), _sid(DA), "ReadProperty"), (_sid(1001), _sid(DA), "CanRDP")]
        assert 0 == attack_paths(_build(rows, edges)).principals_with_path


class TestDCSync:
    """Replication needs both GetChanges and GetChangesAll on the domain, directly or through groups."""

    def test_both_rights_needed(self) -> None:
        rows = [
            principal(1001),
            principal(1002),
            principal(1003),
            principal(1101, kind="Group"),
            principal(1102, kind="Group"),
        ]
        edges = [
            (_sid(1001), DOMAIN_SID, "GetChanges"),  # one right only: no path
            (_sid(1002), DOMAIN_SID, "GetChanges"),
            (_sid(1002), DOMAIN_SID, "GetChangesAll"),
            (_sid(1101), DOMAIN_SID, "GetChanges"),  # 1003 gets one right from each group
            (_sid(1102), DOMAIN_SID, "GetChangesAll"),
            (_sid(1003), _sid(1101), "MemberOf"),
            (_sid(1003), _sid(1102), "MemberOf"),
        ]
        result = attack_paths(_build(rows, edges))
        assert {_sid(1002), _sid(1003)} == {p.nodes[0].id for p in result.paths}
        assert ([_sid(1002), DOMAIN_SID], ["DCSync"]) == _path_of(result, 1002)
        assert ([_sid(1003), DOMAIN_SID], ["DCSync"]) == _path_of(result, 1003)


class TestCut:
    """The greedy cut: the bottleneck first, only fixable edges, plain-language fixes."""

    def test_bottleneck_is_the_first_fix(self) -> None:
        result = attack_paths(_bottleneck())
        first = result.cut[0]
        assert (_sid(1100), _sid(1200), ("GenericAll",)) == (first.source.id, first.target.id, first.kinds)
        assert (4, 4) == (first.principals_disconnected, first.paths_closed)
        assert "remove GenericAll of HELPDESK@LAB.LOCAL on ADMIN@LAB.LOCAL" == first.text
        assert 1 == len(result.cut)  # nothing left to disconnect afterwards

    def test_structural_edges_are_never_fixes(self) -> None:
        # 1001 -GenericAll-> OU -Contains-> admin; computer 1500 -primary group-> 515 -GenericAll-> admin.
        rows = [
            principal(1001),
            principal(1200),
            principal(515, kind="Group", name="DOMAIN COMPUTERS@LAB.LOCAL"),
            principal(1500, kind="Computer", primary_group_sid=_sid(515)),
        ]
        edges = [
            (_sid(1200), _sid(DA), "MemberOf"),
            (_sid(1001), "OU-1", "GenericAll"),
            ("OU-1", _sid(1200), "Contains"),
            (_sid(1500), _sid(515), "MemberOf"),
            (_sid(515), _sid(1200), "GenericAll"),
        ]
        ous = [{"object_id": "OU-1", "name": "STAFF@LAB.LOCAL"}]
        result = attack_paths(_build(rows, edges, ous=ous))
        assert ([_sid(1500), _sid(515), _sid(1200)], ["PrimaryGroup", "GenericAll"]) == _path_of(result, 1500)
        fixes = {(fix.source.id, fix.target.id) for fix in result.cut}
        assert {(_sid(1001), "OU-1"), (_sid(515), _sid(1200))} == fixes
        assert all(not {"Contains", "PrimaryGroup"} & set(fix.kinds) for fix in result.cut)

    def test_max_cut_bounds_the_fixes(self) -> None:
        rows = [principal(1001 + n) for n in range(5)]
        edges = [(_sid(1001 + n), _sid(DA), "AddMember") for n in range(5)]
        assert 2 == len(attack_paths(_build(rows, edges), max_cut=2).cut)
        cut = attack_paths(_build(rows, edges)).cut
        assert [1, 2, 3, 4, 5] == [fix.cumulative_disconnected for fix in cut]

    def test_empty_snapshot(self) -> None:
        result = attack_paths(Snapshot())
        assert (0, 0, (), ()) == (result.tier0_count, result.principals_with_path, result.paths, result.cut)


class TestAuditIntegration:
    """The audit carries the attack paths unless told not to."""

    def test_in_audit_json(self) -> None:
        data = audit(_bottleneck()).to_dict()["attack_paths"]
        assert 4 == data["principals_with_path"]
        assert "remove GenericAll of HELPDESK@LAB.LOCAL on ADMIN@LAB.LOCAL" == data["cut"][0]["fix"]
        assert {"source", "target", "kind", "source_name", "target_name", "fix"} <= set(data["cut"][0])

    def test_skipped(self) -> None:
        assert audit(_bottleneck(), attack_paths=False).attack_paths is None
