"""The KEV catalogue loads CISA's files, refuses broken ones clearly, and finds the entries of a service.

Also the NVD CVE data (cves.py): whether a product version lies in a CVE's vulnerable ranges.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hygie.engines.exposure.cves import CveCatalogue, CveError, compare_versions, version_in_range
from hygie.engines.exposure.kev import KevCatalogue, KevError, parse_cpe, service_cpe
from hygie.engines.exposure.model import Service

_CORPUS = Path(os.environ.get("HYGIE_CORPUS") or Path(__file__).resolve().parents[5] / ".." / "shared" / "corpus")
KEV_DIR = _CORPUS / "vulnwatch" / "kev"
NVD_DIR = _CORPUS / "vulnwatch" / "nvd"


def corpus_file(path: Path) -> Path:
    """``path`` in the shared corpus, or skip saying where it was looked for."""
    if not path.is_file():
        pytest.skip(f"corpus file {path} not found (set HYGIE_CORPUS to the corpus folder)")
    return path


def kev_record(cve: str = "CVE-2024-21762", **overrides: Any) -> dict[str, Any]:
    """One KEV vulnerability as CISA writes it."""
    record = {
        "cveID": cve,
        "vendorProject": "Fortinet",
        "product": "FortiOS",
        "vulnerabilityName": "Fortinet FortiOS Out-of-bound Write Vulnerability",
        "dateAdded": "2024-02-09",
        "shortDescription": "Fortinet FortiOS contains an out-of-bound write vulnerability.",
        "requiredAction": "Apply mitigations per vendor instructions.",
        "dueDate": "2024-02-16",
        "knownRansomwareCampaignUse": "Unknown",
        "notes": "https://fortiguard.com/psirt/FG-IR-24-015",
        "cwes": ["CWE-787"],
    }
    record.update(overrides)
    return record


def write_kev(tmp_path: Path, records: list[dict[str, Any]], **header: Any) -> Path:
    """A KEV JSON file holding ``records``; ``header`` overrides the catalogue fields."""
    data = {
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2026.11.20",
        "dateReleased": "2026-11-20T15:00:00.000Z",
        "count": len(records),
        "vulnerabilities": records,
    }
    data.update(header)
    path = tmp_path / "kev.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def corpus_kev() -> KevCatalogue:
    """The corpus's KEV catalogue (JSON)."""
    return KevCatalogue.load(corpus_file(KEV_DIR / "known_exploited_vulnerabilities.json"))


@pytest.fixture(scope="module")
def cves() -> CveCatalogue:
    """Every NVD file of the corpus."""
    if not NVD_DIR.is_dir():
        pytest.skip(f"corpus folder {NVD_DIR} not found (set HYGIE_CORPUS to the corpus folder)")
    return CveCatalogue.load(sorted(NVD_DIR.glob("*.json")))


class TestLoad:
    """Loading KEV JSON and CSV files."""

    def test_corpus_json(self, corpus_kev: KevCatalogue) -> None:
        """Given CISA's JSON, every entry loads with the header's version, date and count, and no warning."""
        assert 1404 == len(corpus_kev)
        assert "2025.08.25" == corpus_kev.version
        assert corpus_kev.released is not None
        assert date(2025, 8, 25) == corpus_kev.released.date()
        assert [] == corpus_kev.warnings
        entry = corpus_kev.get("CVE-2024-23113")
        assert entry is not None
        assert "Fortinet" == entry.vendor_project
        assert date(2024, 10, 9) == entry.date_added

    def test_corpus_csv_matches_json(self, corpus_kev: KevCatalogue) -> None:
        """The CSV twin gives the same entries (cwes included), with a warning that it has no version."""
        from_csv = KevCatalogue.load(corpus_file(KEV_DIR / "known_exploited_vulnerabilities.csv"))
        assert corpus_kev.entries == from_csv.entries
        assert "" == from_csv.version
        assert from_csv.released is None
        assert ["a CSV catalogue carries no version nor release date"] == from_csv.warnings

    def test_header_count_mismatch_is_a_warning(self) -> None:
        """Vunnel's sample says 1273 in its header but lists 3: loaded, with a warning saying so."""
        catalogue = KevCatalogue.load(corpus_file(_CORPUS / "vulnwatch" / "kev_sample" / "vunnel_valid-catalog-1.json"))
        assert 3 == len(catalogue)
        assert ["the header counts 1273 vulnerabilities but the file lists 3"] == catalogue.warnings

    def test_entry_fields(self, tmp_path: Path) -> None:
        """Every KEV field lands in the entry; ransomware use is read from knownRansomwareCampaignUse."""
        path = write_kev(tmp_path, [kev_record(knownRansomwareCampaignUse="Known")])
        entry = KevCatalogue.load(path).entries[0]
        assert "CVE-2024-21762" == entry.cve_id
        assert "FortiOS" == entry.product
        assert "Fortinet FortiOS Out-of-bound Write Vulnerability" == entry.name
        assert date(2024, 2, 16) == entry.due_date
        assert entry.known_ransomware
        assert ("CWE-787",) == entry.cwes
        assert "https://fortiguard.com/psirt/FG-IR-24-015" == entry.notes

    def test_duplicate_cve_is_kept_once(self, tmp_path: Path) -> None:
        """A CVE listed twice is kept once, with a warning."""
        catalogue = KevCatalogue.load(write_kev(tmp_path, [kev_record(), kev_record(product="FortiProxy")]))
        assert 1 == len(catalogue)
        assert "FortiOS" == catalogue.entries[0].product
        assert ["CVE-2024-21762 is listed twice; the first entry is kept"] == catalogue.warnings

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ('{"vulnerabilities": [', "not valid JSON (line 1"),
            ('{"catalogVersion": "1"}', "a KEV catalogue is a JSON object with a 'vulnerabilities' list"),
            ('["CVE-2024-1"]', "not a KEV catalogue (JSON or CSV): the CSV header lacks cveID"),
            ("cveID,product\nCVE-2024-0001,x\n", "the CSV header lacks vendorProject"),
        ],
    )
    def test_malformed_files(self, tmp_path: Path, content: str, message: str) -> None:
        """A file that is not a catalogue raises KevError saying why."""
        path = tmp_path / "kev.json"
        path.write_text(content)
        with pytest.raises(KevError, match=message.replace("(", r"\(").replace(")", r"\)")):
            KevCatalogue.load(path)

    @pytest.mark.parametrize(
        ("override", "message"),
        [
            ({"cveID": "CVE-24-1"}, "vulnerability #1: 'CVE-24-1' is not a CVE id"),
            (
                {"dateAdded": "09/02/2024"},
                "vulnerability #1 \\(CVE-2024-21762\\) 'dateAdded': '09/02/2024' is not a date",
            ),
            ({"product": None}, "vulnerability #1: field 'product' is missing or not a string"),
            ({"cwes": "CWE-787"}, "'cwes' must be a list of strings"),
        ],
    )
    def test_malformed_entries(self, tmp_path: Path, override: dict[str, Any], message: str) -> None:
        """A broken entry raises KevError naming the entry and the field."""
        with pytest.raises(KevError, match=message):
            KevCatalogue.load(write_kev(tmp_path, [kev_record(**override)]))

    def test_binary_and_missing_files(self, tmp_path: Path) -> None:
        """Binary garbage and a missing file raise KevError, not a decoding crash."""
        path = tmp_path / "kev.json"
        path.write_bytes(b"\xff\xfe\x00garbage\x9c")
        with pytest.raises(KevError, match="not UTF-8 text"):
            KevCatalogue.load(path)
        with pytest.raises(KevError, match="cannot read the KEV catalogue"):
            KevCatalogue.load(tmp_path / "absent.json")

    def test_oversized_file_is_refused_unread(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file over the size bound is refused before reading it."""
        monkeypatch.setattr("hygie.engines.exposure.kev.MAX_KEV_BYTES", 100)
        with pytest.raises(KevError, match="is more than a KEV catalogue"):
            KevCatalogue.load(write_kev(tmp_path, [kev_record()]))


class TestCpe:
    """Parsing CPE names."""

    def test_formatted_string_and_uri(self) -> None:
        """CPE 2.3 strings (escapes included) and nmap's 2.2 URIs parse to the same parts."""
        assert parse_cpe("cpe:/a:openbsd:openssh:9.2p1") == parse_cpe("cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*")
        parsed = parse_cpe(r"cpe:2.3:a:vendor:prod\:uct:1.0:*:*:*:*:*:*:*")
        assert parsed is not None
        assert "prod:uct" == parsed.product
        assert r"cpe:2.3:a:vendor:prod\:uct:1.0:*:*:*:*:*:*:*" == parsed.to_string()

    @pytest.mark.parametrize("text", ["", "fortios", "cpe:2.3:x:a:b", "cpe:/a:fortinet", "cpe:2.3:a:*:*:1", "c" * 5000])
    def test_not_cpe(self, text: str) -> None:
        """Anything that is not a CPE with a part, vendor and product gives None."""
        assert parse_cpe(text) is None

    def test_service_cpe_from_product_name(self) -> None:
        """A service with a product name but no CPE gets the aliased CPE, with its version's first word."""
        cpe = service_cpe(Service(443, product="FortiGate SSL VPN", version="7.2.4 build1396"))
        assert cpe is not None
        assert "cpe:2.3:a:fortinet:fortios:7.2.4:*:*:*:*:*:*:*" == cpe.to_string()
        assert service_cpe(Service(443, product="nginx")) is None


class TestForService:
    """Finding the KEV entries of a service."""

    @pytest.mark.parametrize(
        ("service", "expected"),
        [
            (Service(443, cpe="cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"), "FortiOS and FortiProxy"),
            (Service(443, product="Pulse Connect Secure"), "Pulse Connect Secure"),
            (Service(443, cpe="cpe:2.3:a:ivanti:connect_secure:22.7:r2.3:*:*:*:*:*:*"), "Connect Secure"),
            (Service(443, product="Citrix NetScaler"), "NetScaler ADC and NetScaler Gateway"),
            (Service(443, product="GlobalProtect"), "PAN-OS"),
            (Service(443, cpe="cpe:/o:cisco:adaptive_security_appliance_software"), "Adaptive Security Appliance"),
            (Service(443, cpe="cpe:2.3:a:f5:big-ip:*"), "BIG-IP"),
            (Service(443, product="SonicOS"), "SonicOS"),
            (Service(443, product="Check Point"), "Quantum Security Gateways"),
            (Service(10000, product="Webmin"), "Webmin"),
        ],
    )
    def test_edge_devices_match_kev_spellings(self, corpus_kev: KevCatalogue, service: Service, expected: str) -> None:
        """Given an identified edge device, the entries in KEV's own spelling come back, newest first."""
        entries = corpus_kev.for_service(service)
        assert any(expected in entry.product for entry in entries)
        assert entries == sorted(entries, key=lambda e: (e.date_added, e.cve_id), reverse=True)

    def test_old_citrix_spelling(self, corpus_kev: KevCatalogue) -> None:
        """Older Citrix entries ("Application Delivery Controller (ADC)") match the NetScaler CPE too."""
        entries = corpus_kev.for_service(Service(443, cpe="cpe:2.3:a:citrix:netscaler_gateway:13.1"))
        assert "CVE-2019-19781" in {entry.cve_id for entry in entries}
        assert "CVE-2023-4966" in {entry.cve_id for entry in entries}

    def test_no_cross_product_match(self, corpus_kev: KevCatalogue) -> None:
        """FortiWeb does not pull FortiOS entries, an unknown product gets nothing."""
        fortiweb = corpus_kev.for_service(Service(443, cpe="cpe:2.3:a:fortinet:fortiweb:7.0"))
        assert {"FortiWeb"} == {entry.product for entry in fortiweb}
        assert [] == corpus_kev.for_service(Service(80, product="nginx", version="1.22.1"))
        assert [] == corpus_kev.for_service(Service(80))
        assert [] == corpus_kev.for_service(Service(3389, cpe="cpe:/o:microsoft:windows"))
        assert corpus_kev.for_service(Service(445, cpe="cpe:/a:samba:samba:4.5.0"))


class TestVersions:
    """Comparing product versions."""

    @pytest.mark.parametrize(
        ("left", "right", "expected"),
        [
            ("7.2", "7.2.0", 0),
            ("7.2.10", "7.2.9", 1),
            ("10.2.3-h4", "10.2.3", 1),
            ("1.0rc1", "1.0", -1),
            ("9.2p1", "9.2", 1),
            ("22.7r2.3", "22.7r2.10", -1),
        ],
    )
    def test_compare(self, left: str, right: str, expected: int) -> None:
        """Dotted numbers compare numerically; hotfixes sort after, pre-releases before, their base."""
        assert expected == compare_versions(left, right)

    def test_ranges(self) -> None:
        """NVD's four bounds are honoured, an absent bound is open."""
        assert version_in_range("7.2.6", start_including="7.2.0", end_including="7.2.6")
        assert not version_in_range("7.2.7", start_including="7.2.0", end_including="7.2.6")
        assert not version_in_range("7.2.0", start_excluding="7.2.0")
        assert not version_in_range("1.4.11", end_excluding="1.4.11")
        assert version_in_range("0.0.1")


class TestCveCatalogue:
    """Deciding from NVD data whether a version is affected."""

    @pytest.mark.parametrize(
        ("version", "expected"),
        [("7.2.4", True), ("7.2.6", True), ("7.2.7", False), ("7.4.3", False), ("6.4.15", False), ("7.0.13", True)],
    )
    def test_fortios_ranges(self, cves: CveCatalogue, version: str, expected: bool) -> None:
        """CVE-2024-23113 affects FortiOS 7.0.0-7.0.13, 7.2.0-7.2.6, 7.4.0-7.4.2 and nothing else."""
        assert expected is cves.affected(f"cpe:2.3:o:fortinet:fortios:{version}:*:*:*:*:*:*:*", "CVE-2024-23113")

    def test_unknown(self, cves: CveCatalogue) -> None:
        """No version, another product or an unloaded CVE: None, not a guess."""
        assert cves.affected("cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", "CVE-2024-23113") is None
        assert cves.affected("cpe:2.3:a:nginx:nginx:1.22:*:*:*:*:*:*:*", "CVE-2024-23113") is None
        assert cves.affected("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*", "CVE-1999-0001") is None

    def test_and_configuration_counts_the_vulnerable_match_only(self, cves: CveCatalogue) -> None:
        """In an AND configuration (firmware on hardware), the firmware's range decides."""
        firmware = "cpe:2.3:o:intel:ethernet_controller_e810_firmware:{}:*:*:*:*:*:*:*"
        assert cves.affected(firmware.format("1.4.10"), "CVE-2021-0002") is True
        assert cves.affected(firmware.format("1.4.11"), "CVE-2021-0002") is False
        hardware = "cpe:2.3:h:intel:ethernet_controller_e810:1:*:*:*:*:*:*:*"
        assert cves.affected(hardware, "CVE-2021-0002") is None

    def test_all_versions(self, cves: CveCatalogue) -> None:
        """A match with no version and no bound affects every version."""
        assert cves.affected("cpe:2.3:a:couchbase:bleve:2.3.0:*:*:*:*:*:*:*", "CVE-2022-31022") is True

    def test_affecting(self, cves: CveCatalogue) -> None:
        """``affecting`` lists the loaded CVEs whose ranges hold the version."""
        assert "CVE-2024-23113" in cves.affecting("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*")
        assert [] == cves.affecting("cpe:2.3:o:fortinet:fortios:7.6.9:*:*:*:*:*:*:*")

    def test_malformed(self, tmp_path: Path) -> None:
        """A file that is not NVD JSON raises CveError naming it."""
        path = tmp_path / "nvd.json"
        path.write_text('{"results": []}')
        with pytest.raises(CveError, match="an NVD file is an object"):
            CveCatalogue.load(path)
        path.write_bytes(b"\x00\x01binary")
        with pytest.raises(CveError, match="not NVD JSON"):
            CveCatalogue.load(path)
