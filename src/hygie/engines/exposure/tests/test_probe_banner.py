"""The banner probe names what speaks first, prompts a silent server with a bare CRLF at most, and stays bounded."""

from __future__ import annotations

import asyncio

import pytest

from hygie.engines.exposure.model import MAX_BANNER, Category
from hygie.engines.exposure.probes.banner import Recognition, recognise
from hygie.engines.exposure.tests.lab_data import identify, probe, probe_hostile
from hygie.engines.exposure.tests.netlab import LabServer


class TestRecognise:
    """First words name the protocol, and the product when they state it."""

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", Recognition("ssh", "OpenSSH", "9.2p1")),
            (b"SSH-2.0-dropbear_2022.83\r\n", Recognition("ssh", "Dropbear SSH", "2022.83")),
            (b"220 (vsFTPd 3.0.3)\r\n", Recognition("ftp", "vsftpd", "3.0.3")),
            (b"220 mail.chu-exemple.fr ESMTP Postfix (Debian/GNU)\r\n", Recognition("smtp", "Postfix", "")),
            (b"+OK Dovecot ready.\r\n", Recognition("pop3")),
            (b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n", Recognition("imap")),
            (b"RFB 003.008\n", Recognition("vnc", "RFB", "3.8")),
            (b"\xff\xfd\x18\xff\xfd\x20", Recognition("telnet")),
            (b"HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\n\r\n", Recognition("http", "nginx", "1.22.1")),
            (b"-DENIED Redis is running in protected mode\r\n", Recognition("redis", "Redis")),
            (b"ERROR\r\n", Recognition("memcached", "memcached")),
            (b"@RSYNCD: 31.0\n", Recognition("rsync", "rsync", "31.0")),
            (b"\x15\x03\x01\x00\x02\x02\x46", Recognition("tls")),
            (bytes(range(128, 256)), Recognition()),
            (b"hello\r\n", Recognition()),
        ],
    )
    def test_banners(self, data: bytes, expected: Recognition) -> None:
        """Given a server's first bytes, the recognised service."""
        assert expected == recognise(data)


@pytest.mark.lab
class TestLabServers:
    """Against real servers of the lab."""

    def test_mariadb_on_unusual_port(self, lab_mariadb_locked: LabServer) -> None:
        """Given MariaDB on 3307, its greeting names MySQL/MariaDB and its version."""
        service = probe("banner", lab_mariadb_locked.address, lab_mariadb_locked.port)
        assert ("mysql", Category.DATABASE, "MariaDB") == (service.name, service.category, service.product)
        assert service.version.startswith("10.")
        assert (False, "mysql") == (service.details["banner"]["prompted"], service.details["banner"]["recognised"])
        assert "MariaDB" in service.banner

    def test_named_service_pulls_its_probe(self, lab_mariadb_locked: LabServer) -> None:
        """Given MariaDB on 3307, identification runs the banner probe, then the MySQL probe it named."""
        service = identify(lab_mariadb_locked.address, lab_mariadb_locked.port)
        assert "banner" in service.details
        assert service.details["mysql"]["empty_root_password"] is False

    def test_prompted_memcached(self, lab_memcached: LabServer) -> None:
        """Given silent memcached, the HELP prompt draws its ERROR, which names it."""
        service = probe("banner", lab_memcached.address, lab_memcached.port)
        assert (True, "memcached") == (service.details["banner"]["prompted"], service.name)

    def test_silent_postgresql(self, lab_postgres_scram: LabServer) -> None:
        """Given PostgreSQL, silent, then hanging up on the prompt, the service is left as it was, with no banner."""
        service = probe("banner", lab_postgres_scram.address, lab_postgres_scram.port)
        assert {"silent": False, "closed": True, "prompted": True} == service.details["banner"]
        assert ("postgresql", "") == (service.name, service.banner)

    def test_openssh(self, remote_ssh_strong: LabServer) -> None:
        """Given OpenSSH, its identification string names SSH, OpenSSH and its version."""
        service = probe("banner", remote_ssh_strong.address, remote_ssh_strong.port)
        assert ("ssh", Category.REMOTE_ACCESS, "OpenSSH") == (service.name, service.category, service.product)
        assert service.banner.startswith("SSH-2.0-OpenSSH_")

    def test_vsftpd(self, remote_ftp_anonymous: LabServer) -> None:
        """Given vsftpd, its 220 greeting names FTP and vsftpd."""
        service = probe("banner", remote_ftp_anonymous.address, remote_ftp_anonymous.port)
        assert ("ftp", "vsftpd") == (service.name, service.product)


async def _endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            writer.write(b"SSH-2.0-" + b"A" * 65536)
            await writer.drain()
    except ConnectionError:
        return


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(bytes(range(256)) * 16)
    await writer.drain()
    await reader.read()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()


class TestHostileServers:
    """Hostile or odd servers: bounded reads, escaped banners, no crash."""

    def test_endless_banner(self) -> None:
        """Given a server streaming forever, one bounded read is kept, cut to the banner limit."""
        service, seconds = probe_hostile("banner", _endless, port=40001)
        assert "ssh" == service.name
        assert len(service.banner) <= MAX_BANNER
        assert seconds < 1

    def test_binary_garbage(self) -> None:
        """Given binary garbage, the banner is escaped printable ASCII and names nothing."""
        service, _ = probe_hostile("banner", _garbage, port=40001)
        assert "" == service.name
        assert service.banner.startswith("\\x00\\x01")
        assert all(0x20 <= ord(char) < 0x7F for char in service.banner)

    def test_hang_up(self) -> None:
        """Given a server closing at once, the probe records it without error."""
        service, _ = probe_hostile("banner", _hang_up, port=40001)
        assert {} == service.errors
        assert service.details["banner"]["closed"] is True

    def test_silent(self) -> None:
        """Given a server that never speaks, the probe waits twice the listening time and leaves it unidentified."""
        service, seconds = probe_hostile("banner", _silent, port=40001)
        assert {"silent": True, "closed": False, "prompted": True} == service.details["banner"]
        assert "" == service.name
        assert seconds < 5
