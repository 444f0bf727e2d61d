"""``hygie exposure``: scan through a perimeter file, import nmap, diff two results; bad input exits 3."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, EXIT_PERMISSION, EXIT_USAGE
from hygie.cli.main import app

_PERIMETER = """
authorised_by = "RSSI du CH de test"
valid_until = 2099-12-31T23:59:00+01:00
entries = ["127.0.0.1/32"]
"""

_NMAP_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sT -sV 192.0.2.10" start="1763900000" version="7.93" xmloutputversion="1.05">
<host starttime="1763900000" endtime="1763900010"><status state="up" reason="user-set"/>
<address addr="192.0.2.10" addrtype="ipv4"/>
<ports>
<port protocol="tcp" portid="3389"><state state="open" reason="syn-ack"/>
<service name="ms-wbt-server" method="probed"/></port>
<port protocol="tcp" portid="445"><state state="open" reason="syn-ack"/>
<service name="microsoft-ds" method="probed"/></port>
<port protocol="tcp" portid="80"><state state="closed" reason="conn-refused"/></port>
</ports></host>
<runstats><finished time="1763900010"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    """A real Redis without authentication on a free loopback port (Debian package redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server (Debian package redis-server) is needed for the scan command test")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def perimeter(tmp_path: Path) -> Path:
    """A perimeter file allowing the loopback address only."""
    path = tmp_path / "perimetre.toml"
    path.write_text(_PERIMETER, encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["exposure", *args])
    return result.exit_code, result.output


def test_scan_json_names_the_service_and_its_finding(perimeter: Path, redis_port: int, tmp_path: Path) -> None:
    """A Redis on an unusual port is recognised from its answers and judged open to anybody."""
    report = tmp_path / "scan.json"
    code, output = _run(
        "scan", "127.0.0.1", "--perimeter", str(perimeter), "--ports", str(redis_port),
        "--format", "json", "-o", str(report),
    )  # fmt: skip
    assert code == 0, output
    data = orjson.loads(report.read_bytes())
    [host] = data["hosts"]
    assert host["address"] == "127.0.0.1"
    [service] = host["services"]
    assert {"port", "protocol", "product", "version", "tls"} <= set(service)
    assert (service["port"], service["product"]) == (redis_port, "Redis")
    finding = next(f for f in data["findings"] if f["check_id"] == "exposure.db_no_authentication")
    assert finding["target"] == f"127.0.0.1:{redis_port}/tcp"
    assert {"check_id", "severity", "target", "evidence"} <= set(finding)


def test_scan_table_lists_services_and_findings(perimeter: Path, redis_port: int, tmp_path: Path) -> None:
    """The table format shows the service and the exposure score."""
    report = tmp_path / "scan.txt"
    code, output = _run(
        "scan", "127.0.0.1", "--perimeter", str(perimeter), "--ports", str(redis_port), "-o", str(report)
    )
    assert code == 0, output
    text = report.read_text(encoding="utf-8")
    assert f"127.0.0.1:{redis_port}/tcp" in text
    assert "Exposure score" in text


def test_a_target_outside_the_perimeter_exits_3_with_the_reason(perimeter: Path) -> None:
    """Nothing allowed: the command says why and sends nothing."""
    code, output = _run("scan", "192.0.2.1", "--perimeter", str(perimeter), "--ports", "22")
    assert code == EXIT_INVALID_INPUT
    assert "outside every declared range" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("entries = [", "not valid TOML"),
        ('authorised_by = "x"\nvalid_until = 2099-01-01T00:00:00Z\nentries = ["10.0.0.0/33"]', "not a valid"),
        ('valid_until = 2099-01-01T00:00:00Z\nentries = ["10.0.0.0/8"]', "authorised_by"),
        ('authorised_by = "x"\nentries = ["10.0.0.0/8"]', "valid_until"),
    ],
)
def test_a_bad_perimeter_file_exits_3(tmp_path: Path, content: str, message: str) -> None:
    """Malformed files are refused with the file name and the reason."""
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    code, output = _run("scan", "127.0.0.1", "--perimeter", str(path))
    assert code == EXIT_INVALID_INPUT
    assert message in output
    assert "Traceback" not in output


@pytest.mark.parametrize(("option", "value"), [("--ports", "22,99999"), ("--ports", "ssh"), ("--rate", "-1")])
def test_bad_options_exit_3(perimeter: Path, option: str, value: str) -> None:
    """Invalid port lists and politeness settings are refused before anything is sent."""
    code, output = _run("scan", "127.0.0.1", "--perimeter", str(perimeter), option, value)
    assert code == EXIT_INVALID_INPUT, output


def test_unknown_format_exits_2(perimeter: Path) -> None:
    """A format that does not exist is a usage error."""
    code, _ = _run("scan", "127.0.0.1", "--perimeter", str(perimeter), "--format", "xml")
    assert code == EXIT_USAGE


def test_import_judges_an_nmap_scan(tmp_path: Path) -> None:
    """RDP and SMB open in an nmap scan give the same findings as our own scan would."""
    scan = tmp_path / "scan.xml"
    scan.write_text(_NMAP_XML, encoding="utf-8")
    code, output = _run("import", str(scan), "--format", "json")
    assert code == 0, output
    data = orjson.loads(output)
    assert data["source"] == "nmap"
    checks = {(f["check_id"], f["target"]) for f in data["findings"]}
    assert ("exposure.service_remote_access", "192.0.2.10:3389/tcp") in checks
    assert ("exposure.service_file_sharing", "192.0.2.10:445/tcp") in checks


@pytest.mark.parametrize("content", ["<nmaprun><host>", "not xml at all", '{"ip": 1}'])
def test_import_of_a_broken_file_exits_3(tmp_path: Path, content: str) -> None:
    """Truncated XML, text and JSON of the wrong shape: a message, no traceback."""
    scan = tmp_path / "scan.xml"
    scan.write_text(content, encoding="utf-8")
    code, output = _run("import", str(scan))
    assert code == EXIT_INVALID_INPUT
    assert "Traceback" not in output


def test_diff_of_two_results(tmp_path: Path) -> None:
    """An import then the same host with SMB closed: SMB is a closed service and its finding is resolved."""
    before, after = tmp_path / "before.xml", tmp_path / "after.xml"
    before.write_text(_NMAP_XML, encoding="utf-8")
    after.write_text(_NMAP_XML.replace('portid="445"><state state="open"', 'portid="445"><state state="closed"'))
    results = []
    for source in (before, after):
        target = source.with_suffix(".json")
        code, output = _run("import", str(source), "--format", "json", "-o", str(target))
        assert code == 0, output
        results.append(str(target))
    code, output = _run("diff", *results, "--format", "json")
    assert code == 0, output
    diff = orjson.loads(output)
    assert [(s["address"], s["port"]) for s in diff["closed_services"]] == [("192.0.2.10", 445)]
    assert "exposure.service_file_sharing" in {f["check_id"] for f in diff["resolved_findings"]}
    assert diff["new_services"] == []


def test_diff_of_a_file_that_is_not_a_result_exits_3(tmp_path: Path) -> None:
    """A JSON file of another shape is refused with the reason."""
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hosts": 3}', encoding="utf-8")
    code, output = _run("diff", str(bogus), str(bogus))
    assert code == EXIT_INVALID_INPUT
    assert "format" in output


def test_checks_lists_probes_and_checks() -> None:
    """Every registered probe and check is listed."""
    code, output = _run("checks")
    assert code == 0, output
    assert "exposure.kev_product" in output
    assert "dicom" in output


class TestPlatformPerimeter:
    """``scan --platform-perimeter ID --as USER``: the perimeter comes from the platform, through the choke point."""

    def test_scan_inside_a_platform_perimeter(self, tenants: Any, redis_port: int, tmp_path: Path) -> None:
        """An analyst of the node may scan inside its declared perimeter."""
        stored = _loopback_perimeter(tenants.hospital_a)
        report = tmp_path / "scan.json"
        code, output = _run(
            "scan", "127.0.0.1", "--platform-perimeter", str(stored.pk), "--as", "analyst_a",
            "--ports", str(redis_port), "--format", "json", "-o", str(report),
        )  # fmt: skip
        assert code == 0, output
        assert [h["address"] for h in orjson.loads(report.read_bytes())["hosts"]] == ["127.0.0.1"]

    def test_a_viewer_may_not_scan(self, tenants: Any) -> None:
        """Scanning sends packets in the node's name: viewers see the perimeter but may not scan."""
        stored = _loopback_perimeter(tenants.hospital_a)
        code, output = _run("scan", "127.0.0.1", "--platform-perimeter", str(stored.pk), "--as", "viewer_a")
        assert code == EXIT_PERMISSION, output

    def test_another_tenants_perimeter_is_not_found(self, tenants: Any) -> None:
        """A perimeter of group A does not exist for the manager of group B."""
        stored = _loopback_perimeter(tenants.hospital_a)
        code, output = _run(
            "scan", "127.0.0.1", "--platform-perimeter", str(stored.pk), "--as", "manager_b", "--ports", "22"
        )
        assert code == EXIT_NOT_FOUND
        assert f"no exposure perimeter with id {stored.pk}" in output

    def test_both_or_neither_perimeter_is_a_usage_error(self, perimeter: Path) -> None:
        """Exactly one source of perimeter."""
        assert _run("scan", "127.0.0.1")[0] == EXIT_USAGE
        assert _run("scan", "127.0.0.1", "--perimeter", str(perimeter), "--platform-perimeter", "1")[0] == EXIT_USAGE


def _loopback_perimeter(node: Any) -> Any:
    from hygie.apps.exposure.models import ExposurePerimeter

    return ExposurePerimeter.objects.create(
        node=node,
        name="Loopback",
        entries="127.0.0.1/32",
        authorised_by="RSSI",
        valid_until=datetime.now(tz=UTC) + timedelta(days=30),
    )
