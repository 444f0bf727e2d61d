"""The judgement turns exposed services into findings, the score and the map; KEV entries into priorities."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.engines._core import CheckSpec, Finding, ReferenceKind, Severity
from hygie.engines.exposure.cves import CveCatalogue
from hygie.engines.exposure.identify import new_service
from hygie.engines.exposure.judge import judge, sort_findings
from hygie.engines.exposure.kev import KevCatalogue, KevEntry
from hygie.engines.exposure.model import Category, Host, ScanResult, Service, host_object, service_object
from hygie.engines.exposure.registry import CHECKS, KINDS, CheckKind, JudgeContext
from hygie.engines.exposure.score import exposure_map, exposure_score

if TYPE_CHECKING:
    from hygie.engines.exposure.model import DomainReport

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MINE = (
    "exposure.service_remote_access",
    "exposure.service_file_sharing",
    "exposure.service_database",
    "exposure.service_medical",
    "exposure.service_admin_interface",
    "exposure.service_directory",
    "exposure.service_cleartext",
    "exposure.kev_product",
    "exposure.service_vulnerable_version",
)
FORTIOS_724 = "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"


def scan(*hosts: Host) -> ScanResult:
    """A scan result holding ``hosts``."""
    return ScanResult(started_at=NOW, finished_at=NOW, hosts=list(hosts))


def host(address: str, *ports: int) -> Host:
    """A host with services on ``ports``, named and categorised from the catalogue like the scanner does."""
    return Host(address, services=[new_service(port) for port in ports])


def findings_of(result: ScanResult, check_id: str) -> list[Finding]:
    """The findings of ``check_id``."""
    return [f for f in result.findings if f.check_id == check_id]


def severity_of(result: ScanResult, check_id: str, target: str) -> Severity | None:
    """The severity of ``check_id``'s finding on ``target`` (None when absent)."""
    found = [f for f in findings_of(result, check_id) if f.affected[0].identifier == target]
    return found[0].severity if found else None


def kev_entry(cve: str, *, product: str = "FortiOS", ransomware: str = "Unknown") -> KevEntry:
    """A FortiOS KEV entry."""
    return KevEntry(
        cve_id=cve,
        vendor_project="Fortinet",
        product=product,
        name=f"Fortinet {product} vulnerability",
        date_added=date(2024, 10, 9),
        due_date=date(2024, 10, 30),
        ransomware=ransomware,
        short_description="...",
        required_action="Apply mitigations per vendor instructions.",
    )


def nvd_fortios(cve: str, end_including: str) -> dict[str, object]:
    """An NVD record saying FortiOS 7.2.0 up to ``end_including`` is affected by ``cve``."""
    match = {
        "vulnerable": True,
        "criteria": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
        "versionStartIncluding": "7.2.0",
        "versionEndIncluding": end_including,
    }
    return {"cve": {"id": cve, "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [match]}]}]}}


class TestRegistration:
    """My checks are registered with both titles, a remediation and a service kind."""

    @pytest.mark.parametrize("check_id", MINE)
    def test_registered(self, check_id: str) -> None:
        """Each check is a service check with an English and a French title."""
        spec = CHECKS[check_id]
        assert CheckKind.SERVICE == KINDS[check_id]
        assert spec.title_en.strip()
        assert spec.title_fr.strip()
        assert spec.title_en != spec.title_fr


@pytest.fixture(scope="module")
def judged() -> ScanResult:
    """One host exposing a little of everything, judged without KEV."""
    ports = (22, 23, 3389, 5900, 5938, 445, 2049, 21, 69, 3306, 6379, 104, 2575, 2375, 6443, 9100, 623, 389, 88)
    result = scan(host("192.0.2.10", *ports, 443))
    judge(result, JudgeContext(now=NOW))
    return result


class TestExposedServices:
    """Given the catalogue's services on an Internet address, the category checks name them with severities."""

    @pytest.mark.parametrize(
        ("check_id", "port", "severity"),
        [
            ("exposure.service_remote_access", 3389, Severity.CRITICAL),
            ("exposure.service_remote_access", 5900, Severity.HIGH),
            ("exposure.service_remote_access", 23, Severity.HIGH),
            ("exposure.service_remote_access", 5938, Severity.MEDIUM),
            ("exposure.service_remote_access", 22, Severity.LOW),
            ("exposure.service_file_sharing", 445, Severity.CRITICAL),
            ("exposure.service_file_sharing", 2049, Severity.HIGH),
            ("exposure.service_file_sharing", 69, Severity.HIGH),
            ("exposure.service_file_sharing", 21, Severity.MEDIUM),
            ("exposure.service_database", 3306, Severity.HIGH),
            ("exposure.service_database", 6379, Severity.HIGH),
            ("exposure.service_medical", 104, Severity.HIGH),
            ("exposure.service_medical", 2575, Severity.CRITICAL),
            ("exposure.service_admin_interface", 2375, Severity.CRITICAL),
            ("exposure.service_admin_interface", 6443, Severity.HIGH),
            ("exposure.service_admin_interface", 623, Severity.HIGH),
            ("exposure.service_admin_interface", 9100, Severity.MEDIUM),
            ("exposure.service_directory", 389, Severity.HIGH),
            ("exposure.service_directory", 88, Severity.HIGH),
            ("exposure.service_cleartext", 23, Severity.HIGH),
            ("exposure.service_cleartext", 21, Severity.MEDIUM),
            ("exposure.service_cleartext", 2575, Severity.HIGH),
            ("exposure.service_cleartext", 389, Severity.MEDIUM),
        ],
    )
    def test_severity(self, judged: ScanResult, check_id: str, port: int, severity: Severity) -> None:
        """The service's finding has the severity its exposure deserves."""
        assert severity == severity_of(judged, check_id, f"192.0.2.10:{port}/tcp")

    def test_plain_web_is_not_a_finding(self, judged: ScanResult) -> None:
        """HTTPS on 443 is what a hospital is expected to publish: none of these checks names it."""
        assert [] == [f for f in judged.findings if f.affected[0].identifier == "192.0.2.10:443/tcp"]

    def test_evidence_and_remediation(self, judged: ScanResult) -> None:
        """A finding says which service, on which port, what usually runs there, and what to do."""
        finding = findings_of(judged, "exposure.service_file_sharing")[0]
        assert "192.0.2.10:445/tcp" == finding.affected[0].identifier
        assert {"port": 445, "service": "smb", "usual_service": "SMB", "category": "file_sharing"}.items() <= (
            finding.evidence.items()
        )
        assert "firewall" in finding.remediation

    def test_category_decides_not_port(self) -> None:
        """SSH found on port 443 is judged as remote access (its category), TLS on a DB port is not clear text."""
        moved = Service(443, name="ssh", category=Category.REMOTE_ACCESS)
        ldaps = Service(389, name="ldap", category=Category.DIRECTORY, tls={"version": "TLSv1.3"})
        result = scan(Host("192.0.2.11", services=[moved, ldaps]))
        judge(result, JudgeContext(now=NOW))
        assert Severity.LOW == severity_of(result, "exposure.service_remote_access", "192.0.2.11:443/tcp")
        assert severity_of(result, "exposure.service_cleartext", "192.0.2.11:389/tcp") is None

    def test_findings_sorted_worst_first(self, judged: ScanResult) -> None:
        """The findings come worst first, then by check id."""
        keys = [(-f.severity, f.check_id) for f in judged.findings]
        assert sorted(keys) == keys


class TestKevProduct:
    """An edge device with KEV entries: critical when proven affected or used by ransomware, high otherwise."""

    def fortigate(self, **fields: str) -> ScanResult:
        """A FortiGate SSL VPN portal on 10443."""
        service = new_service(10443)
        service.product = "FortiOS"
        for key, value in fields.items():
            setattr(service, key, value)
        return scan(Host("192.0.2.20", services=[service]))

    def test_version_unknown_is_high_with_verify_wording(self) -> None:
        """Without a version the finding is high and asks to verify the version."""
        result = self.fortigate()
        judge(result, JudgeContext(now=NOW, kev=KevCatalogue([kev_entry("CVE-2024-23113")])))
        [finding] = findings_of(result, "exposure.kev_product")
        assert Severity.HIGH == finding.severity
        assert finding.remediation.startswith("Verify the version of FortiOS")
        assert ["CVE-2024-23113"] == finding.evidence["cve_ids"]
        assert finding.evidence["version_known"] is False
        entry = finding.evidence["entries"][0]
        assert ("2024-10-09", "Unknown", None) == (entry["date_added"], entry["ransomware"], entry["affected"])
        assert "Apply mitigations per vendor instructions." == entry["required_action"]
        assert any(r.kind is ReferenceKind.CVE and r.id == "CVE-2024-23113" for r in finding.references)

    def test_known_ransomware_is_critical(self) -> None:
        """An entry used by ransomware makes the finding critical even without a version."""
        result = self.fortigate()
        kev = KevCatalogue([kev_entry("CVE-2024-21762", ransomware="Known")])
        judge(result, JudgeContext(now=NOW, kev=kev))
        [finding] = findings_of(result, "exposure.kev_product")
        assert Severity.CRITICAL == finding.severity
        assert ["CVE-2024-21762"] == finding.evidence["ransomware_cve_ids"]

    def test_version_affected_is_critical(self) -> None:
        """A known version inside the CVE's ranges is critical and named as affected."""
        result = self.fortigate(cpe=FORTIOS_724, version="7.2.4")
        cves = CveCatalogue()
        cves.add(nvd_fortios("CVE-2024-23113", "7.2.6"))
        judge(result, JudgeContext(now=NOW, kev=KevCatalogue([kev_entry("CVE-2024-23113")]), extra={"cves": cves}))
        [finding] = findings_of(result, "exposure.kev_product")
        assert Severity.CRITICAL == finding.severity
        assert ["CVE-2024-23113"] == finding.evidence["affected_cve_ids"]
        assert "is affected by CVE-2024-23113" in finding.remediation

    def test_version_not_affected_drops_the_entry(self) -> None:
        """A version the CVE data proves unaffected is left out; with nothing left, no finding."""
        result = self.fortigate(cpe=FORTIOS_724, version="7.2.4")
        cves = CveCatalogue()
        cves.add(nvd_fortios("CVE-2024-23113", "7.2.3"))
        kev = KevCatalogue([kev_entry("CVE-2024-23113"), kev_entry("CVE-2022-42475")])
        judge(result, JudgeContext(now=NOW, kev=kev, extra={"cves": cves}))
        [finding] = findings_of(result, "exposure.kev_product")
        assert ["CVE-2022-42475"] == finding.evidence["cve_ids"]
        assert ["CVE-2024-23113"] == finding.evidence["not_affected_cve_ids"]
        judge(result, JudgeContext(now=NOW, kev=KevCatalogue([kev_entry("CVE-2024-23113")]), extra={"cves": cves}))
        assert [] == findings_of(result, "exposure.kev_product")

    def test_no_catalogue_no_match(self) -> None:
        """Without a KEV catalogue, or for a product KEV does not list, no KEV finding."""
        result = self.fortigate()
        judge(result, JudgeContext(now=NOW))
        assert [] == findings_of(result, "exposure.kev_product")
        result = self.fortigate(product="FortiWeb")
        judge(result, JudgeContext(now=NOW, kev=KevCatalogue([kev_entry("CVE-2024-23113")])))
        assert [] == findings_of(result, "exposure.kev_product")


class TestVulnerableVersion:
    """A product version inside CVE ranges, outside KEV, is reported once."""

    def test_affected_version(self) -> None:
        """CVEs affecting the version are listed; those in KEV are left to the KEV check."""
        service = new_service(10443)
        service.cpe, service.product, service.version = FORTIOS_724, "FortiOS", "7.2.4"
        result = scan(Host("192.0.2.21", services=[service]))
        cves = CveCatalogue()
        cves.add(nvd_fortios("CVE-2024-23113", "7.2.6"))
        cves.add(nvd_fortios("CVE-2023-99999", "7.2.5"))
        cves.add(nvd_fortios("CVE-2023-88888", "7.2.3"))
        kev = KevCatalogue([kev_entry("CVE-2024-23113")])
        judge(result, JudgeContext(now=NOW, kev=kev, extra={"cves": cves}))
        [finding] = findings_of(result, "exposure.service_vulnerable_version")
        assert ["CVE-2023-99999"] == finding.evidence["cve_ids"]
        assert Severity.HIGH == finding.severity
        judge(result, JudgeContext(now=NOW, kev=kev))
        assert [] == findings_of(result, "exposure.service_vulnerable_version")


class TestJudge:
    """The judge runs every kind of check, deduplicates, sorts and scores."""

    def test_score_set_and_nothing_exposed_is_zero(self) -> None:
        """An empty result scores 0; a judged exposure scores more."""
        empty = scan()
        judge(empty, JudgeContext(now=NOW))
        assert 0 == empty.score
        assert [] == empty.findings
        exposed = scan(host("192.0.2.10", 3389))
        judge(exposed, JudgeContext(now=NOW))
        assert exposure_score(exposed) == exposed.score
        assert exposed.score > 40

    def test_dedup_keeps_worst(self) -> None:
        """Two findings with one fingerprint are one, the worst kept."""
        target = service_object("192.0.2.1", Service(22))
        low = Finding("exposure.service_remote_access", "t", Severity.LOW, (target,))
        high = Finding("exposure.service_remote_access", "t", Severity.HIGH, (target,))
        other = Finding("exposure.service_database", "t", Severity.MEDIUM, (host_object("192.0.2.1"),))
        assert [high, other] == sort_findings([low, other, high])

    def test_scan_and_domain_checks_run(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A scan check runs once on the result, a domain check once per domain report."""
        calls: list[str] = []

        def on_scan(result: ScanResult, context: JudgeContext) -> list[Finding]:
            calls.append("scan")
            return []

        def on_domain(report: DomainReport, context: JudgeContext) -> list[Finding]:
            calls.append(report.domain)
            return []

        for check_id, impl, kind in (
            ("exposure.test_scan", on_scan, CheckKind.SCAN),
            ("exposure.test_domain", on_domain, CheckKind.DOMAIN),
        ):
            monkeypatch.setitem(CHECKS._checks, check_id, CheckSpec(check_id, "t", "t", Severity.LOW, impl))
            monkeypatch.setitem(KINDS, check_id, kind)
        from hygie.engines.exposure.model import DomainReport

        result = scan()
        result.domains = [DomainReport("chu-exemple.fr"), DomainReport("ght-exemple.fr")]
        judge(result, JudgeContext(now=NOW))
        assert ["scan", "chu-exemple.fr", "ght-exemple.fr"] == sorted(calls, key=lambda c: c != "scan")

    def test_a_raising_check_is_not_silenced(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A check that raises is a bug: the error propagates, naming the check."""

        def broken(host: Host, service: Service, context: JudgeContext) -> list[Finding]:
            raise KeyError("details")

        spec = CheckSpec("exposure.test_broken", "t", "t", Severity.LOW, broken)
        monkeypatch.setitem(CHECKS._checks, "exposure.test_broken", spec)
        monkeypatch.setitem(KINDS, "exposure.test_broken", CheckKind.SERVICE)
        with pytest.raises(KeyError) as caught:
            judge(scan(host("192.0.2.10", 22)), JudgeContext(now=NOW))
        assert ["raised by the exposure check 'exposure.test_broken'"] == caught.value.__notes__


class TestScore:
    """The score grows with exposure, never shrinks when something is added, and stays within 0-100."""

    @settings(max_examples=60, deadline=None)
    @given(
        severities=st.lists(st.sampled_from(list(Severity)), max_size=40),
        extra=st.sampled_from(list(Severity)),
        categories=st.lists(st.sampled_from(list(Category)), max_size=20),
    )
    def test_monotonic(self, severities: list[Severity], extra: Severity, categories: list[Category]) -> None:
        """Adding a finding (or a service) never lowers the score."""
        services = [Service(1000 + i, category=c) for i, c in enumerate(categories)]
        result = scan(Host("192.0.2.30", services=services))
        result.findings = [Finding("exposure.x", "t", s, (host_object(f"h{i}"),)) for i, s in enumerate(severities)]
        before = exposure_score(result)
        result.findings.append(Finding("exposure.x", "t", extra, (host_object("extra"),)))
        assert before <= exposure_score(result) <= 100
        result.hosts[0].services.append(Service(9, category=Category.OTHER))
        assert before <= exposure_score(result)

    def test_diminishing_returns(self) -> None:
        """Ten critical findings score more than one, but far less than ten times as much."""
        one, ten = scan(), scan()
        one.findings = [Finding("exposure.x", "t", Severity.CRITICAL, (host_object("a"),))]
        ten.findings = [Finding("exposure.x", "t", Severity.CRITICAL, (host_object(str(i)),)) for i in range(10)]
        assert 40 < exposure_score(one) < exposure_score(ten) <= 100


class TestMap:
    """The map groups exposed services by category with their worst finding."""

    def test_map(self) -> None:
        """Services land under their category, in address order, with the worst severity found."""
        result = scan(host("192.0.2.10", 445, 21), host("192.0.2.9", 3389, 443))
        judge(result, JudgeContext(now=NOW))
        mapped = exposure_map(result)
        assert ["remote_access", "file_sharing", "web"] == list(mapped)
        ftp = next(s for s in mapped["file_sharing"] if s["port"] == 21)
        assert ("medium", 2) == (ftp["worst_severity"], ftp["findings"])
        assert [("192.0.2.10", 21), ("192.0.2.10", 445)] == [(s["address"], s["port"]) for s in mapped["file_sharing"]]
        assert mapped["web"][0]["worst_severity"] is None


class TestWithCorpus:
    """CISA's real catalogue and NVD's real record, end to end."""

    def test_fortigate_724_is_critical(self) -> None:
        """A FortiGate announcing FortiOS 7.2.4 is critical: CVE-2024-23113 (KEV) covers 7.2.0-7.2.6."""
        from hygie.engines.exposure.tests.test_kev import KEV_DIR, NVD_DIR, corpus_file

        kev = KevCatalogue.load(corpus_file(KEV_DIR / "known_exploited_vulnerabilities.json"))
        cves = CveCatalogue.load(corpus_file(NVD_DIR / "deptrack_cve-2024-23113.json"))
        service = new_service(10443)
        service.cpe, service.product, service.version = FORTIOS_724, "FortiOS", "7.2.4"
        result = scan(Host("192.0.2.40", services=[service]))
        judge(result, JudgeContext(now=NOW, kev=kev, extra={"cves": cves}))
        [finding] = findings_of(result, "exposure.kev_product")
        assert Severity.CRITICAL == finding.severity
        assert ["CVE-2024-23113"] == finding.evidence["affected_cve_ids"]
        assert len(finding.evidence["cve_ids"]) > 10
        assert result.findings[0] == finding
