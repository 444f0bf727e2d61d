"""The SMB probes negotiate with real Samba servers; the checks judge SMBv1 and signing."""

from __future__ import annotations

import asyncio
import struct
import time

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.smb import (
    SMB2_HEADER,
    negotiate_request,
    parse_negotiate_response,
    parse_smb1_negotiate_response,
    smb1_negotiate_request,
)
from hygie.engines.exposure.tests.lab_remote import hostile_server, remote_findings, run_probe
from hygie.engines.exposure.tests.netlab import LabServer

FAST = ScanPolicy(probe_timeout=2.0, max_read_bytes=64 * 1024)


def both(address: str, port: int = 445) -> Service:
    """The service after both SMB probes, in the audit's order (``smb1`` sees ``smb``'s result)."""
    service = run_probe("smb", address, port)
    later = run_probe("smb1", address, port)
    service.details.update(later.details)
    return service


@pytest.mark.lab
class TestSmbProbesOnSamba:
    """Samba negotiates SMB 3.1.1; only the NT1 server also accepts an SMBv1 negotiation."""

    def test_smb1_server(self, remote_smb_v1: LabServer) -> None:
        service = both(remote_smb_v1.address)
        smb, smb1 = service.details["smb"], service.details["smb1"]
        assert ("smb", Category.FILE_SHARING) == (service.name, service.category)
        assert "3.1.1" == smb["dialect"]
        assert (True, False) == (smb["signing_enabled"], smb["signing_required"])
        assert "large_mtu" in smb["capabilities"]
        assert smb["encryption_cipher"].startswith("AES-")
        assert 36 == len(smb["server_guid"])
        assert smb1["enabled"] is True
        assert "NT LM 0.12" == smb1["dialect"]
        assert smb1["signing_required"] is False
        assert ("HYGIELAB", "SMBDV1") == (smb1["domain"], smb1["server"])

    def test_signing_server(self, remote_smb_signed: LabServer) -> None:
        service = both(remote_smb_signed.address)
        assert service.details["smb"]["signing_required"] is True
        assert service.details["smb1"]["enabled"] is False


@pytest.mark.lab
class TestSmbChecksOnSamba:
    """SMBv1 and optional signing give findings on the NT1 server, none on the hardened one."""

    def test_smb1_server(self, remote_smb_v1: LabServer) -> None:
        findings = remote_findings(remote_smb_v1.address, both(remote_smb_v1.address))
        assert {"exposure.smb_v1_enabled", "exposure.smb_signing_not_required"} == set(findings)
        # The lab's addresses are reserved (RFC 2544), not Internet-routable: high, not critical.
        assert Severity.HIGH == findings["exposure.smb_v1_enabled"].severity
        assert findings["exposure.smb_v1_enabled"].evidence["internet_facing"] is False
        assert Severity.MEDIUM == findings["exposure.smb_signing_not_required"].severity

    def test_signing_server(self, remote_smb_signed: LabServer) -> None:
        assert {} == remote_findings(remote_smb_signed.address, both(remote_smb_signed.address))


class TestSmbChecksOnObservations:
    """Checks read ``details["smb"]`` and ``details["smb1"]`` only."""

    def test_smb1_on_an_internet_address_is_critical(self) -> None:
        service = Service(port=445, details={"smb1": {"enabled": True, "signing_required": True}})
        finding = remote_findings("8.8.8.8", service)["exposure.smb_v1_enabled"]
        assert Severity.CRITICAL == finding.severity
        assert finding.evidence["internet_facing"] is True

    def test_smb1_only_server_without_signing(self) -> None:
        service = Service(port=445, details={"smb1": {"enabled": True, "signing_required": False}})
        assert {"exposure.smb_v1_enabled", "exposure.smb_signing_not_required"} == set(
            remote_findings("192.0.2.1", service)
        )

    def test_imported_service_without_details(self) -> None:
        assert {} == remote_findings("192.0.2.1", Service(port=445, name="smb", source="nmap"))


class TestSmbMessages:
    """Requests follow MS-SMB2 2.2.3 and MS-CIFS 2.2.4.52; responses are parsed strictly."""

    def test_negotiate_request_layout(self) -> None:
        request = negotiate_request(salt=b"s" * 32, client_guid=b"g" * 16)
        message = request[4:]
        assert len(message) == struct.unpack(">I", request[:4])[0]
        assert b"\xfeSMB" == message[:4]
        structure, count, mode, _, _, _, context_offset, context_count, _ = struct.unpack_from(
            "<HHHHI16sIHH", message, 64
        )
        assert (36, 5, 1, 3) == (structure, count, mode, context_count)
        assert [0x0202, 0x0210, 0x0300, 0x0302, 0x0311] == list(struct.unpack_from("<5H", message, 100))
        assert 0 == context_offset % 8
        assert (1, 38) == struct.unpack_from("<HH", message, context_offset)

    def test_smb1_request_offers_only_nt_lm(self) -> None:
        request = smb1_negotiate_request()
        assert b"\xffSMB\x72" == request[4:9]
        assert request.endswith(b"\x02NT LM 0.12\x00")

    def test_error_status(self) -> None:
        header = SMB2_HEADER.pack(b"\xfeSMB", 64, 0, 0xC0000022, 0, 1, 1, 0, 0, 0, 0, 0, b"\0" * 16)
        with pytest.raises(ProbeError, match="0xc0000022"):
            parse_negotiate_response(header + b"\0" * 64)

    def test_unoffered_dialect(self) -> None:
        header = SMB2_HEADER.pack(b"\xfeSMB", 64, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, b"\0" * 16)
        body = struct.pack("<HHHH16sIIIIQQHHI", 65, 1, 0x02FF, 0, b"\0" * 16, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        with pytest.raises(ProbeError, match="not offered"):
            parse_negotiate_response(header + body)

    def test_context_running_past_the_message(self) -> None:
        header = SMB2_HEADER.pack(b"\xfeSMB", 64, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, b"\0" * 16)
        body = struct.pack("<HHHH16sIIIIQQHHI", 65, 1, 0x0311, 2, b"\0" * 16, 0, 0, 0, 0, 0, 0, 0, 0, 128)
        with pytest.raises(ProbeError, match="runs past"):
            parse_negotiate_response(header + body + struct.pack("<HHI", 2, 500, 0))

    def test_smb1_no_dialect(self) -> None:
        header = struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", 0x72, 0, 0x98, 0xC001, 0, b"\0" * 8, 0, 0, 0, 0, 0)
        expected = {"enabled": False, "answer": "no dialect accepted"}
        assert expected == parse_smb1_negotiate_response(header + b"\x01\xff\xff\x00\x00")


class TestSmbHostileServers:
    """Garbage, oversized frames and silence end in ``ProbeError`` quickly."""

    def probe(self, probe_id: str, answer: bytes, *, forever: bool = False) -> Service:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(300)
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

    @pytest.mark.parametrize("probe_id", ["smb", "smb1"])
    def test_binary_garbage(self, probe_id: str) -> None:
        with pytest.raises(ProbeError, match="not an SMB transport frame"):
            self.probe(probe_id, bytes(range(1, 256)), forever=True)

    @pytest.mark.parametrize("probe_id", ["smb", "smb1"])
    def test_oversized_frame(self, probe_id: str) -> None:
        with pytest.raises(ProbeError, match="not an SMB transport frame"):
            self.probe(probe_id, b"\x00\xff\xff\xff" + b"\0" * 64)

    def test_frame_of_zeros(self) -> None:
        with pytest.raises(ProbeError, match="not an SMB2 message"):
            self.probe("smb", struct.pack(">I", 200) + b"\0" * 200)

    def test_silent_server(self) -> None:
        with pytest.raises(ProbeError, match="timeout"):
            self.probe("smb", b"")

    def test_closed_connection_without_smb2_result_is_an_error(self) -> None:
        """A port that drops our SMB1 negotiation says "no SMBv1" only when it is known to speak SMB2."""

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(300)

        with hostile_server(handler) as port, pytest.raises(ProbeError, match="closed"):
            run_probe("smb1", "127.0.0.1", port, policy=FAST)

    def test_closed_connection_after_smb2_means_no_smbv1(self) -> None:
        """Windows with SMBv1 removed drops the SMB1 negotiation of a client it negotiated SMB2 with."""

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(300)

        known = Service(port=445, name="smb", details={"smb": {"dialect": "3.1.1", "signing_required": True}})
        with hostile_server(handler) as port:
            service = run_probe("smb1", "127.0.0.1", port, policy=FAST, service=known)
        assert {"enabled": False, "answer": "connection closed"} == service.details["smb1"]
