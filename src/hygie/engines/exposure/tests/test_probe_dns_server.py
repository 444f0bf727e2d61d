"""The DNS-over-TCP probe against the lab's BIND, and against hostile servers."""

from __future__ import annotations

import asyncio
import struct
import time
from datetime import UTC, datetime

import pytest

from hygie.engines.exposure.checks.dns_server import open_resolver, version_disclosed
from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Host, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.dns_server import dns_product
from hygie.engines.exposure.registry import JudgeContext
from hygie.engines.exposure.tests.lab_dns import DnsLab
from hygie.engines.exposure.tests.lab_remote import hostile_server, run_probe

CONTEXT = JudgeContext(now=datetime(2026, 11, 23, tzinfo=UTC))


@pytest.mark.lab
def test_bind_is_identified_and_recursion_is_not_offered(dns_lab: DnsLab) -> None:
    """The lab BIND names itself and, authoritative only, offers no recursion."""
    service = run_probe("dns", dns_lab.address, 53)
    assert service.name == "dns"
    assert service.product == "BIND"
    assert service.version.startswith("9.")
    assert service.cpe.startswith("cpe:2.3:a:isc:bind:9.")
    assert service.details["dns"]["recursion_available"] is False
    host = Host(dns_lab.address, services=[service])
    assert open_resolver(host, service, CONTEXT) == []
    [finding] = version_disclosed(host, service, CONTEXT)
    assert finding.check_id == "exposure.dns_version_disclosed"


def test_an_open_resolver_is_judged() -> None:
    """RA in the answer: the server would recurse for anybody."""
    service = Service(port=53, name="dns", details={"dns": {"recursion_available": True, "version_text": ""}})
    [finding] = open_resolver(Host("192.0.2.53", services=[service]), service, CONTEXT)
    assert finding.evidence["recursion_available"] is True


def test_imported_services_without_details_give_no_finding() -> None:
    """An nmap import names the port only: no judgement on what was never observed."""
    service = Service(port=53, name="dns", product="BIND", version="9.18.1")
    host = Host("192.0.2.53", services=[service])
    assert open_resolver(host, service, CONTEXT) == []
    assert version_disclosed(host, service, CONTEXT) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.18.49-1~deb12u3-Debian", ("BIND", "9.18.49", "cpe:2.3:a:isc:bind:9.18.49:*:*:*:*:*:*:*")),
        ("unbound 1.17.1", ("Unbound", "1.17.1", "cpe:2.3:a:nlnetlabs:unbound:1.17.1:*:*:*:*:*:*:*")),
        ("dnsmasq-2.89", ("dnsmasq", "2.89", "cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*")),
        ("none of your business", ("", "", "")),
    ],
)
def test_version_answers_name_the_product(text: str, expected: tuple[str, str, str]) -> None:
    """Usual version.bind answers of the main name servers."""
    assert dns_product(text) == expected


async def _oversized(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(512)
    writer.write(struct.pack("!H", 65535) + b"\x00" * 100)
    await writer.drain()
    await asyncio.sleep(5)


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(512)
    writer.write(struct.pack("!H", 40) + bytes(range(40)))
    await writer.drain()
    await asyncio.sleep(5)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(10)


@pytest.mark.parametrize("handler", [_oversized, _garbage, _silent])
def test_hostile_servers_fail_quickly(handler: object) -> None:
    """An oversized, garbled or silent answer ends the probe with a reason within its time limit."""
    policy = ScanPolicy(probe_timeout=1.5)
    started = time.monotonic()
    with hostile_server(handler) as port, pytest.raises(ProbeError):  # type: ignore[arg-type]
        run_probe("dns", "127.0.0.1", port, policy=policy)
    assert time.monotonic() - started < 4
