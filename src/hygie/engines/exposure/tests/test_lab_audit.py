"""The whole audit on the whole lab: what nmap finds open we find, we name every service, every planted weakness shows.

Every server of the lab families runs (web, remote access, data and medical, DNS); the audit is a
real ``run_audit`` through the perimeter, compared with Debian's ``nmap -sT`` on the same ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from defusedxml import ElementTree

from hygie.engines.exposure.audit import AuditRequest, run_audit
from hygie.engines.exposure.kev import KevCatalogue
from hygie.engines.exposure.model import ScanResult, finding_target, service_label
from hygie.engines.exposure.perimeter import Perimeter
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.ports import parse_ports
from hygie.engines.exposure.tests.lab_dns import DnsLab
from hygie.engines.exposure.tests.lab_web import WebLab
from hygie.engines.exposure.tests.netlab import LabServer, NetLab

pytestmark = pytest.mark.lab

#: The hospital port list plus the lab's alternate ports (SSH on 2222, a second MariaDB on 3307).
PORTS = parse_ports("hospital,2222,3307")
KEV_FILE = (
    Path(os.environ.get("HYGIE_CORPUS", "../shared/corpus")) / "vulnwatch/kev/known_exploited_vulnerabilities.json"
)


@pytest.fixture(scope="module")
def lab_servers(  # noqa: PLR0917 - one fixture per lab server family
    netlab: NetLab,
    web_lab: WebLab,
    dns_lab: DnsLab,
    remote_ssh_weak: LabServer,
    remote_ssh_strong: LabServer,
    remote_ftp_anonymous: LabServer,
    remote_ftp_tls: LabServer,
    remote_rdp_negotiate: LabServer,
    remote_rdp_tls: LabServer,
    remote_smb_v1: LabServer,
    remote_smb_signed: LabServer,
    lab_dicom: LabServer,
    lab_dicom_strict: LabServer,
    lab_mllp: LabServer,
    lab_postgres_trust: LabServer,
    lab_postgres_scram: LabServer,
    lab_mariadb_open: LabServer,
    lab_mariadb_locked: LabServer,
    lab_redis_open: LabServer,
    lab_redis_auth: LabServer,
    lab_memcached: LabServer,
) -> list[str]:
    """Start every lab server; the addresses they listen on, in order."""
    addresses = {site.address for site in web_lab.sites} | {dns_lab.address}
    addresses |= {server.address for server in locals().values() if isinstance(server, LabServer)}
    return sorted(addresses, key=lambda text: tuple(int(part) for part in text.split(".")))


@pytest.fixture(scope="module")
def audit(netlab: NetLab, lab_servers: list[str], dns_lab: DnsLab) -> ScanResult:
    """One audit of every lab address that runs a server, plus the two lab domains and a declared name."""
    perimeter = Perimeter.parse(
        [str(netlab.network), "*.chu-lab.test", "*.ght-lab.test"],
        exclusions=[netlab.address(1)],
        authorised_by="RSSI du GHT de test",
        valid_until=datetime.now(tz=UTC) + timedelta(hours=2),
    )
    kev = KevCatalogue.load(KEV_FILE) if KEV_FILE.is_file() else None
    request = AuditRequest(
        targets=(*lab_servers, "vpn.chu-lab.test"),
        domains=("chu-lab.test", "ght-lab.test"),
        ports=PORTS,
        policy=ScanPolicy(rate=3000, host_concurrency=4, connect_timeout=1.0, retries=0, probe_timeout=8.0),
        resolver=dns_lab.resolver,
    )
    return run_audit(request, perimeter=perimeter, kev=kev)


def _nmap_open(addresses: list[str]) -> set[tuple[str, int]]:
    """Open TCP ports as Debian's nmap connect scan reports them on the same ports."""
    nmap = shutil.which("nmap")
    if nmap is None:
        pytest.skip("nmap (Debian package nmap) is needed to compare discovery")
    ports = ",".join(str(port) for port in PORTS)
    output = subprocess.run(  # noqa: S603 - fixed arguments, lab addresses only
        [nmap, "-sT", "-T4", "-n", "-Pn", "-p", ports, "-oX", "-", *addresses],
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    found = set()
    for host in ElementTree.fromstring(output).iter("host"):
        address = host.find("address").get("addr")  # type: ignore[union-attr]
        for port in host.iter("port"):
            if port.find("state").get("state") == "open":  # type: ignore[union-attr]
                found.add((str(address), int(port.get("portid") or 0)))
    return found


def test_every_port_nmap_finds_open_is_found(lab_servers: list[str], audit: ScanResult) -> None:
    """Every port nmap finds open is found."""
    ours = {(host.address, service.port) for host in audit.hosts for service in host.services}
    assert ours == _nmap_open(lab_servers)


def test_every_service_is_identified(audit: ScanResult) -> None:
    """Every service is identified."""
    unnamed = [
        service_label(host.address, service.port)
        for host in audit.hosts
        for service in host.services
        if not service.name or not (service.details or service.tls)
    ]
    assert unnamed == []


def _findings(audit: ScanResult) -> set[tuple[str, str]]:
    return {(finding.check_id, finding_target(finding)) for finding in audit.findings}


@pytest.mark.parametrize(
    ("index", "port", "check_id"),
    [
        (10, 443, "exposure.tls_certificate_expired"),
        (10, 443, "exposure.tls_untrusted_certificate"),
        (10, 443, "exposure.tls_weak_key"),
        (10, 443, "exposure.tls_legacy_protocol"),
        (11, 443, "exposure.edge_device_exposed"),
        (11, 443, "exposure.tls_hostname_mismatch"),
        (13, 10000, "exposure.http_admin_interface"),
        (13, 80, "exposure.http_cleartext_login"),
        (20, 22, "exposure.ssh_weak_algorithms"),
        (22, 21, "exposure.ftp_anonymous_login"),
        (24, 3389, "exposure.rdp_no_nla"),
        (24, 3389, "exposure.service_remote_access"),
        (26, 445, "exposure.smb_v1_enabled"),
        (26, 445, "exposure.smb_signing_not_required"),
        (26, 445, "exposure.service_file_sharing"),
        (30, 11112, "exposure.dicom_any_ae_title"),
        (30, 11112, "exposure.service_medical"),
        (32, 2575, "exposure.hl7_mllp_answering"),
        (33, 5432, "exposure.db_no_authentication"),
        (35, 3306, "exposure.db_no_authentication"),
        (37, 6379, "exposure.db_no_authentication"),
        (39, 11211, "exposure.db_no_authentication"),
        (34, 5432, "exposure.service_database"),
    ],
)
def test_every_planted_weakness_gives_its_finding(
    netlab: NetLab, audit: ScanResult, index: int, port: int, check_id: str
) -> None:
    """Every planted weakness gives its finding."""
    assert (check_id, service_label(netlab.address(index), port)) in _findings(audit)


def test_the_edge_device_is_matched_with_the_known_exploited_catalogue(netlab: NetLab, audit: ScanResult) -> None:
    """The edge device is matched with the known exploited catalogue."""
    if not KEV_FILE.is_file():
        pytest.skip(f"the KEV catalogue of the public corpus is absent ({KEV_FILE}); set HYGIE_CORPUS")
    assert ("exposure.kev_product", service_label(netlab.address(11), 443)) in _findings(audit)


@pytest.mark.parametrize(
    "check_id",
    [
        "exposure.mail_dmarc_monitor_only",
        "exposure.dns_zone_transfer",
        "exposure.dns_dnssec_missing",
        "exposure.dns_caa_missing",
    ],
)
def test_the_weak_domain_gives_its_findings(audit: ScanResult, check_id: str) -> None:
    """The weak domain gives its findings."""
    assert (check_id, "chu-lab.test") in _findings(audit)


def test_the_dangling_names_are_found_including_those_only_the_open_transfer_reveals(audit: ScanResult) -> None:
    """ancien-portail is a usual sub-domain; vieux-pacs appears only in the zone the open AXFR gave."""
    dangling = {finding_target(f) for f in audit.findings if f.check_id == "exposure.dns_dangling_cname"}
    assert {"ancien-portail.chu-lab.test", "vieux-pacs.chu-lab.test"} <= dangling


def test_the_strong_domain_and_the_healthy_site_give_none(netlab: NetLab, audit: ScanResult) -> None:
    """The strong domain and the healthy site give none."""
    targets = {finding_target(finding) for finding in audit.findings}
    assert "ght-lab.test" not in targets
    healthy = service_label(netlab.address(12), 443)
    assert [f.check_id for f in audit.findings if finding_target(f) == healthy] == []


def test_the_declared_name_carries_to_the_address_and_the_result_is_json(netlab: NetLab, audit: ScanResult) -> None:
    """The declared name carries to the address and the result is json."""
    host = audit.host(netlab.address(11))
    assert host is not None
    assert host.names == ["vpn.chu-lab.test"]
    again = ScanResult.from_dict(audit.to_dict())
    assert again.to_dict() == audit.to_dict()
    assert audit.score > 0
    assert audit.refused == []
