"""The Tier-0 set: well-known groups, nested members, role accounts and control objects."""

from __future__ import annotations

import polars as pl

from hygie.engines.directory.checks.common import privileged_principals
from hygie.engines.directory.schema import SCHEMAS
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.tests.directory_builders import DOMAIN_SID, principal, snapshot
from hygie.engines.directory.tier0 import tier0_groups, tier0_objects, tier0_principals


def _sid(rid: int) -> str:
    return f"{DOMAIN_SID}-{rid}"


def _nested() -> Snapshot:
    """Domain Admins (512) <- group 1100 <- group 1101 <- user 1200; user 1201 in an unrelated group."""
    rows = [
        principal(512, kind="Group", name="DOMAIN ADMINS@LAB.LOCAL"),
        principal(1100, kind="Group"),
        principal(1101, kind="Group"),
        principal(1102, kind="Group"),
        principal(1200),
        principal(1201),
        principal(502, name="KRBTGT@LAB.LOCAL", enabled=False),
        principal(500, name="ADMINISTRATOR@LAB.LOCAL"),
        principal(1000, kind="Computer", is_dc=True),
        principal(1001, kind="Computer", is_dc=False),
    ]
    return snapshot(rows, member_of=[(1100, 512), (1101, 1100), (1200, 1101), (1201, 1102)])


class TestTier0Groups:
    """Seed groups by RID, plus groups nested in them."""

    def test_nested_groups_are_tier0(self) -> None:
        assert {_sid(512), _sid(1100), _sid(1101)} == set(tier0_groups(_nested())["object_id"])

    def test_builtin_groups_match_by_builtin_sid_only_for_their_rids(self) -> None:
        rows = [
            principal(0, object_id="LAB.LOCAL-S-1-5-32-544", kind="Group"),
            principal(0, object_id="LAB.LOCAL-S-1-5-32-545", kind="Group"),  # Users: not Tier 0
            principal(0, object_id=f"{DOMAIN_SID}-513", kind="Group"),  # Domain Users: not Tier 0
            principal(0, object_id=f"{DOMAIN_SID}-1512", kind="Group"),  # RID ends in 512 but is not 512
        ]
        assert ["LAB.LOCAL-S-1-5-32-544"] == tier0_groups(snapshot(rows))["object_id"].to_list()

    def test_dnsadmins_by_name(self) -> None:
        rows = [principal(1101, kind="Group", name="DNSADMINS@LAB.LOCAL", sam_account_name="DnsAdmins")]
        assert [_sid(1101)] == tier0_groups(snapshot(rows))["object_id"].to_list()

    def test_membership_cycles_terminate(self) -> None:
        rows = [principal(512, kind="Group"), principal(1100, kind="Group"), principal(1101, kind="Group")]
        cyclic = snapshot(rows, member_of=[(1100, 512), (1101, 1100), (1100, 1101), (512, 1101)])
        assert {_sid(512), _sid(1100), _sid(1101)} == set(tier0_groups(cyclic)["object_id"])


class TestTier0Principals:
    """Members at any depth, DCs, krbtgt and the built-in Administrator, each with why."""

    def test_members_and_roles(self) -> None:
        actual = dict(tier0_principals(_nested()).select("object_id", "via").iter_rows())
        assert {_sid(512), _sid(1100), _sid(1101), _sid(1200), _sid(502), _sid(500), _sid(1000)} == set(actual)
        assert "DOMAIN ADMINS@LAB.LOCAL" == actual[_sid(1200)]  # three levels deep, still via Domain Admins
        assert "krbtgt account" == actual[_sid(502)]
        assert "built-in Administrator" == actual[_sid(500)]
        assert "domain controller" == actual[_sid(1000)]
        assert actual[_sid(512)].startswith("well-known Tier-0 group")

    def test_privileged_principals_follow_nesting(self) -> None:
        # User 1200 has no adminCount and no direct membership: only nesting makes it privileged.
        assert _sid(1200) in set(privileged_principals(_nested())["object_id"])
        assert _sid(1201) not in set(privileged_principals(_nested())["object_id"])

    def test_empty_snapshot(self) -> None:
        assert tier0_principals(Snapshot()).is_empty()
        assert tier0_objects(Snapshot()).is_empty()


class TestTier0Objects:
    """Control objects: domain root, AdminSDHolder, DC OU and the GPOs linked to them, PKI."""

    def test_control_objects(self) -> None:
        base = _nested()
        domain_id = DOMAIN_SID
        dc_ou, other_ou, holder = "OU-DC", "OU-OTHER", "CN-HOLDER"
        domains = pl.DataFrame(
            [{"object_id": domain_id, "name": "LAB.LOCAL", "distinguished_name": "DC=LAB,DC=LOCAL"}],
            schema=SCHEMAS["domains"],
        )
        ous = pl.DataFrame(
            [
                {"object_id": dc_ou, "name": "DCS", "distinguished_name": "OU=SERVERS T0,DC=LAB,DC=LOCAL"},
                {"object_id": other_ou, "name": "WS", "distinguished_name": "OU=WORKSTATIONS,DC=LAB,DC=LOCAL"},
            ],
            schema=SCHEMAS["ous"],
        )
        containers = pl.DataFrame(
            [{"object_id": holder, "name": "H", "distinguished_name": "CN=AdminSDHolder,CN=System,DC=LAB,DC=LOCAL"}],
            schema=SCHEMAS["containers"],
        )
        gpos = pl.DataFrame([{"object_id": f"GPO-{n}", "name": f"G{n}"} for n in (1, 2, 3)], schema=SCHEMAS["gpos"])
        extra = pl.DataFrame(
            [
                {"source": dc_ou, "target": _sid(1000), "kind": "Contains"},  # the DC sits in OU-DC
                {"source": other_ou, "target": _sid(1001), "kind": "Contains"},
                {"source": "GPO-1", "target": domain_id, "kind": "GPLink"},
                {"source": "GPO-2", "target": dc_ou, "kind": "GPLink"},
                {"source": "GPO-3", "target": other_ou, "kind": "GPLink"},
            ],
            schema=SCHEMAS["edges"],
        )
        snap = Snapshot(
            principals=base.principals,
            domains=domains,
            ous=ous,
            containers=containers,
            gpos=gpos,
            edges=pl.concat([base.edges, extra]),
        )
        objects = dict(tier0_objects(snap).select("object_id", "reason").iter_rows())
        assert "domain root" == objects[domain_id]
        assert "AdminSDHolder" == objects[holder]
        assert "OU containing domain controllers" == objects[dc_ou]
        assert {"GPO-1", "GPO-2"} <= set(objects)
        assert "GPO-3" not in objects  # linked only to an OU without DC
        assert other_ou not in objects
        assert _sid(1200) in objects  # Tier-0 principals are Tier-0 objects too
        assert _sid(1201) not in objects
