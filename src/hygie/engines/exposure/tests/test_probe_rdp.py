"""The RDP probes negotiate with real xrdp servers; the checks judge NLA and standard RDP security.

xrdp implements standard RDP security and TLS but not CredSSP, so no lab server can *require*
NLA: that negative case is shown with the Connection Confirm a Windows server sends
(MS-RDPBCGR 4.1.2), parsed and judged offline.
"""

from __future__ import annotations

import asyncio
import struct
import time

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.rdp import connection_request, parse_connection_confirm
from hygie.engines.exposure.tests.lab_remote import hostile_server, remote_findings, run_probe
from hygie.engines.exposure.tests.netlab import LabServer

FAST = ScanPolicy(probe_timeout=2.0, max_read_bytes=64 * 1024)


def confirm(negotiation: bytes = b"") -> bytes:
    """A TPKT + X.224 Connection Confirm carrying ``negotiation`` (8 bytes, or none for a legacy server)."""
    x224 = bytes([6 + len(negotiation), 0xD0, 0, 0, 0x12, 0x34, 0]) + negotiation
    return struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224


def both(address: str, port: int = 3389, policy: ScanPolicy | None = None) -> Service:
    """The service after both RDP probes, as the audit runs them."""
    first = run_probe("rdp", address, port, policy=policy)
    second = run_probe("rdp_legacy", address, port, policy=policy)
    first.details.update(second.details)
    return first


@pytest.mark.lab
class TestRdpProbesOnXrdp:
    """xrdp picks TLS when offered TLS and NLA; it accepts or refuses standard security as configured."""

    def test_negotiating_server(self, remote_rdp_negotiate: LabServer) -> None:
        service = both(remote_rdp_negotiate.address)
        rdp, legacy = service.details["rdp"], service.details["rdp_legacy"]
        assert ("rdp", Category.REMOTE_ACCESS) == (service.name, service.category)
        assert "ssl" == rdp["selected_protocol"]
        assert (True, False) == (rdp["tls_without_nla"], rdp["nla_required"])
        assert "rdp" == legacy["selected_protocol"]
        assert legacy["standard_security"] is True

    def test_tls_only_server(self, remote_rdp_tls: LabServer) -> None:
        service = both(remote_rdp_tls.address)
        legacy = service.details["rdp_legacy"]
        assert "ssl" == service.details["rdp"]["selected_protocol"]
        assert "ssl_required_by_server" == legacy["failure"]
        assert (False, False) == (legacy["standard_security"], legacy["nla_required"])


@pytest.mark.lab
class TestRdpChecksOnXrdp:
    """No NLA on either server; standard RDP security only where it is accepted."""

    def test_negotiating_server(self, remote_rdp_negotiate: LabServer) -> None:
        findings = remote_findings(remote_rdp_negotiate.address, both(remote_rdp_negotiate.address))
        assert {"exposure.rdp_no_nla", "exposure.rdp_standard_security"} == set(findings)
        assert Severity.HIGH == findings["exposure.rdp_no_nla"].severity
        assert Severity.MEDIUM == findings["exposure.rdp_standard_security"].severity

    def test_tls_only_server(self, remote_rdp_tls: LabServer) -> None:
        findings = remote_findings(remote_rdp_tls.address, both(remote_rdp_tls.address))
        assert {"exposure.rdp_no_nla"} == set(findings)
        assert "ssl_required_by_server" == findings["exposure.rdp_no_nla"].evidence["legacy_answer"]


class TestRdpMessages:
    """Connection Requests follow MS-RDPBCGR 2.2.1.1; Connection Confirms are parsed strictly."""

    def test_connection_request_bytes(self) -> None:
        expected = bytes.fromhex("030000130ee00000000000" + "01000800" + "0b000000")
        assert expected == connection_request(0x0B)

    def test_legacy_server_without_negotiation(self) -> None:
        negotiation = parse_connection_confirm(confirm())
        assert {"negotiation": False} == negotiation.to_details()

    def test_failure_code(self) -> None:
        negotiation = parse_connection_confirm(confirm(struct.pack("<BBHI", 3, 0, 8, 5)))
        assert "hybrid_required_by_server" == negotiation.to_details()["failure"]

    @pytest.mark.parametrize(
        "data",
        [
            b"\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00",  # a Connection Request, not a Confirm
            b"\x03\x00\x00\x0c\x06\xd0\x00\x00\x00\x00\x00",  # TPKT length disagrees
            confirm(struct.pack("<BBHI", 9, 0, 8, 0)),  # unknown negotiation type
            confirm(struct.pack("<BBHI", 2, 0, 12, 1)),  # wrong negotiation length
            confirm(b"\x02\x00\x08"),  # truncated negotiation
        ],
    )
    def test_malformed_confirms(self, data: bytes) -> None:
        with pytest.raises(ProbeError):
            parse_connection_confirm(data)


class TestRdpChecksOnObservations:
    """Checks read ``details["rdp"]`` and ``details["rdp_legacy"]`` only."""

    def test_nla_required_windows_server(self) -> None:
        """Windows with NLA required: CredSSP chosen when offered, HYBRID_REQUIRED when refused."""
        details = {
            "rdp": parse_connection_confirm(confirm(struct.pack("<BBHI", 2, 0x1F, 8, 2))).to_details(),
            "rdp_legacy": parse_connection_confirm(confirm(struct.pack("<BBHI", 3, 0, 8, 5))).to_details(),
        }
        details["rdp"].update(tls_without_nla=None, nla_required=None)
        details["rdp_legacy"].update(standard_security=False, nla_required=True)
        assert {} == remote_findings("192.0.2.1", Service(port=3389, details=details))

    def test_imported_service_without_details(self) -> None:
        assert {} == remote_findings("192.0.2.1", Service(port=3389, name="rdp", source="nmap"))


class TestRdpScriptedServers:
    """Scripted answers: a Windows-like NLA server, then garbage, which ends in ``ProbeError`` quickly."""

    def probe(self, probe_id: str, answer: bytes, *, forever: bool = False) -> Service:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(19)
            writer.write(answer)
            while forever:
                await writer.drain()
                writer.write(answer)
            await writer.drain()
            await asyncio.sleep(10)

        with hostile_server(handler) as port:
            started = time.monotonic()
            try:
                return run_probe(probe_id, "127.0.0.1", port, policy=FAST)
            finally:
                assert time.monotonic() - started < 3.5

    def test_nla_required(self) -> None:
        service = self.probe("rdp_legacy", confirm(struct.pack("<BBHI", 3, 0, 8, 5)))
        assert service.details["rdp_legacy"]["nla_required"] is True

    def test_nla_chosen(self) -> None:
        service = self.probe("rdp", confirm(struct.pack("<BBHI", 2, 0x1F, 8, 2)))
        assert "hybrid" == service.details["rdp"]["selected_protocol"]
        assert service.details["rdp"]["nla_required"] is None

    def test_binary_garbage(self) -> None:
        with pytest.raises(ProbeError, match="TPKT"):
            self.probe("rdp", bytes(range(256)), forever=True)

    def test_oversized_tpkt_length(self) -> None:
        with pytest.raises(ProbeError, match="out of bounds"):
            self.probe("rdp", b"\x03\x00\xff\xff" + b"\0" * 64)

    def test_http_server_on_the_rdp_port(self) -> None:
        with pytest.raises(ProbeError):
            self.probe("rdp_legacy", b"HTTP/1.1 400 Bad Request\r\n\r\n")

    def test_truncated_confirm(self) -> None:
        with pytest.raises(ProbeError, match="timeout"):
            self.probe("rdp", confirm(struct.pack("<BBHI", 2, 0, 8, 1))[:12])
