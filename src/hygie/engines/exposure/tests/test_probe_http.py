"""HTTP probe against the lab's real nginx, the web signatures and checks, and hostile HTTP servers."""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, Any

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.identify import probe_once
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.probes.http import MAX_BODY_BYTES, page_title
from hygie.engines.exposure.registry import CHECKS
from hygie.engines.exposure.signatures import SIGNATURES, Page, cpe_name, identify, paths_to_follow, server_product
from hygie.engines.exposure.tests.lab_web import EDGE_VERSION, hostile_web_server, judge, probe_service

if TYPE_CHECKING:
    from hygie.engines.exposure.tests.lab_web import WebLab

FAST = ScanPolicy(connect_timeout=1.0, probe_timeout=2.0)
WEB_CHECKS = {s.check_id for s in CHECKS if s.check_id.startswith(("exposure.http_", "exposure.edge_"))}


def web_ids(service: Service) -> set[str]:
    """The web check ids that fire on ``service``."""
    return {f.check_id for f in judge(service) if f.check_id in WEB_CHECKS}


@pytest.mark.lab
class TestHttpProbeOnLab:
    """The probe names what the real nginx serves; the checks find what was planted and nothing else."""

    def test_edge_portal_and_its_version(self, web_lab: WebLab) -> None:
        site = web_lab.edge
        service = probe_service(None, site.address, site.port, server_name=site.server_name)
        http = service.details["http"]
        assert ("Ivanti Connect Secure", EDGE_VERSION) == (service.product, service.version)
        assert f"cpe:2.3:a:ivanti:connect_secure:{EDGE_VERSION}:*:*:*:*:*:*:*" == service.cpe
        assert Category.VPN == service.category
        assert "Ivanti" == http["edge"]["vendor"]
        assert http["edge"]["evidence"]
        assert http["location"].endswith("/dana-na/auth/url_default/welcome.cgi")
        asked = [page["path"] for page in http["pages"]]
        assert ["/", "/dana-na/auth/url_default/welcome.cgi", "/dana-na/nc/nc_gina_ver.txt"] == asked
        assert "/dana-na/auth/url_default/welcome.cgi" == http["password_form"]
        findings = {f.check_id: f for f in judge(service) if f.check_id in WEB_CHECKS}
        assert {"exposure.edge_device_exposed", "exposure.http_missing_hsts"} == set(findings)
        assert Severity.MEDIUM == findings["exposure.edge_device_exposed"].severity

    def test_one_connection_for_every_request(self, web_lab: WebLab) -> None:
        site = web_lab.edge
        policy = ScanPolicy()
        gate = HostGate(policy)
        service = Service(port=site.port, name="https", tls={"version": "TLSv1.3"})
        asyncio.run(probe_once("http", site.address, service, policy=policy, rate=RateLimiter(100), gate=gate))
        assert 3 == len(service.details["http"]["pages"])
        assert 1 == gate.used[site.address]

    def test_healthy_site_gives_no_finding(self, web_lab: WebLab) -> None:
        site = web_lab.healthy
        service = probe_service(None, site.address, site.port, server_name=site.server_name)
        http = service.details["http"]
        assert ("https", 200, "Portail patients") == (http["scheme"], http["status"], http["title"])
        assert all(http["security_headers"].values())
        assert ("nginx", "1.22.1") == (service.product, service.version)
        assert "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*" == service.cpe
        assert set() == web_ids(service)

    def test_webmin_over_http(self, web_lab: WebLab) -> None:
        site = web_lab.webmin
        service = probe_service(None, site.address, site.port)
        assert ("http", "Webmin", "2.021") == (service.name, service.product, service.version)
        assert "webmin" == service.details["http"]["admin"]["key"]
        assert {"exposure.http_admin_interface", "exposure.http_cleartext_login"} == web_ids(service)

    def test_printer_page_over_http(self, web_lab: WebLab) -> None:
        site = web_lab.printer
        service = probe_service("http", site.address, site.port)
        assert "printer_hp" == service.details["http"]["admin"]["key"]
        assert "HP LaserJet Pro M404dn 10.0.0.13" == service.details["http"]["title"]
        assert {"exposure.http_admin_interface", "exposure.http_cleartext_login"} == web_ids(service)

    def test_plain_site_without_login(self, web_lab: WebLab) -> None:
        site = web_lab.expired_http
        service = probe_service("http", site.address, site.port)
        assert ("http", 200) == (service.name, service.details["http"]["status"])
        assert set() == web_ids(service)

    def test_sniff_names_an_unknown_http_port(self, web_lab: WebLab) -> None:
        site = web_lab.expired_http
        service = probe_service("http_sniff", site.address, site.port, service=Service(port=site.port))
        assert ("http", "nginx") == (service.name, service.product)
        assert Category.WEB == service.category

    def test_missing_hsts_on_the_expired_site(self, web_lab: WebLab) -> None:
        site = web_lab.expired
        service = probe_service(None, site.address, site.port)
        assert {"exposure.http_missing_hsts"} == web_ids(service)


def _reply(*chunks: bytes, linger: float = 3.0) -> Any:
    """A handler reading one request and sending ``chunks``."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        await asyncio.sleep(linger)

    return handler


def _endless(head: bytes, piece: bytes) -> Any:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(head)
        for _ in range(100_000):  # bounded here only so that a broken probe cannot hang the test run
            writer.write(piece)
            await writer.drain()

    return handler


async def _trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    for byte in b"HTTP/1.1 200 OK\r\nServer: slow\r\n" * 100:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(0.05)


def _run(handler: Any, probe_id: str = "http") -> tuple[Service, float]:
    with hostile_web_server(handler) as port:
        started = time.monotonic()
        service = probe_service(probe_id, "127.0.0.1", port, service=Service(port=port, name="http"), policy=FAST)
    return service, time.monotonic() - started


class TestHostileHttpServers:
    """Endless, binary, oversized or slow answers cost a bounded time and memory, never a hang."""

    @pytest.mark.parametrize(
        ("head", "piece"),
        [
            (b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n", b"A" * 8192),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"2000\r\n" + b"B" * 8192 + b"\r\n"),
            (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>x</title>", b"C" * 8192),
        ],
        ids=["content-length", "chunked", "until-close"],
    )
    def test_endless_body_is_cut(self, head: bytes, piece: bytes) -> None:
        service, elapsed = _run(_endless(head, piece))
        pages = service.details["http"]["pages"]
        assert elapsed < 4.0
        assert [(MAX_BODY_BYTES, True)] == [(p["bytes"], p["truncated"]) for p in pages]

    def test_binary_answer(self) -> None:
        service, elapsed = _run(_reply(os.urandom(4096)))
        assert elapsed < 4.0
        assert "not an HTTP answer" in service.errors["http"]
        assert "http" not in service.details

    def test_huge_headers(self) -> None:
        service, elapsed = _run(_endless(b"HTTP/1.1 200 OK\r\n", b"X-Padding: " + b"p" * 1000 + b"\r\n"))
        assert elapsed < 4.0
        assert "within" in service.errors["http"]

    def test_trickling_server_hits_the_time_limit(self) -> None:
        service, elapsed = _run(_trickle)
        assert elapsed < 4.0
        assert "http" in service.errors

    def test_silent_server(self) -> None:
        service, elapsed = _run(_reply(linger=10.0))
        assert elapsed < 4.0
        assert "http" in service.errors

    @pytest.mark.parametrize(
        "location",
        [b"http://198.51.100.9/elsewhere", b"/a b", b"//198.51.100.9/x"],
        ids=["off-site", "space", "scheme-relative"],
    )
    def test_unsafe_redirects_are_not_followed(self, location: bytes) -> None:
        answer = b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for _ in range(3):
                await reader.readuntil(b"\r\n\r\n")
                writer.write(answer)
                await writer.drain()

        service, _ = _run(handler)
        assert ["/"] == [p["path"] for p in service.details["http"]["pages"]]

    def test_close_after_first_answer_keeps_it(self) -> None:
        first = b"HTTP/1.1 302 Found\r\nLocation: /remote/login\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        service, _ = _run(_reply(first, linger=0))
        http = service.details["http"]
        assert 302 == http["status"]
        assert "fortinet_fortigate" == http["edge"]["key"]
        assert {} == service.errors

    def test_sniff_gives_up_on_non_http(self) -> None:
        service, elapsed = _run(_reply(b"SSH-2.0-OpenSSH_9.2\r\n"), probe_id="http_sniff")
        assert elapsed < 4.0
        assert "http_sniff" in service.errors


def _page(path: str = "/", status: int = 200, **kwargs: Any) -> Page:
    return Page(path=path, status=status, **kwargs)


EDGE_PAGES: dict[str, list[Page]] = {
    "fortinet_fortigate": [_page(status=302, headers=(("location", "/remote/login?lang=en"),))],
    "ivanti_connect_secure": [_page(headers=(("set-cookie", "DSSignInURL=/; path=/"),))],
    "citrix_netscaler": [_page(title="NetScaler Gateway", body='<script src="/vpn/js/gateway_login.js">')],
    "paloalto_globalprotect": [_page(title="GlobalProtect Portal")],
    "cisco_asa": [_page(status=302, headers=(("location", "/+CSCOE+/logon.html"),))],
    "sonicwall_sma": [_page(headers=(("server", "SonicWALL SSL-VPN Web Server"),))],
    "sonicwall_sonicos": [_page(headers=(("server", "SonicWALL"),), body='<a href="/sonicui/7/login/">')],
    "checkpoint_gateway": [_page(title="Check Point Mobile", body="/sslvpn/Login/Login")],
    "f5_bigip": [_page(headers=(("set-cookie", "BIGipServerpool_web=1677787402.20480.0000; path=/"),))],
    "webmin": [_page(headers=(("server", "MiniServ/2.105"),))],
    "hpe_ilo": [_page(headers=(("server", "HPE-iLO-Server/1.30"),))],
    "dell_idrac": [_page(title="iDRAC9 - Login")],
    "vmware_esxi": [_page(body='<div id="ID_EESX_Welcome">')],
    "apache_tomcat": [_page(title="Apache Tomcat/9.0.50")],
    "phpmyadmin": [_page(title="phpMyAdmin")],
    "orthanc": [_page(status=302, headers=(("location", "/app/explorer.html"),))],
    "printer_xerox": [_page(title="CentreWare Internet Services")],
}


class TestSignatures:
    """The signature data names each product from its public tell-tales, and nothing from a plain page."""

    @pytest.mark.parametrize("key", sorted(EDGE_PAGES))
    def test_each_product_is_named(self, key: str) -> None:
        found = identify(EDGE_PAGES[key])
        assert found is not None
        assert key == found.signature.key
        assert found.evidence

    def test_every_signature_has_a_description_and_a_marker(self) -> None:
        keys = [s.key for s in SIGNATURES]
        assert len(keys) == len(set(keys))
        assert all(s.description and s.markers for s in SIGNATURES)

    def test_plain_pages_are_not_products(self) -> None:
        plain = _page(title="Centre hospitalier", headers=(("server", "nginx/1.22.1"),), body="<p>Bienvenue</p>")
        assert identify([plain]) is None

    def test_cisco_asa_version_from_config_auth(self) -> None:
        pages = [
            *EDGE_PAGES["cisco_asa"],
            _page(
                "/CSCOSSLC/config-auth",
                body='<?xml version="1.0"?><config-auth client="vpn" type="complete">'
                '<version who="sg">9.16(4)</version></config-auth>',
            ),
        ]
        assert "/CSCOSSLC/config-auth" in paths_to_follow(pages[:1])
        found = identify(pages)
        assert found is not None
        assert "9.16(4)" == found.version
        assert r"cpe:2.3:o:cisco:adaptive_security_appliance_software:9.16\(4\):*:*:*:*:*:*:*" == found.cpe

    def test_version_only_from_a_successful_answer(self) -> None:
        error_page = _page(
            "/dana-na/nc/nc_gina_ver.txt",
            status=404,
            body='<PARAM NAME="ProductVersion" VALUE="1.2.3">',
            headers=(("set-cookie", "DSID=x"),),
        )
        found = identify([error_page])
        assert found is not None
        assert ("", "cpe:2.3:a:ivanti:connect_secure:*:*:*:*:*:*:*:*") == (found.version, found.cpe)

    @pytest.mark.parametrize(
        ("server", "expected"),
        [
            ("nginx/1.22.1", ("nginx", "1.22.1", "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*")),
            (
                "Apache/2.4.62 (Debian)",
                ("Apache HTTP Server", "2.4.62", "cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*"),
            ),
            (
                "Microsoft-IIS/10.0",
                ("Microsoft IIS", "10.0", "cpe:2.3:a:microsoft:internet_information_services:10.0:*:*:*:*:*:*:*"),
            ),
            ("nginx", ("nginx", "", "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*")),
            ("\x00\xff", ("", "", "")),
        ],
    )
    def test_server_product(self, server: str, expected: tuple[str, str, str]) -> None:
        assert expected == server_product(server)

    def test_cpe_escapes_the_version(self) -> None:
        assert r"cpe:2.3:a:v:p:1.0\:beta:*:*:*:*:*:*:*" == cpe_name("a", "v", "p", "1.0:beta")

    @pytest.mark.parametrize(
        ("body", "title"),
        [
            (b"<html><head><TITLE>\n  Portail   &amp; VPN </TITLE>", "Portail & VPN"),
            (b"<title>\x1b[31mred</title>", "\\x1b[31mred"),
            (b"<title>unterminated", ""),
            (b"no title", ""),
        ],
    )
    def test_page_title(self, body: bytes, title: str) -> None:
        assert title == page_title(body)


def _http_service(scheme: str = "https", **observed: Any) -> Service:
    http: dict[str, Any] = {
        "scheme": scheme,
        "status": 200,
        "title": "",
        "password_form": "",
        "www_authenticate": "",
        "security_headers": {"strict-transport-security": "max-age=63072000"},
    }
    http.update(observed)
    return Service(port=443 if scheme == "https" else 80, name=scheme, details={"http": http})


EDGE = {"vendor": "Fortinet", "product": "FortiOS", "version": "", "cpe": "", "evidence": ["/ location: /remote/login"]}


class TestWebChecks:
    """Each web check fires on its weakness and stays silent without it."""

    def test_sound_https_site(self) -> None:
        assert set() == web_ids(_http_service())

    @pytest.mark.parametrize(("header", "fires"), [(None, True), ("max-age=0", True), ("max-age=300", False)])
    def test_hsts(self, header: str | None, fires: bool) -> None:
        service = _http_service(security_headers={"strict-transport-security": header})
        assert fires == ("exposure.http_missing_hsts" in web_ids(service))

    def test_no_hsts_judgement_on_http(self) -> None:
        assert set() == web_ids(_http_service("http", security_headers={}))

    @pytest.mark.parametrize(
        ("observed", "fires"),
        [
            ({"password_form": "/login"}, True),
            ({"www_authenticate": 'Basic realm="Tomcat Manager Application"'}, True),
            ({"www_authenticate": 'Digest realm="x"'}, False),
            ({"edge": EDGE}, True),
            ({}, False),
        ],
    )
    def test_cleartext_login(self, observed: dict[str, Any], fires: bool) -> None:
        assert fires == ("exposure.http_cleartext_login" in web_ids(_http_service("http", **observed)))

    def test_cleartext_login_needs_cleartext(self) -> None:
        assert "exposure.http_cleartext_login" not in web_ids(_http_service(password_form="/login"))

    @pytest.mark.parametrize(("version", "severity"), [("", Severity.INFO), ("7.2.4", Severity.MEDIUM)])
    def test_edge_device(self, version: str, severity: Severity) -> None:
        service = _http_service(edge={**EDGE, "version": version})
        findings = [f for f in judge(service) if f.check_id == "exposure.edge_device_exposed"]
        assert [severity] == [f.severity for f in findings]
        assert version == findings[0].evidence["version"]

    def test_admin_interface(self) -> None:
        admin = {
            "vendor": "Apache",
            "product": "Apache Tomcat",
            "version": "9.0.50",
            "evidence": ["/ title: Apache Tomcat"],
        }
        assert {"exposure.http_admin_interface"} == web_ids(_http_service(admin=admin))

    @pytest.mark.parametrize(
        "details", [{}, {"http": "garbage"}, {"http": {"status": "200"}}, {"http": {"status": 200, "edge": "x"}}]
    )
    def test_imported_or_malformed_observations_are_silent(self, details: dict[str, Any]) -> None:
        assert set() == web_ids(Service(port=443, name="https", details=details, source="nmap"))
