"""SMB probes: SMB2/3 negotiation (dialect, signing, capabilities) and whether SMBv1 is still spoken.

Two probes, one connection each, both stopping after the NEGOTIATE exchange: no session setup,
no authentication, no share opened.

- ``smb`` sends an SMB2 NEGOTIATE offering dialects 2.0.2 to 3.1.1 (MS-SMB2 2.2.3) and records
  the dialect chosen, the security mode (signing enabled / required), the server GUID and
  capabilities;
- ``smb1`` sends an SMB1 NEGOTIATE offering only ``NT LM 0.12`` (MS-CIFS 2.2.4.52): a server that
  selects it has SMBv1 enabled, the protocol of EternalBlue and WannaCry.
"""

from __future__ import annotations

import os
import struct
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = [
    "DIALECTS",
    "negotiate_request",
    "parse_negotiate_response",
    "parse_smb1_negotiate_response",
    "probe_smb",
    "probe_smb1",
    "smb1_negotiate_request",
]

#: Dialect code -> name, in the order offered.
DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1"}
SMB1_DIALECT = b"NT LM 0.12"
#: A NEGOTIATE response is a few hundred bytes; an announced frame beyond this is not SMB.
MAX_FRAME = 64 * 1024
#: Negotiate contexts read from a 3.1.1 response (a server lists at most a handful).
MAX_CONTEXTS = 16

SMB2_MAGIC = b"\xfeSMB"
SMB1_MAGIC = b"\xffSMB"
SMB1_COM_NEGOTIATE = 0x72
SMB2_HEADER = struct.Struct("<4sHHIHHIIQIIQ16s")
SMB2_NEGOTIATE_RESPONSE = struct.Struct("<HHHH16sIIIIQQHHI")
SMB1_HEADER = struct.Struct("<4sBIBHH8sHHHHH")
SMB1_NT_WORDS = struct.Struct("<HBHHIIIIQhB")

SIGNING_ENABLED = 0x01
SIGNING_REQUIRED = 0x02
#: SMB2 client capabilities we announce (DFS to encryption), so the server shows all of its own.
CLIENT_CAPABILITIES = 0x7F
_CAPABILITIES = {
    0x01: "dfs",
    0x02: "leasing",
    0x04: "large_mtu",
    0x08: "multi_channel",
    0x10: "persistent_handles",
    0x20: "directory_leasing",
    0x40: "encryption",
    0x80: "notifications",
}
_CIPHERS = {1: "AES-128-CCM", 2: "AES-128-GCM", 3: "AES-256-CCM", 4: "AES-256-GCM"}
_SIGNING_ALGORITHMS = {0: "HMAC-SHA256", 1: "AES-CMAC", 2: "AES-GMAC"}
CONTEXT_PREAUTH = 1
CONTEXT_ENCRYPTION = 2
CONTEXT_SIGNING = 8
_SMB1_SECURITY = {0x01: "user_level", 0x02: "challenge_response", 0x04: "signing_enabled", 0x08: "signing_required"}
_SMB1_CAPABILITIES = {
    0x0004: "unicode",
    0x0008: "large_files",
    0x0010: "nt_smbs",
    0x0040: "nt_status",
    0x1000: "nt_find",
    0x4000: "large_readx",
    0x80000000: "extended_security",
}
SMB1_CAP_EXTENDED_SECURITY = 0x80000000
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _netbios(message: bytes) -> bytes:
    """Direct-TCP transport framing (MS-SMB2 2.1): a zero byte and a 24-bit length."""
    return struct.pack(">I", len(message)) + message


def _context(kind: int, data: bytes) -> bytes:
    return struct.pack("<HHI", kind, len(data), 0) + data


def negotiate_request(salt: bytes | None = None, client_guid: bytes | None = None) -> bytes:
    """An SMB2 NEGOTIATE request offering every dialect of ``DIALECTS``, framed for TCP port 445."""
    dialects = b"".join(struct.pack("<H", code) for code in DIALECTS)
    fixed = 36
    start = SMB2_HEADER.size + fixed + len(dialects)
    padding = b"\0" * (-start % 8)
    preauth = _context(CONTEXT_PREAUTH, struct.pack("<HHH", 1, 32, 1) + (salt or os.urandom(32)))
    encryption = _context(CONTEXT_ENCRYPTION, struct.pack("<HHHHH", 4, 2, 1, 4, 3))
    signing = _context(CONTEXT_SIGNING, struct.pack("<HHHH", 3, 2, 1, 0))
    contexts = b""
    for item in (preauth, encryption, signing):
        contexts += b"\0" * (-len(contexts) % 8) + item
    body = struct.pack(
        "<HHHHI16sIHH",
        fixed,
        len(DIALECTS),
        SIGNING_ENABLED,
        0,
        CLIENT_CAPABILITIES,
        client_guid or uuid.uuid4().bytes_le,
        start + len(padding),
        3,
        0,
    )
    header = SMB2_HEADER.pack(SMB2_MAGIC, 64, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, b"\0" * 16)
    return _netbios(header + body + dialects + padding + contexts)


def smb1_negotiate_request() -> bytes:
    """An SMB1 NEGOTIATE offering only ``NT LM 0.12``, framed for TCP port 445."""
    # Flags: case-insensitive paths; Flags2: Unicode, NT status codes, long names (no extended
    # security, so that the answer carries the server's domain and name in clear).
    header = SMB1_HEADER.pack(SMB1_MAGIC, SMB1_COM_NEGOTIATE, 0, 0x18, 0xC001, 0, b"\0" * 8, 0, 0, 0, 0, 0)
    dialects = b"\x02" + SMB1_DIALECT + b"\0"
    return _netbios(header + struct.pack("<BH", 0, len(dialects)) + dialects)


async def _frame(stream: Stream) -> bytes:
    """One transport frame; ``ProbeError`` if it is not one or is too long."""
    head = await stream.read_exactly(4)
    (length,) = struct.unpack(">I", head)
    if head[0] != 0 or not 4 <= length <= MAX_FRAME:  # noqa: PLR2004
        raise ProbeError(f"not an SMB transport frame (header {head.hex()})")
    return await stream.read_exactly(length)


def _flags(value: int, names: dict[int, str]) -> list[str]:
    return [name for bit, name in names.items() if value & bit]


def _filetime(value: int) -> str | None:
    """A FILETIME as an ISO date, or None when zero or absurd."""
    if value <= 0:
        return None
    try:
        return (_FILETIME_EPOCH + timedelta(microseconds=value // 10)).isoformat()
    except OverflowError:
        return None


def parse_negotiate_response(message: bytes) -> dict[str, Any]:
    """The observation of an SMB2 NEGOTIATE response (without transport framing); ``ProbeError`` if malformed."""
    if message[:4] == SMB1_MAGIC:
        raise ProbeError("the server answered an SMB2 negotiation in SMB1")
    if len(message) < SMB2_HEADER.size + SMB2_NEGOTIATE_RESPONSE.size or message[:4] != SMB2_MAGIC:
        raise ProbeError("not an SMB2 message")
    header = SMB2_HEADER.unpack_from(message)
    status, command = header[3], header[4]
    if command != 0:
        raise ProbeError(f"SMB2 answer to NEGOTIATE has command {command}")
    if status != 0:
        raise ProbeError(f"the server refused the SMB2 negotiation (NTSTATUS 0x{status:08x})")
    (
        size,
        security_mode,
        dialect,
        context_count,
        guid,
        capabilities,
        max_transact,
        max_read,
        max_write,
        system_time,
        _start_time,
        _blob_offset,
        _blob_length,
        context_offset,
    ) = SMB2_NEGOTIATE_RESPONSE.unpack_from(message, SMB2_HEADER.size)
    if size != 65:  # noqa: PLR2004 - MS-SMB2 2.2.4
        raise ProbeError(f"SMB2 NEGOTIATE response of structure size {size}")
    if dialect not in DIALECTS:
        raise ProbeError(f"the server chose dialect 0x{dialect:04x}, which was not offered")
    details: dict[str, Any] = {
        "dialect": DIALECTS[dialect],
        "signing_enabled": bool(security_mode & SIGNING_ENABLED),
        "signing_required": bool(security_mode & SIGNING_REQUIRED),
        "server_guid": str(uuid.UUID(bytes_le=guid)),
        "capabilities": _flags(capabilities, _CAPABILITIES),
        "max_transact_size": max_transact,
        "max_read_size": max_read,
        "max_write_size": max_write,
    }
    when = _filetime(system_time)
    if when:
        details["system_time"] = when
    if dialect == 0x0311:  # noqa: PLR2004
        details.update(_contexts(message, context_offset, context_count))
    return details


def _contexts(message: bytes, offset: int, count: int) -> dict[str, Any]:
    """The cipher and signing algorithm a 3.1.1 server chose, from its negotiate contexts."""
    found: dict[str, Any] = {}
    for _ in range(min(count, MAX_CONTEXTS)):
        offset += -offset % 8
        if offset + 8 > len(message):
            raise ProbeError("an SMB2 negotiate context runs past the message")
        kind, length, _reserved = struct.unpack_from("<HHI", message, offset)
        data = message[offset + 8 : offset + 8 + length]
        if len(data) != length:
            raise ProbeError("an SMB2 negotiate context runs past the message")
        if kind == CONTEXT_ENCRYPTION and length >= 4:  # noqa: PLR2004
            found["encryption_cipher"] = _CIPHERS.get(struct.unpack_from("<H", data, 2)[0], "none")
        elif kind == CONTEXT_SIGNING and length >= 4:  # noqa: PLR2004
            algorithm = struct.unpack_from("<H", data, 2)[0]
            found["signing_algorithm"] = _SIGNING_ALGORITHMS.get(algorithm, f"0x{algorithm:04x}")
        offset += 8 + length
    return found


def parse_smb1_negotiate_response(message: bytes) -> dict[str, Any]:
    """The observation of an SMB1 NEGOTIATE response; ``{"enabled": False}`` when no dialect was accepted."""
    if message[:4] == SMB2_MAGIC:
        # Some servers answer any negotiation in SMB2: then they do not speak SMB1.
        return {"enabled": False, "answer": "smb2"}
    if len(message) < SMB1_HEADER.size + 3 or message[:4] != SMB1_MAGIC:
        raise ProbeError("not an SMB1 message")
    header = SMB1_HEADER.unpack_from(message)
    command, status = header[1], header[2]
    if command != SMB1_COM_NEGOTIATE:
        raise ProbeError(f"SMB1 answer to NEGOTIATE has command 0x{command:02x}")
    if status != 0:
        return {"enabled": False, "answer": f"NTSTATUS 0x{status:08x}"}
    offset = SMB1_HEADER.size
    word_count = message[offset]
    words = message[offset + 1 : offset + 1 + 2 * word_count]
    if len(words) != 2 * word_count or word_count < 1:
        raise ProbeError("truncated SMB1 NEGOTIATE response")
    (index,) = struct.unpack_from("<H", words)
    if index == 0xFFFF:  # noqa: PLR2004 - none of the offered dialects
        return {"enabled": False, "answer": "no dialect accepted"}
    if index != 0 or word_count != 17:  # noqa: PLR2004 - NT LM 0.12 answers with 17 words
        raise ProbeError(f"unexpected SMB1 NEGOTIATE response (dialect {index}, {word_count} words)")
    (_, mode, max_mpx, _vcs, max_buffer, _raw, _key, capabilities, system_time, _zone, challenge_length) = (
        SMB1_NT_WORDS.unpack(words)
    )
    details: dict[str, Any] = {
        "enabled": True,
        "dialect": SMB1_DIALECT.decode(),
        "security_mode": _flags(mode, _SMB1_SECURITY),
        "signing_enabled": bool(mode & 0x04),
        "signing_required": bool(mode & 0x08),
        "capabilities": _flags(capabilities, _SMB1_CAPABILITIES),
        "max_mpx_count": max_mpx,
        "max_buffer_size": max_buffer,
    }
    when = _filetime(system_time)
    if when:
        details["system_time"] = when
    if not capabilities & SMB1_CAP_EXTENDED_SECURITY:
        details.update(_smb1_names(message[offset + 1 + 2 * word_count :], challenge_length))
    return details


def _smb1_names(data: bytes, challenge_length: int) -> dict[str, str]:
    """Domain and server names that follow the challenge (UTF-16, NUL-terminated), where present."""
    if len(data) < 2:  # noqa: PLR2004
        return {}
    (byte_count,) = struct.unpack_from("<H", data)
    names = data[2 + challenge_length : 2 + byte_count]
    # The strings follow the challenge directly, without alignment padding (MS-CIFS 2.2.4.52.2).
    parts = names.decode("utf-16-le", errors="replace").split("\0")
    found = {}
    for key, value in zip(("domain", "server"), parts, strict=False):
        if value:
            found[key] = printable(value, 64)
    return found


@probe("smb", ports=(445,), services=("smb",))
async def probe_smb(context: ProbeContext, service: Service) -> None:
    """SMB2 negotiation into ``service.details["smb"]``."""
    stream = await context.connect()
    await stream.write(negotiate_request())
    details = parse_negotiate_response(await _frame(stream))
    service.name = "smb"
    if service.category is Category.OTHER:
        service.category = Category.FILE_SHARING
    service.details["smb"] = details


@probe("smb1", ports=(445,), services=("smb",), order=55)
async def probe_smb1(context: ProbeContext, service: Service) -> None:
    """SMB1 negotiation into ``service.details["smb1"]`` (``enabled`` says whether SMBv1 is spoken)."""
    stream = await context.connect()
    await stream.write(smb1_negotiate_request())
    try:
        message = await _frame(stream)
    except ProbeError as error:
        # Servers with SMBv1 off (Windows, recent Samba) often just drop the connection; that means
        # "no SMBv1" only on a port already known to speak SMB2.
        if "smb" in service.details and "closed" in str(error):
            service.details["smb1"] = {"enabled": False, "answer": "connection closed"}
            return
        raise
    details = parse_smb1_negotiate_response(message)
    if details["enabled"]:
        service.name = "smb"
        if service.category is Category.OTHER:
            service.category = Category.FILE_SHARING
    service.details["smb1"] = details
