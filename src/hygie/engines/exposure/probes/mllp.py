"""HL7 v2 over MLLP probe: whether an interface engine answers whoever connects.

Safety first: an MLLP listener feeds the hospital's patient administration, orders and results.
The probe never sends a message that could be applied to a record (no ADT, ORM, ORU, SIU...). It
sends one frame holding a lone MSH segment of type ``ACK`` (a general acknowledgement: it carries no
patient, visit, order or result, and without its MSA segment it acknowledges nothing), with the
processing id ``D`` (debugging), which a production receiver must refuse (HL7 v2 2.9.2: a processing
id mismatch is rejected). A real MLLP listener answers every frame with an acknowledgement of its
own (``AA``, ``AE``, ``AR`` or an enhanced-mode ``CA``/``CE``/``CR``), and that answer's MSH names the
answering application, facility and HL7 version. An empty frame would be even more inert, but
many engines drop it without answering, which would hide the listener we are looking for.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext
    from hygie.engines.exposure.model import Service

__all__ = ["MAX_FRAME", "parse_acknowledgement", "probe_message", "probe_mllp"]

START_BLOCK, END_BLOCK, CARRIAGE_RETURN = b"\x0b", b"\x1c", b"\x0d"
#: The longest acknowledgement read: an ACK is a few hundred bytes.
MAX_FRAME = 64 * 1024
_MSH_MIN_FIELDS = 12  # up to MSH-12, the version


def probe_message(control_id: str, now: datetime | None = None) -> bytes:
    """The MLLP frame sent: a lone MSH of type ACK, processing id D (see the module docstring)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    msh = f"MSH|^~\\&|HYGIE|AUDIT|||{stamp}||ACK|{control_id}|D|2.5|||AL|NE"
    return START_BLOCK + msh.encode("ascii") + CARRIAGE_RETURN + END_BLOCK + CARRIAGE_RETURN


def _field(fields: list[str], index: int) -> str:
    return printable(fields[index], 80) if index < len(fields) else ""


def parse_acknowledgement(message: bytes, control_id: str = "") -> dict[str, Any]:
    """What an MLLP answer says: the answering application and facility, version and acknowledgement code."""
    text = message.decode("latin-1")
    segments = [s for s in text.replace("\n", "\r").split("\r") if s.strip()]
    answer: dict[str, Any] = {"answered": True, "segments": [printable(s[:3], 3) for s in segments[:20]]}
    msh = next((s for s in segments if s.startswith("MSH") and len(s) > 3), None)  # noqa: PLR2004
    if msh is None:
        answer["hl7"] = False
        return answer
    separator = msh[3]
    fields = msh.split(separator)
    # MSH-1 is the separator itself, so MSH-n is fields[n - 1].
    answer.update(
        hl7=True,
        sending_application=_field(fields, 2),
        sending_facility=_field(fields, 3),
        message_type=_field(fields, 8),
        version=_field(fields, 11),
    )
    if len(fields) < _MSH_MIN_FIELDS:
        answer["msh_truncated"] = True
    msa = next((s.split(separator) for s in segments if s.startswith("MSA")), None)
    if msa is not None:
        answer["ack_code"] = _field(msa, 1)
        answer["acknowledged_our_message"] = bool(control_id) and len(msa) > 2 and msa[2] == control_id  # noqa: PLR2004
        answer["ack_text"] = _field(msa, 3)
    err = next((s for s in segments if s.startswith("ERR")), None)
    if err is not None:
        answer["error"] = printable(err, 160)
    return answer


@probe("mllp", ports=(2575, 6661), services=("hl7-mllp",), order=40)
async def probe_mllp(context: ProbeContext, service: Service) -> None:
    """Send the inert MLLP frame and record the acknowledgement (``ProbeError`` if none comes)."""
    stream = await context.connect()
    control_id = "HYGIE" + secrets.token_hex(6).upper()
    await stream.write(probe_message(control_id))
    frame = await stream.read_until(END_BLOCK, max_bytes=MAX_FRAME)
    start = frame.find(START_BLOCK)
    # Only whitespace may come before the start block; anything else is another protocol.
    if start < 0 or frame[:start].strip():
        raise ProbeError(f"not an MLLP answer: {printable(frame, 40)!r}")
    answer = parse_acknowledgement(frame[start + 1 : -1], control_id)
    service.name = "hl7-mllp"
    service.category = Category.MEDICAL
    service.details["mllp"] = answer
