"""SSH probe: the server's identification line and the algorithms of its first key-exchange message.

The probe reads the server's identification string (RFC 4253 section 4.2, possibly preceded by
other lines), sends ours, then reads the server's ``SSH_MSG_KEXINIT`` (section 7.1) and stops
there: no key exchange, no authentication. The name-lists it records (key exchange, host key,
cipher, MAC, compression) are what the weak-algorithm check judges; the software version feeds
the CVE matching.
"""

from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = ["IDENTIFICATION", "parse_identification", "parse_kexinit", "probe_ssh", "software_product"]

#: What we announce: administrators reading their logs see who knocked.
IDENTIFICATION = b"SSH-2.0-HygieExposureAudit\r\n"

#: RFC 4253 4.2: the identification line, CR LF included, is at most 255 characters.
MAX_LINE = 255
#: Lines a server may send before its identification; a server sending more is not worth waiting for.
MAX_PREAMBLE_LINES = 16
#: RFC 4253 6.1: packets up to 35,000 bytes must be accepted; a KEXINIT is a few kilobytes at most.
MAX_PACKET = 35000
#: Packets (SSH_MSG_IGNORE, SSH_MSG_DEBUG) tolerated before the KEXINIT.
MAX_PACKETS = 4

MSG_IGNORE = 2
MSG_DEBUG = 4
MSG_KEXINIT = 20

#: The ten name-lists of a KEXINIT, in wire order (RFC 4253 7.1).
_LISTS = (
    "kex",
    "host_key",
    "cipher_client_to_server",
    "cipher_server_to_client",
    "mac_client_to_server",
    "mac_server_to_client",
    "compression_client_to_server",
    "compression_server_to_client",
    "language_client_to_server",
    "language_server_to_client",
)
_NAME = re.compile(r"[\x21-\x2b\x2d-\x7e]+")  # printable ASCII but comma (RFC 4251 section 5)

#: Software version prefix -> product name, CPE vendor:product (version appended).
_PRODUCTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"OpenSSH_(\d+(?:\.\d+)*)(p\d+)?", re.IGNORECASE), "OpenSSH", "openbsd:openssh"),
    (re.compile(r"dropbear_(\d+(?:\.\d+)*)", re.IGNORECASE), "Dropbear SSH", "dropbear_ssh_project:dropbear_ssh"),
    (re.compile(r"libssh[_-](\d+(?:\.\d+)*)", re.IGNORECASE), "libssh", "libssh:libssh"),
)


def parse_identification(line: bytes) -> dict[str, str]:
    """Split ``SSH-protoversion-softwareversion SP comments`` into its parts; ``ProbeError`` if malformed."""
    text = line.rstrip(b"\r\n").decode("latin-1")
    match = re.fullmatch(r"SSH-([0-9.]+)-([\x21-\x7e]+)(?: (.*))?", text)
    if match is None:
        raise ProbeError(f"malformed SSH identification {printable(text, 80)!r}")
    return {
        "protocol": match.group(1),
        "software": printable(match.group(2), 120),
        "comments": printable(match.group(3) or "", 120),
    }


def software_product(software: str) -> tuple[str, str, str]:
    """``(product, version, cpe)`` for a known SSH software string (``OpenSSH_9.2p1``), else empty strings.

    OpenSSH's portable release suffix becomes the CPE update field, as in NVD
    (``cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*``).
    """
    for pattern, product, cpe_name in _PRODUCTS:
        match = pattern.match(software)
        if match is None:
            continue
        base = match.group(1)
        update = (match.group(2) or "*") if match.re.groups > 1 else "*"
        version = base + (update if update != "*" else "")
        return product, version, f"cpe:2.3:a:{cpe_name}:{base}:{update}:*:*:*:*:*:*"
    return "", "", ""


def parse_kexinit(payload: bytes) -> dict[str, list[str]]:
    """The name-lists of a ``SSH_MSG_KEXINIT`` payload; ``ProbeError`` on anything malformed."""
    if len(payload) < 17 or payload[0] != MSG_KEXINIT:  # noqa: PLR2004 - type byte and 16-byte cookie
        raise ProbeError("the server's first packet is not a KEXINIT")
    offset = 17
    lists: dict[str, list[str]] = {}
    for key in _LISTS:
        if offset + 4 > len(payload):
            raise ProbeError("truncated KEXINIT")
        (length,) = struct.unpack_from(">I", payload, offset)
        offset += 4
        if length > len(payload) - offset:
            raise ProbeError("a KEXINIT name-list runs past the packet")
        raw = payload[offset : offset + length].decode("latin-1")
        offset += length
        names = raw.split(",") if raw else []
        if not all(_NAME.fullmatch(name) for name in names):
            raise ProbeError(f"malformed KEXINIT name-list {printable(raw, 80)!r}")
        lists[key] = names
    return lists


async def _identification(stream: Stream) -> tuple[bytes, list[str]]:
    """The server's identification line, and the lines it sent before it."""
    preamble: list[str] = []
    for _ in range(MAX_PREAMBLE_LINES + 1):
        line = await stream.read_until(b"\n", max_bytes=MAX_LINE)
        if len(line) > MAX_LINE:
            raise ProbeError(f"an SSH identification line is longer than {MAX_LINE} bytes")
        if line.startswith(b"SSH-"):
            return line, preamble
        preamble.append(printable(line.rstrip(b"\r\n"), 120))
    raise ProbeError(f"no SSH identification within {MAX_PREAMBLE_LINES} lines")


async def _kexinit(stream: Stream) -> bytes:
    """The payload of the server's KEXINIT (skipping IGNORE and DEBUG packets)."""
    for _ in range(MAX_PACKETS):
        (length,) = struct.unpack(">I", await stream.read_exactly(4))
        if not 5 <= length <= MAX_PACKET - 4:  # noqa: PLR2004 - padding length byte and 4 bytes of padding
            raise ProbeError(f"SSH packet length {length} out of bounds")
        packet = await stream.read_exactly(length)
        padding = packet[0]
        if padding + 1 > length:
            raise ProbeError("SSH padding longer than its packet")
        payload = packet[1 : length - padding]
        if payload and payload[0] in {MSG_IGNORE, MSG_DEBUG}:
            continue
        return payload
    raise ProbeError("no KEXINIT from the server")


def _union(first: list[str], second: list[str]) -> list[str]:
    return first + [name for name in second if name not in first]


@probe("ssh", ports=(22, 2222), services=("ssh",))
async def probe_ssh(context: ProbeContext, service: Service) -> None:
    """Identification line and KEXINIT algorithms into ``service.details["ssh"]``."""
    stream = await context.connect()
    line, preamble = await _identification(stream)
    ident = parse_identification(line)
    service.name = "ssh"
    service.banner = printable(line.rstrip(b"\r\n"))
    if service.category is Category.OTHER:
        service.category = Category.REMOTE_ACCESS
    product, version, cpe = software_product(ident["software"])
    if product:
        service.product, service.version, service.cpe = product, version, cpe
    details: dict[str, Any] = {**ident, "banner": service.banner}
    if preamble:
        details["preamble"] = preamble
    service.details["ssh"] = details
    # SSH-1.99 speaks both versions; anything else below 2 is protocol 1 only, with no KEXINIT.
    if not (ident["protocol"].startswith("2.") or ident["protocol"] == "1.99"):
        return
    await stream.write(IDENTIFICATION)
    lists = parse_kexinit(await _kexinit(stream))
    details["kex"] = lists["kex"]
    details["host_key"] = lists["host_key"]
    details["cipher"] = _union(lists["cipher_server_to_client"], lists["cipher_client_to_server"])
    details["mac"] = _union(lists["mac_server_to_client"], lists["mac_client_to_server"])
    details["compression"] = _union(lists["compression_server_to_client"], lists["compression_client_to_server"])
