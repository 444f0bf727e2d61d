"""nmap XML and masscan JSON imports: real nmap output against lab servers, both masscan formats, hostile files."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hygie.engines.exposure.imports import ScanImportError, import_masscan_json, import_nmap_xml, import_scan
from hygie.engines.exposure.model import Category, ScanResult, Service
from hygie.engines.exposure.registry import JudgeContext
from hygie.engines.exposure.tests.netlab import NetLab

#: This module's block of lab addresses (see conftest.py).
REDIS_AT, WEB_AT = 150, 151
NMAP_PORTS = "22,6379,8080,11211"


@pytest.fixture(scope="session")
def nmap_lab(netlab: NetLab) -> tuple[str, str]:
    """Redis and memcached on .150, nginx (HTTP on 8080, HTTPS with a self-signed certificate on 443) on .151."""
    data, web = netlab.add_address(REDIS_AT), netlab.add_address(WEB_AT)
    work = netlab.workdir / "h6-imports"
    work.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed command
        [  # noqa: S607 - Debian's openssl from PATH
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            "-subj", "/CN=vpn.chu-exemple.test", "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (work / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; pid {work}/nginx.pid; error_log stderr;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;\n"
        f"  fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;\n"
        f'  server {{ listen {web}:8080; server_tokens on; location / {{ return 200 "hello\\n"; }} }}\n'
        f"  server {{ listen {web}:443 ssl; ssl_certificate {work}/cert.pem; ssl_certificate_key {work}/key.pem;\n"
        '    location / { return 200 "hello\\n"; } }\n'
        "}\n"
    )
    netlab.start("h6-nginx", ["nginx", "-c", str(work / "nginx.conf")], ready=(web, 443))
    netlab.start(
        "h6-redis",
        ["redis-server", "--bind", data, "--port", "6379", "--save", "", "--appendonly", "no",
         "--protected-mode", "no", "--daemonize", "no", "--dir", str(work)],
        ready=(data, 6379),
    )  # fmt: skip
    netlab.start(
        "h6-memcached", ["memcached", "-l", data, "-p", "11211", "-U", "0", "-u", "nobody"], ready=(data, 11211)
    )
    return data, web


@pytest.fixture(scope="session")
def nmap_xml(nmap_lab: tuple[str, str], netlab: NetLab) -> tuple[Path, Path]:
    """Real nmap XML files of the lab servers: ``-sV`` of the plain ports, ``--script ssl-cert`` of 443.

    Two runs side by side because nmap's version detection waits 6 s for a banner before each probe,
    twice on a TLS port: the certificate alone comes in under a second.
    """
    nmap = shutil.which("nmap")
    if nmap is None:
        pytest.skip("Debian's nmap is not installed")
    services, certificate = netlab.workdir / "h6-nmap-sv.xml", netlab.workdir / "h6-nmap-tls.xml"
    base = [nmap, "-sT", "-Pn", "-n"]
    runs = [
        [*base, "-sV", "--version-light", "-p", NMAP_PORTS, "-oX", str(services), *nmap_lab],
        [*base, "--script", "ssl-cert", "-p", "443", "-oX", str(certificate), nmap_lab[1]],
    ]
    processes = [subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for run in runs]  # noqa: S603
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert 0 == process.returncode, errors.decode(errors="replace")
    return services, certificate


@pytest.mark.lab
class TestRealNmap:
    """Given nmap's own XML of real servers, the import finds the same open ports and identifies them."""

    def test_hosts_and_ports(self, nmap_xml: tuple[Path, Path], nmap_lab: tuple[str, str]) -> None:
        """Every open port nmap reports is imported (closed ones are not), with nmap as source."""
        data, web = nmap_lab
        result = import_nmap_xml(nmap_xml[0])
        assert "nmap" == result.source
        found = {(h.address, s.port) for h in result.hosts for s in h.services}
        assert {(data, 6379), (data, 11211), (web, 8080)} == found
        assert [22, 6379, 8080, 11211] == result.ports
        assert result.started_at <= result.finished_at
        assert abs((datetime.now(tz=UTC) - result.started_at).total_seconds()) < 600
        assert "-sT" in result.stats["nmap_args"]

    def test_services_identified(self, nmap_xml: tuple[Path, Path], nmap_lab: tuple[str, str]) -> None:
        """Names, products, versions, CPEs (converted to CPE 2.3) and categories come from nmap's probes."""
        data, web = nmap_lab
        result = import_nmap_xml(nmap_xml[0])
        redis = _service(result, data, 6379)
        assert ("redis", Category.DATABASE, "nmap") == (redis.name, redis.category, redis.source)
        assert "Redis" in redis.product
        assert redis.version
        assert redis.cpe.startswith("cpe:2.3:a:redislabs:redis:")
        memcached = _service(result, data, 11211)
        assert ("memcached", Category.DATABASE) == (memcached.name, memcached.category)
        http = _service(result, web, 8080)
        assert ("http", Category.ADMIN, "nginx") == (http.name, http.category, http.product)
        assert http.cpe.startswith("cpe:2.3:a:igor_sysoev:nginx:")

    def test_ssl_cert(self, nmap_xml: tuple[Path, Path], nmap_lab: tuple[str, str]) -> None:
        """The ssl-cert script's certificate lands in service.tls: subject, issuer, validity, key."""
        https = _service(import_nmap_xml(nmap_xml[1]), nmap_lab[1], 443)
        assert ("https", Category.WEB) == (https.name, https.category)
        assert https.tls is not None
        certificate = https.tls["certificate"]
        assert "vpn.chu-exemple.test" == certificate["subject_cn"]
        assert certificate["self_signed"] is True
        assert ("rsa", 2048) == (certificate["key_type"], certificate["key_bits"])
        not_after = datetime.fromisoformat(certificate["not_after"])
        assert 29 <= (not_after - datetime.now(tz=UTC)).days <= 30

    def test_sniffed_and_judged(self, nmap_xml: tuple[Path, Path], nmap_lab: tuple[str, str]) -> None:
        """``import_scan`` recognises nmap XML, and the judgement names the exposed databases."""
        from hygie.engines.exposure.judge import judge

        result = import_scan(nmap_xml[0])
        judge(result, JudgeContext(now=datetime.now(tz=UTC)))
        targets = {f.affected[0].identifier for f in result.findings if f.check_id == "exposure.service_database"}
        assert {f"{nmap_lab[0]}:6379/tcp", f"{nmap_lab[0]}:11211/tcp"} == targets


def _service(result: ScanResult, address: str, port: int) -> Service:
    host = result.host(address)
    assert host is not None
    service = host.service(port)
    assert service is not None
    return service


NMAP_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'


def nmap_file(tmp_path: Path, hosts: str, *, header: str = NMAP_HEADER) -> Path:
    """An nmap XML file holding ``hosts``."""
    path = tmp_path / "scan.xml"
    path.write_text(
        f'{header}<nmaprun scanner="nmap" args="nmap -sV" start="1763900000" version="7.93">\n'
        f'<scaninfo type="connect" protocol="tcp" numservices="3" services="21-23"/>\n{hosts}\n'
        '<runstats><finished time="1763900060"/></runstats></nmaprun>\n'
    )
    return path


HAND_HOST = """<host><status state="up" reason="user-set"/><address addr="192.0.2.5" addrtype="ipv4"/>
<hostnames><hostname name="vpn.chu-exemple.fr" type="user"/><hostname name="vpn.chu-exemple.fr" type="PTR"/></hostnames>
<ports>
<port protocol="tcp" portid="3389"><state state="open"/>
<service name="ms-wbt-server" product="Microsoft Terminal Services"
 ostype="Windows"><cpe>cpe:/o:microsoft:windows</cpe></service></port>
<port protocol="tcp" portid="445"><state state="open"/><service name="microsoft-ds"/></port>
<port protocol="tcp" portid="10443"><state state="open"/>
<service name="http" tunnel="ssl" product="Fortinet FortiGate SSL VPN"
 version="7.2.4"><cpe>cpe:/o:fortinet:fortios:7.2.4</cpe></service></port>
<port protocol="tcp" portid="2222"><state state="open"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2"
 extrainfo="protocol 2.0"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service></port>
<port protocol="tcp" portid="40000"><state state="open"/></port>
<port protocol="tcp" portid="80"><state state="closed"/><service name="http"/></port>
<port protocol="udp" portid="161"><state state="open"/><service name="snmp"/></port>
</ports></host>
<host><status state="down" reason="no-response"/><address addr="192.0.2.6" addrtype="ipv4"/></host>"""


class TestNmapXml:
    """Hand-written nmap XML: name normalisation, CPE conversion, timing and what is left out."""

    def test_normalised(self, tmp_path: Path) -> None:
        """The names of nmap become the catalogue's; CPE 2.2 URIs become CPE 2.3; UDP and closed ports are left out."""
        result = import_nmap_xml(nmap_file(tmp_path, HAND_HOST))
        assert ["192.0.2.5"] == [h.address for h in result.hosts]
        host = result.hosts[0]
        assert ["vpn.chu-exemple.fr"] == host.names
        names = {s.port: (s.name, s.category) for s in host.services}
        assert {
            3389: ("rdp", Category.REMOTE_ACCESS),
            445: ("smb", Category.FILE_SHARING),
            10443: ("https", Category.VPN),
            2222: ("ssh", Category.REMOTE_ACCESS),
            40000: ("", Category.OTHER),
        } == names
        rdp = host.service(3389)
        assert rdp is not None
        assert "" == rdp.cpe  # the OS's CPE is no product's
        assert ["cpe:/o:microsoft:windows"] == rdp.details["nmap"]["cpe"]
        fortigate = host.service(10443)
        assert fortigate is not None
        assert "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*" == fortigate.cpe
        assert {"source": "nmap", "tunnel": "ssl"} == fortigate.tls
        ssh = host.service(2222)
        assert ssh is not None
        assert "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*" == ssh.cpe
        assert "protocol 2.0" == ssh.details["nmap"]["extrainfo"]
        assert ["1 open UDP port(s) skipped: the exposure engine audits TCP services"] == result.warnings
        assert datetime(2025, 11, 23, 12, 13, 20, tzinfo=UTC) == result.started_at
        assert 60 == (result.finished_at - result.started_at).total_seconds()
        assert [21, 22, 23] == result.ports

    def test_hostile_attribute_values_are_escaped(self, tmp_path: Path) -> None:
        """Control characters in nmap's fields are escaped and cut, never stored raw."""
        product = "A&#x7f;B&#x9;C" + "x" * 500
        host = HAND_HOST.replace('product="OpenSSH"', f'product="{product}"')
        ssh = import_nmap_xml(nmap_file(tmp_path, host)).hosts[0].service(2222)
        assert ssh is not None
        assert ssh.product.startswith("A\\x7fB\\x09C")
        assert 120 + 2 * 3 == len(ssh.product)  # 120 characters kept, two of them escaped as \\xNN

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (
                NMAP_HEADER.replace(
                    "<!DOCTYPE nmaprun>",
                    '<!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
                )
                + "<nmaprun>&d;</nmaprun>",
                "declares entities",
            ),
            (
                '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun>&x;</nmaprun>',
                "declares entities",
            ),
            (
                NMAP_HEADER + '<nmaprun scanner="nmap">\n<host><status state="up"/>\n',
                "malformed XML at line 5, column 0: no element",
            ),
            (NMAP_HEADER + "<nmaprun><host></nmaprun>", "malformed XML at line 3, column "),
            ("<html><body>not nmap</body></html>", "not an nmap XML file \\(root element <html>\\)"),
            ("", "malformed XML at line 1"),
            (
                NMAP_HEADER + '<nmaprun><host><status state="up"/><address addr="999.1.1.1" addrtype="ipv4"/></host>'
                "</nmaprun>",
                "a <host> has no valid IP address \\('999.1.1.1'\\)",
            ),
            (
                NMAP_HEADER + '<nmaprun><host><status state="up"/><address addr="192.0.2.1" addrtype="ipv4"/>'
                '<ports><port protocol="tcp" portid="70000"><state state="open"/></port></ports></host></nmaprun>',
                "host 192.0.2.1: '70000' is not a TCP port",
            ),
        ],
        ids=["billion-laughs", "external-entity", "truncated", "mismatched", "not-nmap", "empty", "bad-ip", "bad-port"],
    )
    def test_hostile_xml(self, tmp_path: Path, content: str, message: str) -> None:
        """XML bombs, external entities, truncated or foreign XML raise ScanImportError with where and why."""
        path = tmp_path / "scan.xml"
        path.write_text(content)
        with pytest.raises(ScanImportError, match=message):
            import_nmap_xml(path)

    def test_binary(self, tmp_path: Path) -> None:
        """Binary garbage is refused by the sniffer and by the XML reader."""
        path = tmp_path / "scan.bin"
        path.write_bytes(bytes(range(256)) * 64)
        with pytest.raises(ScanImportError, match="neither nmap XML"):
            import_scan(path)
        path.write_bytes(b"<" + bytes(range(256)) * 64)
        with pytest.raises(ScanImportError, match="malformed XML at line 1"):
            import_nmap_xml(path)

    def test_million_hosts_bounded(self, tmp_path: Path) -> None:
        """A file of a million hosts stops at the host bound with a clear error, in bounded time."""
        one = '<host><status state="up"/><address addr="192.0.2.1" addrtype="ipv4"/></host>\n'
        path = tmp_path / "big.xml"
        with path.open("w") as out:
            out.write(NMAP_HEADER + '<nmaprun scanner="nmap">\n')
            for _ in range(1000):
                out.write(one * 1000)
            out.write("</nmaprun>\n")
        started = time.monotonic()
        with pytest.raises(ScanImportError, match="more than 50000 hosts; split the scan"):
            import_nmap_xml(path, max_hosts=50_000)
        assert time.monotonic() - started < 10

    def test_oversized_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file over the size bound is refused before parsing."""
        monkeypatch.setattr("hygie.engines.exposure.imports.MAX_IMPORT_BYTES", 100)
        with pytest.raises(ScanImportError, match="is more than 100 \\(split the scan\\)"):
            import_scan(nmap_file(tmp_path, HAND_HOST))


MASSCAN_CURRENT = [
    {"ip": "192.0.2.7", "timestamp": "1763900000", "ports": [{"port": 3389, "proto": "tcp", "status": "open",
     "reason": "syn-ack", "ttl": 128}]},
    {"ip": "192.0.2.7", "timestamp": "1763900003", "ports": [{"port": 22, "proto": "tcp", "status": "open",
     "reason": "syn-ack", "ttl": 64}]},
    {"ip": "192.0.2.7", "timestamp": "1763900004", "ports": [{"port": 22, "proto": "tcp", "service": {
     "name": "ssh", "banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2\x1b[0m"}}]},
    {"ip": "192.0.2.8", "timestamp": "1763900005", "ports": [{"port": 53, "proto": "udp", "status": "open"}]},
    {"ip": "192.0.2.9", "timestamp": "1763900006", "ports": [{"port": 40000, "proto": "tcp", "service": {
     "name": "http", "banner": "HTTP/1.1 200 OK"}}]},
]  # fmt: skip

MASSCAN_OLD = """[
{   "ip": "192.0.2.7",   "timestamp": "1763900000", "ports": [ {"port": 3389, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 128} ] },
{   "ip": "192.0.2.7",   "timestamp": "1763900003", "ports": [ {"port": 22, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] },
{finished: 1}
]
"""  # noqa: E501 - masscan writes one record per line

MASSCAN_OLD_TRAILING = """[
{   "ip": "192.0.2.7",   "timestamp": "1763900000", "ports": [ {"port": 3389, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 128} ] },
{   "ip": "192.0.2.7",   "timestamp": "1763900003", "ports": [ {"port": 22, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] },
]
"""  # noqa: E501 - masscan writes one record per line


class TestMasscan:
    """masscan -oJ in its current and older shapes; hostile JSON refused clearly."""

    def test_current_format(self, tmp_path: Path) -> None:
        """Records of one address merge; banners are kept escaped; UDP is skipped; times come from the records."""
        path = tmp_path / "masscan.json"
        path.write_text(json.dumps(MASSCAN_CURRENT, indent=1))
        result = import_scan(path)
        assert "masscan" == result.source
        assert ["192.0.2.7", "192.0.2.9"] == [h.address for h in result.hosts]
        seven = result.hosts[0]
        assert [(3389, "rdp", Category.REMOTE_ACCESS), (22, "ssh", Category.REMOTE_ACCESS)] == [
            (s.port, s.name, s.category) for s in seven.services
        ]
        ssh = seven.service(22)
        assert ssh is not None
        assert "SSH-2.0-OpenSSH_9.2p1 Debian-2\\x1b[0m" == ssh.banner
        assert "masscan" == ssh.source
        unknown = result.hosts[1].service(40000)
        assert unknown is not None
        assert ("http", Category.WEB) == (unknown.name, unknown.category)
        assert ["1 open UDP port(s) skipped: the exposure engine audits TCP services"] == result.warnings
        assert 6 == (result.finished_at - result.started_at).total_seconds()

    @pytest.mark.parametrize("content", [MASSCAN_OLD, MASSCAN_OLD_TRAILING], ids=["finished-line", "trailing-comma"])
    def test_old_formats(self, tmp_path: Path, content: str) -> None:
        """The older output (a ``{finished: 1}`` line, a trailing comma before ``]``) imports the same."""
        path = tmp_path / "masscan.json"
        path.write_text(content)
        result = import_scan(path)
        assert [("192.0.2.7", 3389), ("192.0.2.7", 22)] == [
            (h.address, s.port) for h in result.hosts for s in h.services
        ]

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ('{"ip": "192.0.2.1"}', "a masscan JSON file is a list of records, not dict"),
            ('[{"ip": "192.0.2.1", "ports": [{"port": 22, "status": "open"}]', "malformed masscan JSON at line 1"),
            ('["192.0.2.1"]', "masscan record #1: expected an object with 'ip' and 'ports'"),
            ('[{"ip": "not-an-ip", "ports": []}]', "masscan record #1: 'not-an-ip' is not an IP address"),
            (
                '[{"ip": "192.0.2.1", "ports": {"port": 22}}]',
                "masscan record #1 \\(192.0.2.1\\): 'ports' must be a list",
            ),
            ('[{"ip": "192.0.2.1", "ports": [{"port": "22"}]}]', "'22' is not a port"),
            ('[{"ip": "192.0.2.1", "ports": [{"port": 0, "status": "open"}]}]', "'0' is not a port"),
            ('[{"ip": "192.0.2.1", "ports": ["22"]}]', "each port must be an object"),
        ],
    )
    def test_wrong_shape(self, tmp_path: Path, content: str, message: str) -> None:
        """JSON of the wrong shape raises ScanImportError naming the record and the field."""
        path = tmp_path / "masscan.json"
        path.write_text(content)
        with pytest.raises(ScanImportError, match=message):
            import_masscan_json(path)

    def test_binary_json(self, tmp_path: Path) -> None:
        """Binary bytes after a ``[`` are refused as malformed or non-UTF-8, not a crash."""
        path = tmp_path / "masscan.json"
        path.write_bytes(b"[\xff\xfe\x00\x9c")
        with pytest.raises(ScanImportError, match=r"not UTF-8 text|malformed masscan JSON"):
            import_scan(path)

    def test_host_bound(self, tmp_path: Path) -> None:
        """More hosts than the bound: a clear error, quickly."""
        path = tmp_path / "masscan.json"
        records = [{"ip": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "ports": []} for i in range(20_000)]
        path.write_text(json.dumps(records))
        with pytest.raises(ScanImportError, match="more than 10000 hosts"):
            import_masscan_json(path, max_hosts=10_000)
