"""Each directory check fires on a crafted weakness and stays silent on the healthy counterpart."""

from __future__ import annotations

from datetime import UTC, datetime

from hygie.engines.directory.audit import audit
from hygie.engines.directory.registry import CHECKS
from hygie.engines.directory.tests.directory_builders import principal, snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_S = int(NOW.timestamp())
YEAR_S = 365 * 86400


def fired(check_id: str, snap: object) -> list[str]:
    """Identifiers of the objects ``check_id`` names on ``snap``."""
    return [obj.identifier for f in CHECKS[check_id].implementation(snap, NOW) for obj in f.affected]  # type: ignore[arg-type]


class TestPrivilegedChecks:
    """Privileged = adminCount or direct member of a Tier-0 group (by RID)."""

    def test_kerberoastable_admin_fires_via_domain_admins(self) -> None:
        """A Domain Admins member with an SPN is named; the same account outside the group is not."""
        rows = [principal(512, kind="Group"), principal(1001, has_spn=True), principal(1002, has_spn=True)]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.privileged_kerberoastable", snapshot(rows, [(1001, 512)]))

    def test_kerberoastable_silent_without_spn(self) -> None:
        """An admin without an SPN is not kerberoastable."""
        assert [] == fired("directory.privileged_kerberoastable", snapshot([principal(1001, admincount=True)]))

    def test_asrep_fires_and_stays_silent(self) -> None:
        """Dontreqpreauth on an admin fires; on a disabled admin it does not."""
        rows = [
            principal(1001, admincount=True, dontreqpreauth=True),
            principal(1002, admincount=True, dontreqpreauth=True, enabled=False),
        ]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.privileged_asrep_roastable", snapshot(rows))

    def test_never_expires(self) -> None:
        """Pwdneverexpires fires for an admin, not for a plain user."""
        rows = [principal(1001, admincount=True, pwdneverexpires=True), principal(1002, pwdneverexpires=True)]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.privileged_password_never_expires", snapshot(rows))

    def test_old_password(self) -> None:
        """Four years old fires, two years old does not, 'never set' (-1) does not."""
        rows = [
            principal(1001, admincount=True, pwdlastset=NOW_S - 4 * YEAR_S),
            principal(1002, admincount=True, pwdlastset=NOW_S - 2 * YEAR_S),
            principal(1003, admincount=True, pwdlastset=-1),
        ]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.privileged_password_old", snapshot(rows))


class TestStaleChecks:
    """krbtgt age, dormant accounts, unconstrained delegation, SID history."""

    def test_krbtgt(self) -> None:
        """Krbtgt set two years ago fires; set a month ago stays silent."""
        assert ["S-1-5-21-1-2-3-502"] == fired(
            "directory.krbtgt_password_old", snapshot([principal(502, pwdlastset=NOW_S - 2 * YEAR_S)])
        )
        assert [] == fired("directory.krbtgt_password_old", snapshot([principal(502, pwdlastset=NOW_S - 30 * 86400)]))

    def test_dormant(self) -> None:
        """Last logon a year ago fires; last logon yesterday and disabled accounts do not."""
        rows = [
            principal(1001, lastlogontimestamp=NOW_S - YEAR_S),
            principal(1002, lastlogon=NOW_S - 86400, lastlogontimestamp=NOW_S - YEAR_S),
            principal(1003, lastlogontimestamp=NOW_S - YEAR_S, enabled=False),
        ]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.dormant_accounts", snapshot(rows))

    def test_unconstrained_delegation_excludes_dcs(self) -> None:
        """A server with unconstrained delegation fires; a DC with it does not."""
        rows = [
            principal(1001, kind="Computer", unconstraineddelegation=True, is_dc=False),
            principal(1002, kind="Computer", unconstraineddelegation=True, is_dc=True),
        ]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.unconstrained_delegation", snapshot(rows))

    def test_sid_history(self) -> None:
        """A principal with a SID history fires; one without does not."""
        rows = [principal(1001, sidhistory=["S-1-5-21-9-9-9-1000"]), principal(1002)]
        assert ["S-1-5-21-1-2-3-1001"] == fired("directory.sid_history", snapshot(rows))


class TestAudit:
    """audit() runs every check, caps the level and scores categories."""

    def test_clean_snapshot_is_level_5_score_0(self) -> None:
        """Nothing fails: level 5, score 0, no findings."""
        result = audit(snapshot([principal(1001)]), now=NOW)
        assert (5, 0, ()) == (result.level, result.score, result.findings)

    def test_level_1_failure_caps_at_1_and_json_shape(self) -> None:
        """A kerberoastable admin (level-1 control, critical) gives level 1 and 40 in privileged accounts."""
        # In Protected Users (RID 525), so that being kerberoastable is its only weakness.
        rows = [principal(1001, admincount=True, has_spn=True), principal(525, kind="Group")]
        result = audit(snapshot(rows, [(1001, 525)]), now=NOW)
        data = result.to_dict()
        assert 1 == data["level"]
        assert 40 == data["score"] == data["categories"]["privileged_accounts"]
        assert ["vuln_spn_priv"] == data["findings"][0]["anssi"]
        assert "S-1-5-21-1-2-3-1001" == data["findings"][0]["objects"][0]["identifier"]

    def test_level_3_failure_caps_at_2(self) -> None:
        """Only a SID history (level-3 control) fails: level 2."""
        assert 2 == audit(snapshot([principal(1001, sidhistory=["S-1-5-21-9-9-9-1000"])]), now=NOW).level
