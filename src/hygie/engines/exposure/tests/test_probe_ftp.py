"""The FTP probe reads real vsftpd greetings, features and anonymous-login answers; the checks judge them."""

from __future__ import annotations

import asyncio
import time

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.ftp import ANONYMOUS_PASSWORD, banner_product
from hygie.engines.exposure.tests.lab_remote import Handler, hostile_server, remote_findings, run_probe
from hygie.engines.exposure.tests.netlab import LabServer

FAST = ScanPolicy(probe_timeout=2.0, max_read_bytes=64 * 1024)


@pytest.mark.lab
class TestFtpProbeOnVsftpd:
    """Against vsftpd, the probe names the product and learns login and TLS policy."""

    def test_anonymous_server(self, remote_ftp_anonymous: LabServer) -> None:
        service = run_probe("ftp", remote_ftp_anonymous.address, 21)
        ftp = service.details["ftp"]
        assert ("ftp", "vsftpd") == (service.name, service.product)
        assert service.cpe.startswith(f"cpe:2.3:a:vsftpd_project:vsftpd:{service.version}:")
        assert Category.FILE_SHARING == service.category
        assert "vsFTPd" in service.banner
        assert ftp["anonymous"] is True
        assert ftp["pass_reply"].startswith("230")
        assert ftp["auth_tls"] is False
        assert "PASV" in ftp["features"]

    def test_hardened_server(self, remote_ftp_tls: LabServer) -> None:
        service = run_probe("ftp", remote_ftp_tls.address, 21)
        ftp = service.details["ftp"]
        assert ftp["anonymous"] is False
        assert ftp["user_reply"].startswith("530")
        assert "pass_reply" not in ftp
        assert ftp["auth_tls"] is True
        assert "AUTH TLS" in ftp["features"]


@pytest.mark.lab
class TestFtpChecksOnVsftpd:
    """Anonymous login and cleartext findings on the open server, none on the hardened one."""

    def test_open_server(self, remote_ftp_anonymous: LabServer) -> None:
        service = run_probe("ftp", remote_ftp_anonymous.address, 21)
        findings = remote_findings(remote_ftp_anonymous.address, service)
        assert {"exposure.ftp_anonymous_login", "exposure.ftp_cleartext"} == set(findings)
        assert Severity.HIGH == findings["exposure.ftp_anonymous_login"].severity
        assert Severity.MEDIUM == findings["exposure.ftp_cleartext"].severity
        assert "230" in findings["exposure.ftp_anonymous_login"].evidence["pass_reply"]

    def test_hardened_server(self, remote_ftp_tls: LabServer) -> None:
        service = run_probe("ftp", remote_ftp_tls.address, 21)
        assert {} == remote_findings(remote_ftp_tls.address, service)


class TestFtpProducts:
    """Greetings name products and versions the CVE matching can use."""

    @pytest.mark.parametrize(
        ("greeting", "expected"),
        [
            ("(vsFTPd 3.0.3)", ("vsftpd", "3.0.3", "cpe:2.3:a:vsftpd_project:vsftpd:3.0.3:*:*:*:*:*:*:*")),
            ("ProFTPD 1.3.5e Server (Debian)", ("ProFTPD", "1.3.5e", "cpe:2.3:a:proftpd:proftpd:1.3.5e:*:*:*:*:*:*:*")),
            ("Microsoft FTP Service", ("Microsoft IIS FTP", "", "")),
            ("Welcome", ("", "", "")),
        ],
    )
    def test_banner_product(self, greeting: str, expected: tuple[str, str, str]) -> None:
        assert expected == banner_product(greeting)

    def test_imported_service_without_details(self) -> None:
        assert {} == remote_findings("192.0.2.1", Service(port=21, name="ftp", source="nmap"))

    def test_unknown_tls_support_is_not_judged(self) -> None:
        service = Service(port=21, details={"ftp": {"greeting_code": 421, "greeting": "Too many users"}})
        assert {} == remote_findings("192.0.2.1", service)


def scripted(lines: list[bytes], *, forever: bytes = b"") -> Handler:
    """A handler answering each command with the next of ``lines`` (then ``forever``, endlessly)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for line in lines:
            writer.write(line)
            await writer.drain()
            if not await reader.readline():
                return
        while forever:
            writer.write(forever)
            await writer.drain()
        await asyncio.sleep(10)

    return handler


class TestFtpScriptedServers:
    """Multi-line replies are followed; endless or garbage ones end in ``ProbeError`` quickly."""

    def probe(self, lines: list[bytes], *, forever: bytes = b"") -> Service:
        with hostile_server(scripted(lines, forever=forever)) as port:
            started = time.monotonic()
            try:
                return run_probe("ftp", "127.0.0.1", port, policy=FAST)
            finally:
                assert time.monotonic() - started < 3.5

    def test_multi_line_replies_and_login_without_password(self) -> None:
        service = self.probe(
            [
                b"220-Welcome to the\r\n  hospital archive\r\n220 ready\r\n",
                b"211-Features:\r\n AUTH TLS\r\n MDTM\r\n211 End\r\n",
                b"230 Logged in, no password needed\r\n",
                b"221 Bye\r\n",
            ]
        )
        ftp = service.details["ftp"]
        assert ftp["anonymous"] is True
        assert ftp["auth_tls"] is True
        assert "pass_reply" not in ftp
        assert "hospital archive" in ftp["greeting"]

    def test_feat_unsupported(self) -> None:
        service = self.probe([b"220 old server\r\n", b"500 FEAT not understood\r\n", b"530 no\r\n", b"221 Bye\r\n"])
        ftp = service.details["ftp"]
        assert (False, False, False) == (ftp["feat_supported"], ftp["auth_tls"], ftp["anonymous"])

    def test_password_is_the_harmless_address(self) -> None:
        seen: list[bytes] = []

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for answer in (b"220 hi\r\n", b"502 no\r\n", b"331 pass?\r\n", b"530 no\r\n", b"221 bye\r\n"):
                writer.write(answer)
                await writer.drain()
                seen.append(await reader.readline())

        with hostile_server(handler) as port:
            run_probe("ftp", "127.0.0.1", port, policy=FAST)
        expected = [b"FEAT\r\n", b"USER anonymous\r\n", f"PASS {ANONYMOUS_PASSWORD}\r\n".encode(), b"QUIT\r\n"]
        assert expected == seen[:4]

    def test_multi_line_reply_that_never_ends(self) -> None:
        with pytest.raises(ProbeError, match="more than 64 lines"):
            self.probe([], forever=b"220-still talking\r\n")

    def test_endless_line(self) -> None:
        with pytest.raises(ProbeError, match="1024 bytes"):
            self.probe([], forever=b"220-" + b"x" * 4096)

    def test_binary_garbage(self) -> None:
        with pytest.raises(ProbeError, match="not an FTP reply"):
            self.probe([], forever=bytes(range(256)))

    def test_silent_server(self) -> None:
        with pytest.raises(ProbeError, match="timeout"):
            self.probe([])
