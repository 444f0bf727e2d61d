"""The diff between two audits names what opened, closed or changed, and which findings are new or resolved."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hygie.engines._core import Severity
from hygie.engines.exposure.diff import diff_scans, tls_expiry
from hygie.engines.exposure.identify import new_service
from hygie.engines.exposure.judge import judge
from hygie.engines.exposure.model import Host, ScanResult, Service
from hygie.engines.exposure.registry import JudgeContext

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def audit(*hosts: Host) -> ScanResult:
    """A judged audit of ``hosts``."""
    result = ScanResult(started_at=NOW, finished_at=NOW, hosts=list(hosts))
    judge(result, JudgeContext(now=NOW))
    return result


def host(address: str, *services: Service) -> Host:
    """A host with ``services``."""
    return Host(address, services=list(services))


def web(version: str = "1.22.1", not_after: str = "2027-01-01T00:00:00+00:00") -> Service:
    """An nginx server on 443 with a certificate expiring at ``not_after``."""
    service = new_service(443)
    service.product, service.version = "nginx", version
    service.tls = {"certificate": {"not_after": not_after}}
    return service


class TestDiff:
    """Given two audits, the diff reports each kind of change once."""

    def test_identical_audits_are_empty(self) -> None:
        """The same audit twice gives an empty diff."""
        old = audit(host("192.0.2.10", web(), new_service(22)))
        new = audit(host("192.0.2.10", web(), new_service(22)))
        diff = diff_scans(old, new)
        assert diff.is_empty
        assert diff.to_dict()["is_empty"] is True

    def test_new_and_closed_services_and_findings(self) -> None:
        """RDP opened and SSH closed: new and closed services, a new and a resolved finding."""
        old = audit(host("192.0.2.10", web(), new_service(22)))
        new = audit(host("192.0.2.10", web(), new_service(3389)))
        diff = diff_scans(old, new)
        assert ["192.0.2.10:3389/tcp"] == [s.label for s in diff.new_services]
        assert ["192.0.2.10:22/tcp"] == [s.label for s in diff.closed_services]
        assert [("exposure.service_remote_access", Severity.CRITICAL)] == [
            (f.check_id, f.severity) for f in diff.new_findings if f.affected[0].identifier.endswith(":3389/tcp")
        ]
        assert ["192.0.2.10:22/tcp"] == sorted({f.affected[0].identifier for f in diff.resolved_findings})
        assert not diff.is_empty
        assert diff.score_after > diff.score_before

    def test_changed_product_version_and_certificate(self) -> None:
        """A new version and a renewed certificate on the same port are a changed service, not new/closed."""
        old = audit(host("192.0.2.10", web("1.22.1", "2026-12-01T00:00:00+00:00")))
        new = audit(host("192.0.2.10", web("1.24.0", "2027-12-01T00:00:00+00:00")))
        diff = diff_scans(old, new)
        assert [] == diff.new_services
        assert [] == diff.closed_services
        [change] = diff.changed_services
        assert {
            "version": ("1.22.1", "1.24.0"),
            "tls_not_after": ("2026-12-01T00:00:00+00:00", "2027-12-01T00:00:00+00:00"),
        } == change.changes

    def test_severity_change_is_a_changed_finding(self) -> None:
        """A finding whose severity changed (same fingerprint) is neither new nor resolved."""
        old_service = Service(3389, name="ssh", category=new_service(22).category)
        new_service_ = new_service(3389)
        diff = diff_scans(audit(host("192.0.2.10", old_service)), audit(host("192.0.2.10", new_service_)))
        changed = [(o.severity, n.severity) for o, n in diff.changed_findings if o.check_id.endswith("remote_access")]
        assert [(Severity.LOW, Severity.CRITICAL)] == changed
        assert [] == [f for f in diff.new_findings if f.check_id.endswith("remote_access")]
        assert {"name": ("ssh", "rdp")} == diff.changed_services[0].changes

    def test_hosts_in_numeric_order(self) -> None:
        """New services come in numeric address order (.9 before .10)."""
        diff = diff_scans(audit(), audit(host("192.0.2.10", new_service(22)), host("192.0.2.9", new_service(22))))
        assert ["192.0.2.9", "192.0.2.10"] == [s.address for s in diff.new_services]

    def test_to_dict_is_json(self) -> None:
        """The JSON form carries every list, findings with their target, and the scores."""
        old = audit(host("192.0.2.10", new_service(22)))
        new = audit(host("192.0.2.10", new_service(445)))
        data = json.loads(json.dumps(diff_scans(old, new).to_dict()))
        assert {
            "new_services",
            "closed_services",
            "changed_services",
            "new_findings",
            "resolved_findings",
            "changed_findings",
            "score",
            "is_empty",
        } == set(data)
        assert "192.0.2.10:445/tcp" == data["new_services"][0]["target"]
        assert "192.0.2.10:445/tcp" == data["new_findings"][0]["target"]
        assert data["score"]["after"] > data["score"]["before"] > 0


class TestTlsExpiry:
    """The certificate expiry is read from whichever shape the TLS observation has."""

    def test_shapes(self) -> None:
        """Certificate dict, flat, first of a chain, or nothing."""
        assert "a" == tls_expiry({"certificate": {"not_after": "a"}})
        assert "b" == tls_expiry({"not_after": "b"})
        assert "c" == tls_expiry({"chain": [{"not_after": "c"}, {"not_after": "z"}]})
        assert "" == tls_expiry(None)
        assert "" == tls_expiry({"certificate": "garbage"})
