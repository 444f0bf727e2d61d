"""The database probes tell open databases from protected ones, read-only, and survive hostile servers."""

from __future__ import annotations

import asyncio
import struct

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.probes.databases import mysql_product, parse_mysql_greeting
from hygie.engines.exposure.tests.lab_data import findings, probe, probe_hostile
from hygie.engines.exposure.tests.netlab import LabServer

NO_AUTH = "exposure.db_no_authentication"


def _assert_open(service: Service, name: str, product: str) -> None:
    """The probe succeeded, named the database, and the check calls it open to anyone."""
    assert {} == service.errors
    assert (name, Category.DATABASE, product) == (service.name, service.category, service.product)
    finding = findings("198.18.0.1", service)[NO_AUTH]
    assert Severity.CRITICAL == finding.severity
    assert product == finding.evidence["database"]


def _assert_protected(service: Service, name: str) -> None:
    assert {} == service.errors
    assert name == service.name
    assert NO_AUTH not in findings("198.18.0.1", service)


@pytest.mark.lab
class TestPostgreSQL:
    """Against PostgreSQL clusters with trust and with scram-sha-256 in pg_hba.conf."""

    def test_trust(self, lab_postgres_trust: LabServer) -> None:
        """Given trust, the probe logs in as postgres, reads the server version and sets the CPE."""
        service = probe("postgresql", lab_postgres_trust.address, 5432)
        observed = service.details["postgresql"]
        assert ("trust", True) == (observed["authentication"], observed["unauthenticated"])
        assert service.version
        assert service.version == observed["parameters"]["server_version"].split(" ")[0]
        assert f"cpe:2.3:a:postgresql:postgresql:{service.version}:*:*:*:*:*:*:*" == service.cpe
        _assert_open(service, "postgresql", "PostgreSQL")

    def test_scram(self, lab_postgres_scram: LabServer) -> None:
        """Given scram-sha-256, the probe records the method asked and goes no further."""
        service = probe("postgresql", lab_postgres_scram.address, 5432)
        observed = service.details["postgresql"]
        assert ("scram-sha-256", False) == (observed["authentication"], observed["unauthenticated"])
        assert ["SCRAM-SHA-256"] == observed["sasl_mechanisms"][:1]
        _assert_protected(service, "postgresql")


@pytest.mark.lab
class TestMySQL:
    """Against MariaDB with and without a root password."""

    def test_empty_root_password(self, lab_mariadb_open: LabServer) -> None:
        """Given root@'%' without password, the login succeeds and MariaDB is identified from the greeting."""
        service = probe("mysql", lab_mariadb_open.address, lab_mariadb_open.port)
        observed = service.details["mysql"]
        assert observed["empty_root_password"] is True
        assert "MariaDB" in observed["server_version"]
        assert service.version.startswith("10.")
        assert service.cpe.startswith("cpe:2.3:a:mariadb:mariadb:10.")
        _assert_open(service, "mysql", "MariaDB")

    def test_root_password(self, lab_mariadb_locked: LabServer) -> None:
        """Given a root password, the single try is refused with access denied (1045)."""
        service = probe("mysql", lab_mariadb_locked.address, lab_mariadb_locked.port)
        observed = service.details["mysql"]
        assert (False, 1045) == (observed["empty_root_password"], observed["login_error"]["code"])
        _assert_protected(service, "mysql")


@pytest.mark.lab
class TestRedis:
    """Against Redis with and without requirepass."""

    def test_open(self, lab_redis_open: LabServer) -> None:
        """Given no password, INFO server answers with the version, mode and OS."""
        service = probe("redis", lab_redis_open.address, 6379)
        observed = service.details["redis"]
        assert ("standalone", True) == (observed["redis_mode"], observed["unauthenticated"])
        assert observed["os"].startswith("Linux")
        assert f"cpe:2.3:a:redis:redis:{observed['redis_version']}:*:*:*:*:*:*:*" == service.cpe
        _assert_open(service, "redis", "Redis")

    def test_requirepass(self, lab_redis_auth: LabServer) -> None:
        """Given requirepass, the answer is NOAUTH: protected."""
        service = probe("redis", lab_redis_auth.address, 6379)
        observed = service.details["redis"]
        assert (False, True) == (observed["unauthenticated"], observed["protected"])
        assert observed["error"].startswith("NOAUTH")
        _assert_protected(service, "redis")


@pytest.mark.lab
class TestMemcached:
    """Against memcached, which has no authentication in its text protocol."""

    def test_open(self, lab_memcached: LabServer) -> None:
        """Given memcached, version and stats answer: open."""
        service = probe("memcached", lab_memcached.address, 11211)
        observed = service.details["memcached"]
        assert observed["unauthenticated"] is True
        assert "curr_items" in observed
        assert service.version == observed["version"]
        _assert_open(service, "memcached", "memcached")


class TestParsers:
    """Greeting parsing without a server."""

    def test_mysql_greeting_error(self) -> None:
        """Given the error a server greets a refused host with, the host is recorded as blocked."""
        payload = b"\xff" + (1130).to_bytes(2, "little") + b"Host '1.2.3.4' is not allowed"
        greeting = parse_mysql_greeting(payload)
        assert (True, 1130) == (greeting["host_blocked"], greeting["greeting_error"]["code"])

    @pytest.mark.parametrize(
        ("banner", "expected"),
        [
            ("5.5.5-10.11.6-MariaDB-0+deb12u1", ("MariaDB", "10.11.6", "mariadb:mariadb")),
            ("8.0.36", ("MySQL", "8.0.36", "oracle:mysql")),
            ("8.0.36-0ubuntu0.22.04.1", ("MySQL", "8.0.36", "oracle:mysql")),
        ],
    )
    def test_mysql_products(self, banner: str, expected: tuple[str, str, str]) -> None:
        """Given a greeting's version string, product and version follow (MariaDB's 5.5.5- prefix dropped)."""
        assert expected == mysql_product(banner)


class TestChecks:
    """The checks judge observations only."""

    @pytest.mark.parametrize("name", ["postgresql", "mysql", "redis", "memcached"])
    def test_imported_services(self, name: str) -> None:
        """A database imported from nmap carries no observation and gives no finding here."""
        assert {} == findings("192.0.2.1", Service(port=1, name=name, category=Category.DATABASE, source="nmap"))

    def test_cleartext_password(self) -> None:
        """PostgreSQL asking for a clear-text password gives the medium finding, not the unauthenticated one."""
        service = Service(port=5432, name="postgresql")
        service.details["postgresql"] = {"authentication": "cleartext", "unauthenticated": False, "user": "postgres"}
        found = findings("192.0.2.1", service)
        assert ["exposure.db_cleartext_password"] == list(found)
        assert Severity.MEDIUM == found["exposure.db_cleartext_password"].severity


async def _pg_gigabyte(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(b"R" + struct.pack("!I", 1 << 30) + b"\x00" * 1024)
    await writer.drain()
    await reader.read()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(bytes(range(255, -1, -1)) * 8)
    await writer.drain()
    await reader.read()


async def _mysql_huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"\xff\xff\xff\x00\x0a" + b"A" * 2048)
    await writer.drain()
    await reader.read()


async def _mysql_truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    payload = b"\x0a5.7.0\x00\x01"
    writer.write(len(payload).to_bytes(3, "little") + b"\x00" + payload)
    await writer.drain()
    await reader.read()


async def _redis_huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(b"$999999999\r\n" + b"x" * 1024)
    await writer.drain()
    await reader.read()


async def _endless_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    try:
        while True:
            writer.write(b"VERSION " + b"9" * 8192)
            await writer.drain()
    except ConnectionError:
        return


class TestHostileServers:
    """Hostile servers end the probes quickly with a recorded error."""

    @pytest.mark.parametrize(
        ("probe_id", "port", "handler", "message"),
        [
            ("postgresql", 5432, _pg_gigabyte, "announced a 1073741824-byte PostgreSQL message"),
            ("postgresql", 5432, _garbage, "not a PostgreSQL answer"),
            ("mysql", 3306, _mysql_huge, "announced a 16777215-byte MySQL packet"),
            ("mysql", 3306, _mysql_truncated, "truncated MySQL greeting"),
            ("mysql", 3306, _garbage, "MySQL packet"),
            ("redis", 6379, _redis_huge, "announced a 999999999-byte Redis reply"),
            ("redis", 6379, _garbage, "within 1024 bytes"),
            ("memcached", 11211, _endless_line, "within 1024 bytes"),
            ("memcached", 11211, _garbage, "within 1024 bytes"),
        ],
    )
    def test_hostile(self, probe_id: str, port: int, handler: object, message: str) -> None:
        """Given a hostile server, the probe fails with a clear reason, fast, and observes nothing."""
        service, seconds = probe_hostile(probe_id, handler, port=port)  # type: ignore[arg-type]
        assert message in service.errors[probe_id]
        assert probe_id not in service.details
        assert seconds < 2
