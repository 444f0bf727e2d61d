"""Lab web servers: one real nginx serving four planted sites (addresses .10-.13).

- .10:443 ``expired``: an EXPIRED self-signed certificate with a 1024-bit RSA key, TLS 1.0 enabled
  next to TLS 1.2 (``@SECLEVEL=0``), CBC suites with SHA-1 allowed, no HSTS; .10:80 a plain
  page without any login (the cleartext-login check's negative case).
- .11:443 ``edge``: a fake Ivanti Connect Secure sign-in portal with the real product's tell-tales
  (``/`` redirects to ``/dana-na/auth/url_default/welcome.cgi``, DSSignInURL cookie, title) and
  version file ``/dana-na/nc/nc_gina_ver.txt`` disclosing 22.3.1.1471 (22.3R1, affected by the
  KEV-listed CVE-2023-46805 and CVE-2024-21887), behind a valid certificate from the lab CA.
- .12:443 ``healthy``: a lab-CA-signed certificate through an intermediate CA, TLS 1.2 and 1.3
  with AEAD suites only, HSTS: no finding expected.
- .13:10000 ``webmin``: a Webmin-like login page over plain HTTP (title, ``MiniServ/2.021``
  header, password form); .13:80 ``printer``: an HP LaserJet-like status page over plain HTTP.

Certificates are generated with ``cryptography`` into ``netlab.workdir``; page bodies are inline
in the nginx configuration, so nginx's workers read no file. The certificate chains of .11 and
.12 include the lab root, which no system store knows.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from hygie.engines.exposure import checks as _checks  # noqa: F401 - registers every check
from hygie.engines.exposure.identify import identify_service, new_service, probe_once
from hygie.engines.exposure.model import Host, Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.registry import CHECKS, KINDS, CheckKind, JudgeContext, ServiceCheckImpl

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.tests.netlab import NetLab

__all__ = ["web_lab"]

#: The Ivanti Connect Secure build the edge site discloses (22.3R1).
EDGE_VERSION = "22.3.1.1471"
HEALTHY_NAME = "portail.lab.test"
EDGE_NAME = "vpn.lab.test"

_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class WebSite:
    """A planted site: where it listens and what was planted there."""

    address: str
    port: int
    planted: tuple[str, ...] = ()
    server_name: str | None = None


@dataclass(frozen=True, slots=True)
class WebLab:
    """The four sites of the web lab (see the module docstring) and the lab CA's root certificate."""

    expired: WebSite
    expired_http: WebSite
    edge: WebSite
    healthy: WebSite
    webmin: WebSite
    printer: WebSite
    root_sha256: str = ""
    sites: tuple[WebSite, ...] = field(default=())


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hygie lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    key: _PrivateKey,
    *,
    issuer: tuple[x509.Certificate, _PrivateKey] | None = None,
    names: tuple[str, ...] = (),
    valid: tuple[datetime, datetime],
    ca: bool = False,
) -> x509.Certificate:
    """A certificate for ``key``, self-signed unless ``issuer`` (certificate, key) is given."""
    issuer_name = issuer[0].subject if issuer else _name(subject)
    signing_key = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        entries: list[x509.GeneralName] = []
        for name in names:
            try:
                entries.append(x509.IPAddress(ip_address(name)))
            except ValueError:
                entries.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _write(directory: Path, stem: str, key: _PrivateKey, chain: list[x509.Certificate]) -> tuple[Path, Path]:
    key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    return cert_path, key_path


def _nginx_string(text: str) -> str:
    """``text`` as a single-quoted nginx string (no single quote or backslash inside our pages)."""
    if "'" in text or "\\" in text:
        raise ValueError("lab page bodies must not contain quotes or backslashes")
    return f"'{text}'"


_EDGE_WELCOME = (
    "<!DOCTYPE html><html><head><title>Ivanti Connect Secure</title>"
    '<link rel="stylesheet" href="/dana-na/css/ds.css"></head><body>'
    '<form name="frmLogin" action="/dana-na/auth/url_default/login.cgi" method="POST">'
    '<input type="text" name="username"><input type="password" name="password">'
    '<input type="hidden" name="realm" value="Users"><input type="submit" value="Sign In"></form>'
    "</body></html>"
)
_EDGE_VERSION_FILE = (
    '<OBJECT ID="NeoterisSetup" CLASSID="CLSID:00000000-0000-0000-0000-000000000000">\n'
    '<PARAM NAME="ProductName" VALUE="Ivanti Connect Secure">\n'
    f'<PARAM NAME="ProductVersion" VALUE="{EDGE_VERSION}">\n'
    "</OBJECT>\n"
)
_WEBMIN = (
    "<!DOCTYPE html><html><head><title>Login to Webmin</title></head><body>"
    '<form method="post" action="/session_login.cgi"><input name="user">'
    '<input type="password" name="pass"><button type="submit">Sign in</button></form></body></html>'
)
_PRINTER = (
    "<html><head><title>HP LaserJet Pro M404dn &nbsp; 10.0.0.13</title></head>"
    "<body><h1>Device Status</h1><p>Ready</p></body></html>"
)
_PLAIN = "<html><head><title>Centre hospitalier - intranet</title></head><body>Bienvenue</body></html>"
_HEALTHY = "<html><head><title>Portail patients</title></head><body>Bonjour</body></html>"


def _nginx_conf(lab: NetLab, certs: dict[str, tuple[Path, Path]], root: Path) -> str:
    a = lab.address
    html = "default_type text/html;"
    return f"""
worker_processes 1;
pid {root}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    keepalive_requests 20;
    server {{
        listen {a(10)}:443 ssl;
        ssl_certificate {certs["expired"][0]}; ssl_certificate_key {certs["expired"][1]};
        ssl_protocols TLSv1 TLSv1.2;
        ssl_ciphers 'HIGH:!aNULL:@SECLEVEL=0';
        location / {{ {html} return 200 {_nginx_string(_PLAIN)}; }}
    }}
    server {{
        listen {a(10)}:80;
        location / {{ {html} return 200 {_nginx_string(_PLAIN)}; }}
    }}
    server {{
        listen {a(11)}:443 ssl;
        ssl_certificate {certs["edge"][0]}; ssl_certificate_key {certs["edge"][1]};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers 'ECDHE+AESGCM:ECDHE+CHACHA20';
        location = / {{ return 302 /dana-na/auth/url_default/welcome.cgi; }}
        location = /dana-na/auth/url_default/welcome.cgi {{
            add_header Set-Cookie 'DSSignInURL=/; path=/; secure';
            {html} return 200 {_nginx_string(_EDGE_WELCOME)};
        }}
        location = /dana-na/nc/nc_gina_ver.txt {{
            default_type text/plain; return 200 {_nginx_string(_EDGE_VERSION_FILE)};
        }}
        location / {{ return 404; }}
    }}
    server {{
        listen {a(12)}:443 ssl;
        ssl_certificate {certs["healthy"][0]}; ssl_certificate_key {certs["healthy"][1]};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers 'ECDHE+AESGCM:ECDHE+CHACHA20';
        add_header Strict-Transport-Security 'max-age=31536000; includeSubDomains' always;
        add_header X-Content-Type-Options nosniff always;
        add_header X-Frame-Options DENY always;
        add_header Content-Security-Policy "default-src 'self'" always;
        location / {{ {html} return 200 {_nginx_string(_HEALTHY)}; }}
    }}
    server {{
        listen {a(13)}:10000;
        add_header Server 'MiniServ/2.021';
        location / {{ {html} return 200 {_nginx_string(_WEBMIN)}; }}
    }}
    server {{
        listen {a(13)}:80;
        location / {{ {html} return 200 {_nginx_string(_PRINTER)}; }}
    }}
}}
"""


def _pki(directory: Path, lab: NetLab) -> tuple[dict[str, tuple[Path, Path]], str]:
    """Keys and certificates of the four TLS sites; returns their (cert, key) paths and the root's SHA-256."""
    now = datetime.now(UTC)
    year = (now - timedelta(days=1), now + timedelta(days=365))
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate(
        "Hygie lab root CA", root_key, valid=(now - timedelta(days=30), now + timedelta(days=3650)), ca=True
    )
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _certificate("Hygie lab issuing CA", inter_key, issuer=(root, root_key), valid=year, ca=True)
    expired_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the planted weak key
    expired = _certificate(
        "intranet.lab.test",
        expired_key,
        names=("intranet.lab.test",),
        valid=(now - timedelta(days=800), now - timedelta(days=35)),
    )
    edge_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    edge = _certificate(EDGE_NAME, edge_key, issuer=(root, root_key), names=(EDGE_NAME, lab.address(11)), valid=year)
    healthy_key = ec.generate_private_key(ec.SECP256R1())
    healthy = _certificate(
        HEALTHY_NAME, healthy_key, issuer=(inter, inter_key), names=(HEALTHY_NAME, lab.address(12)), valid=year
    )
    certs = {
        "expired": _write(directory, "expired", expired_key, [expired]),
        "edge": _write(directory, "edge", edge_key, [edge, root]),
        "healthy": _write(directory, "healthy", healthy_key, [healthy, inter, root]),
    }
    return certs, root.fingerprint(hashes.SHA256()).hex()


@pytest.fixture(scope="session")
def web_lab(netlab: NetLab) -> WebLab:
    """The nginx serving the four planted sites (started once per session, on first use)."""
    if shutil.which("nginx") is None:
        pytest.skip("the web lab needs nginx (Debian package nginx-light)")
    for index in (10, 11, 12, 13):
        netlab.add_address(index)
    root = netlab.workdir / "web"
    root.mkdir(exist_ok=True)
    certs, root_sha256 = _pki(root, netlab)
    conf = root / "nginx.conf"
    conf.write_text(_nginx_conf(netlab, certs, root))
    a = netlab.address
    netlab.start(
        "nginx-web",
        ["nginx", "-e", "stderr", "-p", str(root), "-c", str(conf), "-g", "daemon off;"],
        ready=(a(10), 443),
    )
    for address, port in ((a(10), 80), (a(11), 443), (a(12), 443), (a(13), 10000), (a(13), 80)):
        netlab.wait_port(address, port)
    expired = WebSite(
        a(10), 443, ("expired", "self_signed", "rsa_1024", "tls1.0", "cbc_sha1", "no_hsts"), "intranet.lab.test"
    )
    sites = (
        expired,
        WebSite(a(10), 80, ()),
        WebSite(a(11), 443, ("ivanti_connect_secure", EDGE_VERSION, "no_hsts", "password_form"), EDGE_NAME),
        WebSite(a(12), 443, (), HEALTHY_NAME),
        WebSite(a(13), 10000, ("webmin", "cleartext_login"), None),
        WebSite(a(13), 80, ("printer_hp", "cleartext_admin"), None),
    )
    return WebLab(*sites, root_sha256=root_sha256, sites=sites)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.contextmanager
def hostile_web_server(handler: Handler) -> Iterator[int]:
    """A scripted server on 127.0.0.1 (hostile-input tests), running in its own thread; yields its port.

    On exit the server stops and every connection handler still running is cancelled.
    """
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    ports: list[int] = []
    stop = asyncio.Event()

    async def serve() -> None:
        async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # A scripted handler ends by error or by cancellation at shutdown: both are expected.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await handler(reader, writer)
            writer.close()

        server = await asyncio.start_server(guarded, "127.0.0.1", 0)
        ports.append(server.sockets[0].getsockname()[1])
        ready.set()
        await stop.wait()
        server.close()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    if not ready.wait(5):
        raise RuntimeError("the hostile test server did not start")
    try:
        yield ports[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
        if not thread.is_alive():
            loop.close()


def probe_service(
    probe_id: str | None,
    address: str,
    port: int,
    *,
    service: Service | None = None,
    server_name: str | None = None,
    policy: ScanPolicy | None = None,
) -> Service:
    """Run probe ``probe_id`` (or, with None, every probe that applies, in order) as the audit does.

    Failures land in ``service.errors`` as in an audit; the filled service is returned.
    """
    policy = policy or ScanPolicy()
    target = service or new_service(port)
    rate, gate = RateLimiter(policy.rate), HostGate(policy)
    if probe_id is None:
        coroutine = identify_service(address, target, policy=policy, rate=rate, gate=gate, server_name=server_name)
    else:
        coroutine = probe_once(probe_id, address, target, policy=policy, rate=rate, gate=gate, server_name=server_name)
    asyncio.run(coroutine)
    return target


def judge(service: Service, address: str = "198.18.0.10", *, now: datetime | None = None) -> list[Finding]:
    """The findings of every registered service check on ``service``."""
    host = Host(address, services=[service])
    context = JudgeContext(now=now or datetime.now(UTC))
    findings: list[Finding] = []
    for spec in CHECKS:
        if KINDS[spec.check_id] is CheckKind.SERVICE:
            check = cast("ServiceCheckImpl", spec.implementation)
            findings.extend(check(host, service, context))
    return findings
