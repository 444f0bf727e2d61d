"""The MLLP probe sends nothing a receiver could apply, reads the acknowledgement, and survives hostile peers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.policy import ScanPolicy
from hygie.engines.exposure.probes.mllp import parse_acknowledgement, probe_message
from hygie.engines.exposure.tests.lab_data import findings, probe, probe_hostile
from hygie.engines.exposure.tests.netlab import LabServer


class TestProbeMessage:
    """The frame sent carries no clinical content."""

    def test_lone_msh_of_type_ack(self) -> None:
        """Given the frame, it is one MLLP block holding only an MSH of type ACK with processing id D."""
        frame = probe_message("HYGIE1", datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
        assert frame.startswith(b"\x0b")
        assert frame.endswith(b"\x1c\x0d")
        segments = [s for s in frame[1:-2].split(b"\r") if s]
        assert 1 == len(segments)
        fields = segments[0].split(b"|")
        assert (b"MSH", b"ACK", b"HYGIE1", b"D") == (fields[0], fields[8], fields[9], fields[10])


class TestParseAcknowledgement:
    """The answer's MSH and MSA are read, whatever separator the peer chose."""

    def test_other_field_separator(self) -> None:
        """Given an ACK using '#' as field separator, the fields are still found."""
        message = b"MSH#^~\\&#ENGINE#FAC###20260101##ACK#1#P#2.3\rMSA#AA#CTRL\r"
        answer = parse_acknowledgement(message, "CTRL")
        assert ("ENGINE", "FAC", "2.3", "AA", True) == (
            answer["sending_application"],
            answer["sending_facility"],
            answer["version"],
            answer["ack_code"],
            answer["acknowledged_our_message"],
        )

    def test_not_hl7(self) -> None:
        """Given a framed answer without MSH, it is recorded as an answer that is not HL7."""
        assert {"answered": True, "hl7": False, "segments": ["hel"]} == parse_acknowledgement(b"hello")


@pytest.mark.lab
class TestLabListener:
    """Against the lab's MLLP listener, which acknowledges each frame like an interface engine."""

    def test_acknowledgement_recorded(self, lab_mllp: LabServer) -> None:
        """Given our inert frame, the listener rejects it (AR) and names itself in its MSH."""
        service = probe("mllp", lab_mllp.address, lab_mllp.port)
        observed = service.details["mllp"]
        assert {} == service.errors
        assert ("hl7-mllp", Category.MEDICAL) == (service.name, service.category)
        assert ("AR", "LAB-ENGINE", "CHU-LAB", "2.5.1", True) == (
            observed["ack_code"],
            observed["sending_application"],
            observed["sending_facility"],
            observed["version"],
            observed["acknowledged_our_message"],
        )

    def test_finding(self, lab_mllp: LabServer) -> None:
        """An answering listener gives a high finding with the answering application."""
        service = probe("mllp", lab_mllp.address, lab_mllp.port)
        finding = findings(lab_mllp.address, service)["exposure.hl7_mllp_answering"]
        assert Severity.HIGH == finding.severity
        assert "LAB-ENGINE" == finding.evidence["sending_application"]


class TestCheckNegative:
    """No answer, no finding."""

    def test_imported_service(self) -> None:
        """An MLLP port imported from nmap carries no observation and gives no finding here."""
        assert {} == findings("192.0.2.1", Service(port=2575, name="hl7-mllp", source="nmap"))

    def test_failed_probe(self) -> None:
        """A listener that never answered (probe error only) gives no finding."""
        service = Service(port=2575, name="hl7-mllp", errors={"mllp": "no answer before the timeout"})
        assert {} == findings("192.0.2.1", service)


async def _endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(b"\x0b")
    try:
        while True:
            writer.write(b"MSH|" * 4096)
            await writer.drain()
    except ConnectionError:
        return


async def _http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n\x1c")
    await writer.drain()
    await reader.read()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()


class TestHostilePeers:
    """Endless, foreign or silent peers end the probe with a recorded error, within bounds."""

    def test_endless_frame(self) -> None:
        """Given a frame that never ends, the probe stops at its frame limit."""
        service, seconds = probe_hostile("mllp", _endless, port=2575)
        assert "no b'\\x1c' within" in service.errors["mllp"]
        assert seconds < 2

    def test_other_protocol(self) -> None:
        """Given an HTTP answer, the probe says it is not MLLP."""
        service, _ = probe_hostile("mllp", _http, port=2575)
        assert service.errors["mllp"].startswith("not an MLLP answer")

    def test_silent(self) -> None:
        """Given a listener that never answers, the probe gives up at its timeout."""
        service, seconds = probe_hostile("mllp", _silent, port=2575, policy=ScanPolicy(probe_timeout=1.0))
        assert "mllp" in service.errors
        assert seconds < 2.5
