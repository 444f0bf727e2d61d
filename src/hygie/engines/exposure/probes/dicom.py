"""DICOM upper layer probe: whether the listener accepts an association from anyone.

Safety first: this talks to PACS and modalities. The probe proposes the **Verification** SOP class
only (``1.2.840.10008.1.1``, the DICOM "ping") and never sends a DIMSE message: no C-ECHO, let alone
C-STORE or C-FIND. It sends one A-ASSOCIATE-RQ (PS3.8 §9.3.2) from an arbitrary calling AE title to
the conventional called title ``ANY-SCP``, reads the A-ASSOCIATE-AC, -RJ or A-ABORT, then releases
the association (A-RELEASE-RQ) or aborts it. An acceptance therefore means the listener accepts
any AE title, which is what lets an attacker query and retrieve patient images.

The answer's user information names the implementation (class UID and version name, PS3.7 D.3.3.2),
which identifies the product: ``OFFIS_DCMTK_368``, ``PYNETDICOM_304``...
"""

from __future__ import annotations

import contextlib
import re
import struct
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = [
    "CALLED_AE_TITLE",
    "CALLING_AE_TITLE",
    "associate_rq",
    "identify_implementation",
    "parse_answer",
    "probe_dicom",
]

#: The called AE title proposed: the conventional "any" title, so an acceptance means no AE check.
CALLED_AE_TITLE = "ANY-SCP"
#: Our calling AE title: arbitrary, and recognisable in the listener's logs.
CALLING_AE_TITLE = "HYGIE-AUDIT"
VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1"
APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"
IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
#: Our implementation class UID, under the UUID-derived root 2.25 (ISO/IEC 9834-8) that needs no registration.
IMPLEMENTATION_CLASS_UID = "2.25.238180189066404718331924946916651637266"
IMPLEMENTATION_VERSION = "HYGIE_AUDIT_1"
#: The largest PDU we say we can receive.
OUR_MAX_PDU = 16384
#: The largest answer PDU we read: an A-ASSOCIATE-AC is a few hundred bytes.
MAX_ANSWER_PDU = 64 * 1024

#: How long a release may take before we abort instead: the verdict is already known.
RELEASE_SECONDS = 2.0

_PDU_RQ, _PDU_AC, _PDU_RJ, _PDU_RELEASE_RQ, _PDU_RELEASE_RP, _PDU_ABORT = 0x01, 0x02, 0x03, 0x05, 0x06, 0x07
_ITEM_APP_CONTEXT, _ITEM_PC_RQ, _ITEM_PC_AC, _ITEM_USER = 0x10, 0x20, 0x21, 0x50
_SUB_ABSTRACT, _SUB_TRANSFER = 0x30, 0x40
_SUB_MAX_LENGTH, _SUB_IMPL_UID, _SUB_IMPL_VERSION = 0x51, 0x52, 0x55
_FIXED_HEADER = 68  # protocol version, reserved, two AE titles, 32 reserved bytes

_RJ_RESULTS = {1: "rejected-permanent", 2: "rejected-transient"}
_RJ_SOURCES = {1: "service-user", 2: "service-provider (ACSE)", 3: "service-provider (presentation)"}
_RJ_REASONS = {
    (1, 1): "no-reason-given",
    (1, 2): "application-context-name-not-supported",
    (1, 3): "calling-AE-title-not-recognized",
    (1, 7): "called-AE-title-not-recognized",
    (2, 1): "no-reason-given",
    (2, 2): "protocol-version-not-supported",
    (3, 1): "temporary-congestion",
    (3, 2): "local-limit-exceeded",
}
_PC_RESULTS = {
    0: "acceptance",
    1: "user-rejection",
    2: "no-reason",
    3: "abstract-syntax-not-supported",
    4: "transfer-syntaxes-not-supported",
}
_ABORT_SOURCES = {0: "service-user", 1: "reserved", 2: "service-provider"}

# Implementation version names (PS3.7 D.3.3.2.2) and class UID roots of well-known toolkits and products:
# (pattern on the version name, UID root, product, CPE vendor:product or "").
_IMPLEMENTATIONS: tuple[tuple[str, str, str, str], ...] = (
    (r"OFFIS_DCMTK_?(\d)(\d)(\d+)", "1.2.276.0.7230010.3", "DCMTK", "offis:dcmtk"),
    (r"PYNETDICOM_?(\d)(\d)(\d+)", "1.2.826.0.1.3680043.9.3811", "pynetdicom", ""),
    (r"ORTHANC_?(\d+)?_?(\d+)?_?(\d+)?", "", "Orthanc", "orthanc-server:orthanc"),
    (r"DCM4CHE[A-Z]*[-_]?(\d+)?\.?(\d+)?\.?(\d+)?", "1.2.40.0.13.1", "dcm4che", ""),
    (r"FO-DICOM[-_ ]?(\d+)?\.?(\d+)?\.?(\d+)?", "", "fo-dicom", ""),
)


def _ae_title(title: str) -> bytes:
    """An AE title as the 16-byte, space-padded field of the A-ASSOCIATE-RQ."""
    return title.encode("ascii")[:16].ljust(16, b" ")


def _item(kind: int, value: bytes) -> bytes:
    return struct.pack("!BxH", kind, len(value)) + value


def associate_rq(called: str = CALLED_AE_TITLE, calling: str = CALLING_AE_TITLE) -> bytes:
    """The A-ASSOCIATE-RQ PDU proposing the Verification SOP class only (implicit VR little endian)."""
    context = struct.pack("!BBBB", 1, 0, 0, 0)  # presentation context id 1 (odd, as required)
    context += _item(_SUB_ABSTRACT, VERIFICATION_SOP_CLASS.encode())
    context += _item(_SUB_TRANSFER, IMPLICIT_VR_LITTLE_ENDIAN.encode())
    user = _item(_SUB_MAX_LENGTH, struct.pack("!I", OUR_MAX_PDU))
    user += _item(_SUB_IMPL_UID, IMPLEMENTATION_CLASS_UID.encode())
    user += _item(_SUB_IMPL_VERSION, IMPLEMENTATION_VERSION.encode())
    body = struct.pack("!HH", 1, 0) + _ae_title(called) + _ae_title(calling) + bytes(32)
    body += _item(_ITEM_APP_CONTEXT, APPLICATION_CONTEXT.encode())
    body += _item(_ITEM_PC_RQ, context)
    body += _item(_ITEM_USER, user)
    return struct.pack("!BxI", _PDU_RQ, len(body)) + body


def _uid(value: bytes) -> str:
    # UIDs are padded with a NUL to an even length (PS3.5 9.1); version names with spaces.
    return printable(value.rstrip(b"\x00 "), 64)


def _items(data: bytes) -> list[tuple[int, bytes]]:
    """The variable items (or sub-items) of ``data``; ``ProbeError`` on a length running past the end."""
    items = []
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise ProbeError("truncated DICOM item header")
        kind, length = struct.unpack_from("!BxH", data, offset)
        value = data[offset + 4 : offset + 4 + length]
        if len(value) != length:
            raise ProbeError("a DICOM item runs past the end of its PDU")
        items.append((kind, value))
        offset += 4 + length
    return items


def _parse_ac(body: bytes) -> dict[str, Any]:
    if len(body) < _FIXED_HEADER:
        raise ProbeError("truncated A-ASSOCIATE-AC")
    answer: dict[str, Any] = {
        "accepted": True,
        "protocol_version": struct.unpack_from("!H", body, 0)[0],
        "called_ae": printable(body[4:20].strip(), 16),
        "calling_ae": printable(body[20:36].strip(), 16),
        "presentation_contexts": [],
    }
    for kind, value in _items(body[_FIXED_HEADER:]):
        if kind == _ITEM_APP_CONTEXT:
            answer["application_context"] = _uid(value)
        elif kind == _ITEM_PC_AC and len(value) >= 4:  # noqa: PLR2004 - id, reserved, result, reserved
            transfer = [_uid(v) for k, v in _items(value[4:]) if k == _SUB_TRANSFER]
            answer["presentation_contexts"].append(
                {"id": value[0], "result": _PC_RESULTS.get(value[2], str(value[2])), "transfer_syntax": transfer}
            )
        elif kind == _ITEM_USER:
            for sub, sub_value in _items(value):
                if sub == _SUB_MAX_LENGTH and len(sub_value) == 4:  # noqa: PLR2004 - a uint32
                    answer["max_pdu_length"] = struct.unpack("!I", sub_value)[0]
                elif sub == _SUB_IMPL_UID:
                    answer["implementation_class_uid"] = _uid(sub_value)
                elif sub == _SUB_IMPL_VERSION:
                    answer["implementation_version_name"] = _uid(sub_value)
    answer["verification_accepted"] = any(pc["result"] == "acceptance" for pc in answer["presentation_contexts"])
    return answer


def parse_answer(kind: int, body: bytes) -> dict[str, Any]:
    """The observation from the PDU answering our A-ASSOCIATE-RQ; ``ProbeError`` if it is no such answer."""
    if kind == _PDU_AC:
        return _parse_ac(body)
    if kind == _PDU_RJ:
        if len(body) < 4:  # noqa: PLR2004 - reserved, result, source, reason
            raise ProbeError("truncated A-ASSOCIATE-RJ")
        result, source, reason = body[1], body[2], body[3]
        return {
            "accepted": False,
            "rejected": True,
            "result": _RJ_RESULTS.get(result, str(result)),
            "source": _RJ_SOURCES.get(source, str(source)),
            "reason": _RJ_REASONS.get((source, reason), str(reason)),
        }
    if kind == _PDU_ABORT:
        source, reason = (body[2], body[3]) if len(body) >= 4 else (0, 0)  # noqa: PLR2004
        return {
            "accepted": False,
            "aborted": True,
            "source": _ABORT_SOURCES.get(source, str(source)),
            "reason": str(reason),
        }
    raise ProbeError(f"not a DICOM association answer (PDU type 0x{kind:02x})")


async def _read_pdu(stream: Stream, seconds: float | None = None) -> tuple[int, bytes]:
    header = await stream.read_exactly(6, seconds)
    kind, length = struct.unpack("!BxI", header)
    if kind not in {_PDU_AC, _PDU_RJ, _PDU_RELEASE_RP, _PDU_ABORT, 0x04}:
        raise ProbeError(f"not a DICOM PDU (type 0x{kind:02x})")
    if length > MAX_ANSWER_PDU:
        raise ProbeError(f"the DICOM peer announced a {length}-byte PDU (more than {MAX_ANSWER_PDU})")
    return kind, await stream.read_exactly(length, seconds)


def identify_implementation(answer: dict[str, Any]) -> tuple[str, str, str]:
    """(product, version, CPE) named by the answer's implementation version name or class UID."""
    name = str(answer.get("implementation_version_name", "")).upper()
    uid = str(answer.get("implementation_class_uid", ""))
    for pattern, root, product, cpe_name in _IMPLEMENTATIONS:
        match = re.match(pattern, name)
        if match or (root and uid.startswith(root + ".")):
            version = ".".join(part for part in match.groups() if part) if match else ""
            # No CPE without a version: a wildcard version would match every advisory of the product.
            cpe = f"cpe:2.3:a:{cpe_name}:{version}:*:*:*:*:*:*:*" if cpe_name and version else ""
            return product, version, cpe
    return "", "", ""


@probe("dicom", ports=(104, 11112, 4242), services=("dicom",), order=40)
async def probe_dicom(context: ProbeContext, service: Service) -> None:
    """Propose a Verification association to ``ANY-SCP``; record acceptance or rejection, then release."""
    stream = await context.connect()
    await stream.write(associate_rq())
    kind, body = await _read_pdu(stream)
    answer = parse_answer(kind, body)
    answer["called_ae_proposed"] = CALLED_AE_TITLE
    answer["calling_ae_proposed"] = CALLING_AE_TITLE
    service.name = "dicom"
    service.category = Category.MEDICAL
    product, version, cpe = identify_implementation(answer)
    if product:
        service.product, service.version, service.cpe = product, version, cpe
    service.details["dicom"] = answer
    if answer["accepted"]:
        answer["released"] = await _release(stream)


async def _release(stream: Stream) -> bool:
    """Release the association (the listener frees it at once); abort it if the release is not answered."""
    try:
        await stream.write(struct.pack("!BxI", _PDU_RELEASE_RQ, 4) + bytes(4))
        kind, _ = await _read_pdu(stream, RELEASE_SECONDS)
    except ProbeError:
        kind = 0
    if kind == _PDU_RELEASE_RP:
        return True
    with contextlib.suppress(ProbeError):
        await stream.write(struct.pack("!BxIBBBB", _PDU_ABORT, 4, 0, 0, 0, 0))
    return False
