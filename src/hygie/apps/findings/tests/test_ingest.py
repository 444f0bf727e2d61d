"""Ingestion of engine runs: create, update, reopen, close, idempotence and speed."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hygie.apps.accounts.models import AuditEvent
from hygie.apps.findings.ingest import ingest, parse_findings
from hygie.apps.findings.models import Finding, FindingStatus
from hygie.apps.findings.tests.factories import engine_finding
from hygie.apps.inventory.models import Asset
from hygie.engines._core import AffectedObject, Severity
from hygie.engines._core import Finding as EngineFinding

S = FindingStatus


class TestIngest:
    """One run upserts by (node, check, fingerprint) and closes what it no longer sees."""

    def test_first_run_creates_open_findings(self, tenants: Any) -> None:
        """Two new findings are created open, with a creation event each and one audit event."""
        result = ingest(tenants.hospital_a, "directory", [engine_finding("alice"), engine_finding("bob")])
        assert (2, 0, 0, 0) == (result.created, result.updated, result.reopened, result.closed)
        assert {S.OPEN} == set(Finding.objects.values_list("status", flat=True))
        assert 2 == Finding.objects.filter(events__to_status=S.OPEN).count()
        assert 1 == AuditEvent.objects.filter(action="ingest").count()

    def test_rerun_is_idempotent(self, tenants: Any) -> None:
        """The same run twice updates, creates nothing."""
        run = [engine_finding("alice"), engine_finding("bob")]
        ingest(tenants.hospital_a, "directory", run)
        result = ingest(tenants.hospital_a, "directory", run)
        assert (0, 2, 0, 0) == (result.created, result.updated, result.reopened, result.closed)
        assert 2 == Finding.objects.count()

    def test_update_severity_and_title(self, tenants: Any) -> None:
        """A finding seen again takes the run's severity and evidence."""
        ingest(tenants.hospital_a, "directory", [engine_finding("alice")])
        ingest(tenants.hospital_a, "directory", [engine_finding("alice", severity=Severity.CRITICAL,
                                                                evidence={"days": 400})])
        finding = Finding.objects.get()
        assert (int(Severity.CRITICAL), {"days": 400}) == (finding.severity, finding.evidence)

    def test_missing_closes_as_fixed_but_keeps_accepted(self, tenants: Any) -> None:
        """Not seen: open -> fixed with an event; a risk accepted stays accepted."""
        ingest(tenants.hospital_a, "directory", [engine_finding("alice"), engine_finding("bob")])
        Finding.objects.filter(title__endswith="bob").update(status=S.RISK_ACCEPTED)
        result = ingest(tenants.hospital_a, "directory", [])
        assert 1 == result.closed
        alice = Finding.objects.get(title__endswith="alice")
        assert (S.FIXED, True) == (alice.status, alice.closed_at is not None)
        assert S.FIXED == alice.events.first().to_status
        assert S.RISK_ACCEPTED == Finding.objects.get(title__endswith="bob").status

    def test_fixed_seen_again_reopens(self, tenants: Any) -> None:
        """A fixed finding seen again reopens, with an event."""
        ingest(tenants.hospital_a, "directory", [engine_finding("alice")])
        ingest(tenants.hospital_a, "directory", [])
        result = ingest(tenants.hospital_a, "directory", [engine_finding("alice")])
        finding = Finding.objects.get()
        assert (1, S.OPEN, None) == (result.reopened, finding.status, finding.closed_at)
        assert [S.OPEN, S.FIXED, S.OPEN] == list(finding.events.order_by("id").values_list("to_status", flat=True))

    def test_other_source_and_node_untouched(self, tenants: Any) -> None:
        """A run closes only its own source on its own node."""
        ingest(tenants.hospital_a, "exposure", [engine_finding("x", check_id="exposure.open_rdp")])
        ingest(tenants.hospital_b, "directory", [engine_finding("y")])
        ingest(tenants.hospital_a, "directory", [])
        assert {S.OPEN} == set(Finding.objects.values_list("status", flat=True))

    def test_links_asset_by_ip_or_name(self, tenants: Any) -> None:
        """An affected object naming an asset of the subtree (by IP or name) links it."""
        asset = Asset.objects.create(node=tenants.site_a, name="SRV-PACS", kind="server",
                                     ip_addresses=["10.0.0.5"])
        ingest(tenants.hospital_a, "exposure", [
            EngineFinding(check_id="exposure.open_rdp", title="RDP open", severity=Severity.HIGH,
                          affected=(AffectedObject("host", "10.0.0.5"),)),
            engine_finding("srv-pacs", check_id="exposure.smb"),
        ])
        assert [asset.pk, asset.pk] == list(Finding.objects.order_by("check_id").values_list("asset_id", flat=True))

    def test_bad_source_refused(self, tenants: Any) -> None:
        """A source that is not a lower-case name is refused."""
        with pytest.raises(ValueError, match="source"):
            ingest(tenants.hospital_a, "Bad Source!", [])


class TestParseFindings:
    """Engine findings from JSON, with the index of the first bad one."""

    def test_malformed_item_named(self) -> None:
        """The reason names the item."""
        good = engine_finding("alice").to_dict()
        with pytest.raises(ValueError, match="#1"):
            parse_findings([good, {"check_id": "nope"}])

    def test_not_a_list(self) -> None:
        """A JSON object instead of a list is refused."""
        with pytest.raises(ValueError, match="list"):
            parse_findings({"check_id": "a.b"})


class TestIngestSpeed:
    """A large run stays bulk: few queries, seconds not minutes."""

    def test_five_thousand_findings(self, tenants: Any, django_assert_max_num_queries: Any) -> None:
        """5,000 new then 5,000 seen again (half changed): batched queries, not one per row."""
        run = [engine_finding(f"user{i}") for i in range(5000)]
        started = time.perf_counter()
        with django_assert_max_num_queries(500):
            ingest(tenants.hospital_a, "directory", run)
        rerun = [engine_finding(f"user{i}", severity=Severity.HIGH if i % 2 else Severity.MEDIUM)
                 for i in range(5000)]
        with django_assert_max_num_queries(500):
            result = ingest(tenants.hospital_a, "directory", rerun)
        elapsed = time.perf_counter() - started
        assert (0, 5000) == (result.created, result.updated)
        assert elapsed < 30


class TestHostileInput:
    """NUL characters (refused by PostgreSQL) are refused before anything is stored."""

    def test_nul_in_evidence_refused(self) -> None:
        """A NUL hidden in nested evidence names the finding."""
        data = engine_finding("alice", evidence={"raw": ["ok", "bad\x00"]}).to_dict()
        with pytest.raises(ValueError, match="#0"):
            parse_findings([data])

    def test_nul_in_comment_refused(self, tenants: Any) -> None:
        """A workflow comment with NUL is a validation error."""
        from django.core.exceptions import ValidationError

        from hygie.apps.findings.tests.factories import stored_finding
        from hygie.apps.findings.workflow import change_finding

        finding = stored_finding(tenants.hospital_a)
        with pytest.raises(ValidationError):
            change_finding(finding, actor=None, comment="x\x00y")
