"""ANSSI level capping and per-category risk scores."""

from __future__ import annotations

from hygie.engines.directory.scoring import anssi_level, category_scores


class TestAnssiLevel:
    """A failed check evaluated at level N caps the level at N-1; no failure gives 5."""

    def test_levels(self) -> None:
        """No failure: 5; a level-2 control: 1; a level-3 control: 2; the worst one wins."""
        assert 5 == anssi_level([])
        assert 1 == anssi_level(["directory.krbtgt_password_old"])
        assert 2 == anssi_level(["directory.sid_history"])
        assert 1 == anssi_level(["directory.sid_history", "directory.privileged_kerberoastable"])


class TestCategoryScores:
    """Severity weights add up per category and stop at 100."""

    def test_sum_and_cap(self) -> None:
        """Two criticals and two highs in privileged accounts: 40+40+20+20 capped at 100."""
        failed = [
            "directory.privileged_kerberoastable",
            "directory.privileged_asrep_roastable",
            "directory.privileged_password_old",
            "directory.privileged_password_never_expires",
        ]
        scores = category_scores(failed)
        assert 100 == scores["privileged_accounts"]
        assert 0 == scores["trusts"]
        assert 10 == category_scores(["directory.dormant_accounts"])["stale_objects"]
