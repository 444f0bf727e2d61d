"""The DICOM probe proposes Verification only, tells acceptance from rejection, and survives hostile peers."""

from __future__ import annotations

import asyncio
import struct

import pytest

from hygie.engines._core import Severity
from hygie.engines.exposure.model import Category, Service
from hygie.engines.exposure.probes.dicom import (
    CALLED_AE_TITLE,
    CALLING_AE_TITLE,
    VERIFICATION_SOP_CLASS,
    associate_rq,
    identify_implementation,
)
from hygie.engines.exposure.tests.lab_data import findings, probe, probe_hostile
from hygie.engines.exposure.tests.netlab import LabServer


class TestAssociateRequest:
    """The A-ASSOCIATE-RQ is well formed and proposes nothing but Verification."""

    def test_header_and_titles(self) -> None:
        """Given the request, its PDU length covers the body and the AE titles are space-padded to 16 bytes."""
        pdu = associate_rq()
        kind, length = struct.unpack_from("!BxI", pdu)
        assert (1, len(pdu) - 6) == (kind, length)
        assert CALLED_AE_TITLE.encode().ljust(16) == pdu[10:26]
        assert CALLING_AE_TITLE.encode().ljust(16) == pdu[26:42]

    def test_only_verification_is_proposed(self) -> None:
        """The only abstract syntax is the Verification SOP class: no storage, query or retrieve class."""
        pdu = associate_rq()
        assert 1 == pdu.count(b"\x30\x00")  # one abstract syntax sub-item
        assert VERIFICATION_SOP_CLASS.encode() in pdu
        assert b"1.2.840.10008.5.1.4" not in pdu  # the root of storage and query/retrieve classes


class TestImplementation:
    """The implementation version name or class UID names the product."""

    @pytest.mark.parametrize(
        ("name", "uid", "expected"),
        [
            ("OFFIS_DCMTK_368", "", ("DCMTK", "3.6.8", "cpe:2.3:a:offis:dcmtk:3.6.8:*:*:*:*:*:*:*")),
            ("PYNETDICOM_304", "", ("pynetdicom", "3.0.4", "")),
            ("", "1.2.276.0.7230010.3.0.3.6.7", ("DCMTK", "", "")),
            ("SOMETHING_ELSE", "1.2.3.4", ("", "", "")),
        ],
    )
    def test_products(self, name: str, uid: str, expected: tuple[str, str, str]) -> None:
        """Given a version name and class UID, the product, version and CPE follow."""
        answer = {"implementation_version_name": name, "implementation_class_uid": uid}
        assert expected == identify_implementation(answer)


@pytest.mark.lab
class TestLabListeners:
    """Against real pynetdicom listeners in the lab."""

    def test_any_ae_title_accepted(self, lab_dicom: LabServer) -> None:
        """Given a listener that checks no AE title, the association is accepted, identified and released."""
        service = probe("dicom", lab_dicom.address, lab_dicom.port)
        observed = service.details["dicom"]
        assert {} == service.errors
        assert (True, True, True) == (observed["accepted"], observed["verification_accepted"], observed["released"])
        assert "PYNETDICOM_304" == observed["implementation_version_name"]
        assert observed["implementation_class_uid"].startswith("1.2.826.0.1.3680043.9.3811.")
        assert observed["max_pdu_length"] > 0
        assert ("dicom", Category.MEDICAL, "pynetdicom", "3.0.4") == (
            service.name,
            service.category,
            service.product,
            service.version,
        )

    def test_any_ae_title_finding(self, lab_dicom: LabServer) -> None:
        """The acceptance gives a critical finding naming the service and the proposed titles."""
        service = probe("dicom", lab_dicom.address, lab_dicom.port)
        finding = findings(lab_dicom.address, service)["exposure.dicom_any_ae_title"]
        assert Severity.CRITICAL == finding.severity
        assert f"{lab_dicom.address}:11112/tcp" == finding.affected[0].identifier
        assert CALLED_AE_TITLE == finding.evidence["called_ae_proposed"]

    def test_strict_listener_rejects(self, lab_dicom_strict: LabServer) -> None:
        """Given a listener requiring its own AE title, the rejection is recorded with its reason, and no finding."""
        service = probe("dicom", lab_dicom_strict.address, lab_dicom_strict.port)
        observed = service.details["dicom"]
        assert (False, True) == (observed["accepted"], observed["rejected"])
        assert ("rejected-permanent", "service-user", "called-AE-title-not-recognized") == (
            observed["result"],
            observed["source"],
            observed["reason"],
        )
        assert {} == findings(lab_dicom_strict.address, service)


class TestCheckOnImports:
    """Services imported from nmap carry no DICOM observation."""

    def test_no_details_no_finding(self) -> None:
        """An imported DICOM port gives no finding here (the generic exposure check covers it)."""
        service = Service(port=104, name="dicom", category=Category.MEDICAL, source="nmap")
        assert {} == findings("192.0.2.1", service)


async def _huge_pdu(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(struct.pack("!BxI", 2, 0xFFFFFFF0) + b"\x00" * 64)
    await writer.drain()
    await reader.read()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(bytes(range(256)) * 4)
    await writer.drain()
    await reader.read()


async def _truncated_ac(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    writer.write(struct.pack("!BxI", 2, 200) + b"\x00\x01" + b"\x00" * 20)
    await writer.drain()
    writer.close()


async def _lying_item(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(4096)
    body = struct.pack("!HH", 1, 0) + b"X" * 64 + struct.pack("!BxH", 0x50, 60000) + b"\x51"
    writer.write(struct.pack("!BxI", 2, len(body)) + body)
    await writer.drain()
    await reader.read()


class TestHostilePeers:
    """Hostile answers end the probe quickly with a recorded error, never a hang or a crash."""

    @pytest.mark.parametrize(
        ("handler", "message"),
        [
            (_huge_pdu, "announced a"),
            (_garbage, "not a DICOM PDU"),
            (_truncated_ac, "closed the connection"),
            (_lying_item, "runs past the end"),
        ],
    )
    def test_hostile(self, handler: object, message: str) -> None:
        """Given a hostile peer, the probe records why it failed, in well under the probe timeout."""
        service, seconds = probe_hostile("dicom", handler, port=104)  # type: ignore[arg-type]
        assert message in service.errors["dicom"]
        assert "dicom" not in service.details
        assert seconds < 2


def _accept_pdu() -> bytes:
    """A minimal A-ASSOCIATE-AC accepting presentation context 1 (implicit VR little endian)."""

    def item(kind: int, value: bytes) -> bytes:
        return struct.pack("!BxH", kind, len(value)) + value

    context = bytes([1, 0, 0, 0]) + item(0x40, b"1.2.840.10008.1.2")
    body = struct.pack("!HH", 1, 0) + b"ANY-SCP".ljust(16) + b"HYGIE-AUDIT".ljust(16) + bytes(32)
    body += item(0x10, b"1.2.840.10008.3.1.1.1") + item(0x21, context) + item(0x50, item(0x51, struct.pack("!I", 0)))
    return struct.pack("!BxI", 2, len(body)) + body


class TestMuteAfterAccept:
    """A peer that accepts but never answers the release is aborted, within the release delay."""

    def test_abort_after_unanswered_release(self) -> None:
        """Given no A-RELEASE-RP, the acceptance is kept, the release marked failed and an A-ABORT sent."""
        received: list[bytes] = []

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(4096)
            writer.write(_accept_pdu())
            await writer.drain()
            while chunk := await reader.read(4096):
                received.append(chunk)

        service, seconds = probe_hostile("dicom", handler, port=104)
        assert (True, False) == (service.details["dicom"]["accepted"], service.details["dicom"]["released"])
        assert b"\x05\x00\x00\x00\x00\x04" + bytes(4) + b"\x07\x00\x00\x00\x00\x04" + bytes(4) == b"".join(received)
        assert seconds < 3
