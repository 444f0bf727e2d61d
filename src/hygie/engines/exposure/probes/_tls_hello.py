"""A hand-built TLS ClientHello and the ServerHello it gets back: which version and suite a server accepts.

The local OpenSSL cannot offer what it no longer compiles (RC4, 3DES, EXPORT suites) and a full
handshake is more than the question needs. Asking "would you accept one of these?" takes one
ClientHello listing exactly the suites (or the highest version) in question; the server's
ServerHello names its choice, an alert says no. Nothing past the ServerHello is read or sent.
"""

from __future__ import annotations

import ipaddress
import os
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from hygie.engines.exposure.connection import ProbeError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hygie.engines.exposure.connection import Stream

__all__ = [
    "LEGACY_SUITES",
    "TLS_VERSIONS",
    "WEAK_SUITES",
    "CipherSuite",
    "ServerHello",
    "Weakness",
    "client_hello",
    "exchange_hello",
]

#: Wire version -> name, as Python's ``SSLObject.version()`` names them.
TLS_VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}

_HANDSHAKE = 0x16
_ALERT = 0x15
_CLIENT_HELLO = 0x01
_SERVER_HELLO = 0x02
#: Largest TLS record a server may send (2^14 plus the expansion allowed for compression and MAC).
_MAX_RECORD = 16384 + 2048


class Weakness(StrEnum):
    """Why a cipher suite is weak, worst first."""

    EXPORT = "export"
    NULL = "null"
    ANONYMOUS = "anonymous"
    RC4 = "rc4"
    DES = "des"
    TRIPLE_DES = "3des"
    CBC_SHA1 = "cbc_sha1"


@dataclass(frozen=True, slots=True)
class CipherSuite:
    """A cipher suite by its IANA number and its OpenSSL name."""

    code: int
    name: str
    weakness: Weakness | None = None


def _suites(weakness: Weakness | None, *entries: tuple[int, str]) -> tuple[CipherSuite, ...]:
    return tuple(CipherSuite(code, name, weakness) for code, name in entries)


#: Weak suites, worst first: what the weak-cipher probe offers.
WEAK_SUITES: tuple[CipherSuite, ...] = (
    *_suites(
        Weakness.EXPORT,
        (0x0003, "EXP-RC4-MD5"),
        (0x0006, "EXP-RC2-CBC-MD5"),
        (0x0008, "EXP-DES-CBC-SHA"),
        (0x0014, "EXP-EDH-RSA-DES-CBC-SHA"),
    ),
    *_suites(
        Weakness.NULL,
        (0x0001, "NULL-MD5"),
        (0x0002, "NULL-SHA"),
        (0x003B, "NULL-SHA256"),
        (0xC010, "ECDHE-RSA-NULL-SHA"),
        (0xC006, "ECDHE-ECDSA-NULL-SHA"),
    ),
    *_suites(
        Weakness.ANONYMOUS,
        (0x0018, "ADH-RC4-MD5"),
        (0x001B, "ADH-DES-CBC3-SHA"),
        (0x0034, "ADH-AES128-SHA"),
        (0x003A, "ADH-AES256-SHA"),
        (0x00A6, "ADH-AES128-GCM-SHA256"),
        (0x00A7, "ADH-AES256-GCM-SHA384"),
        (0xC018, "AECDH-AES128-SHA"),
        (0xC019, "AECDH-AES256-SHA"),
    ),
    *_suites(
        Weakness.RC4,
        (0x0004, "RC4-MD5"),
        (0x0005, "RC4-SHA"),
        (0xC011, "ECDHE-RSA-RC4-SHA"),
        (0xC007, "ECDHE-ECDSA-RC4-SHA"),
    ),
    *_suites(Weakness.DES, (0x0009, "DES-CBC-SHA"), (0x0015, "EDH-RSA-DES-CBC-SHA")),
    *_suites(
        Weakness.TRIPLE_DES,
        (0x000A, "DES-CBC3-SHA"),
        (0x0016, "EDH-RSA-DES-CBC3-SHA"),
        (0xC012, "ECDHE-RSA-DES-CBC3-SHA"),
        (0xC008, "ECDHE-ECDSA-DES-CBC3-SHA"),
    ),
    *_suites(
        Weakness.CBC_SHA1,
        (0xC013, "ECDHE-RSA-AES128-SHA"),
        (0xC014, "ECDHE-RSA-AES256-SHA"),
        (0xC009, "ECDHE-ECDSA-AES128-SHA"),
        (0xC00A, "ECDHE-ECDSA-AES256-SHA"),
        (0x0033, "DHE-RSA-AES128-SHA"),
        (0x0039, "DHE-RSA-AES256-SHA"),
        (0x002F, "AES128-SHA"),
        (0x0035, "AES256-SHA"),
        (0x0041, "CAMELLIA128-SHA"),
        (0x0084, "CAMELLIA256-SHA"),
    ),
)

#: Suites a TLS 1.0/1.1 server can pick: what the legacy-version probe offers (its question is the version).
LEGACY_SUITES: tuple[CipherSuite, ...] = tuple(
    suite
    for suite in WEAK_SUITES
    if suite.weakness in {Weakness.CBC_SHA1, Weakness.TRIPLE_DES, Weakness.RC4, Weakness.DES}
)

_BY_CODE = {suite.code: suite for suite in WEAK_SUITES}


@dataclass(frozen=True, slots=True)
class ServerHello:
    """The server's answer to our ClientHello: its choice, or the alert it sent instead."""

    version: str = ""
    suite: CipherSuite | None = None
    alert: int | None = None

    @property
    def accepted(self) -> bool:
        """Whether the server agreed to one of the offered suites and versions."""
        return self.alert is None and self.suite is not None


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(version: int, suites: Sequence[CipherSuite], server_name: str | None = None) -> bytes:
    """A TLS record holding a ClientHello for ``version`` offering exactly ``suites``."""
    extensions = b""
    if server_name and not _is_address(server_name):
        name = server_name.rstrip(".").encode("idna")
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        extensions += _extension(0x0000, struct.pack("!H", len(entry)) + entry)
    groups = (0x001D, 0x0017, 0x0018, 0x0019)  # x25519, P-256, P-384, P-521
    extensions += _extension(0x000A, struct.pack("!H", 2 * len(groups)) + struct.pack(f"!{len(groups)}H", *groups))
    extensions += _extension(0x000B, b"\x01\x00")  # uncompressed points only
    if version >= 0x0303:  # noqa: PLR2004 - TLS 1.2 introduced signature_algorithms
        algorithms = (0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0804, 0x0805, 0x0201, 0x0203)
        extensions += _extension(
            0x000D, struct.pack("!H", 2 * len(algorithms)) + struct.pack(f"!{len(algorithms)}H", *algorithms)
        )
    extensions += _extension(0xFF01, b"\x00")  # empty renegotiation_info: secure renegotiation
    codes = b"".join(struct.pack("!H", suite.code) for suite in suites)
    body = (
        struct.pack("!H", version)
        + os.urandom(32)
        + b"\x00"  # no session id
        + struct.pack("!H", len(codes))
        + codes
        + b"\x01\x00"  # null compression only
        + struct.pack("!H", len(extensions))
        + extensions
    )
    handshake = bytes([_CLIENT_HELLO]) + len(body).to_bytes(3, "big") + body
    # Record version 1.0 for the first flight: some old stacks reject a higher record version.
    return struct.pack("!BHH", _HANDSHAKE, 0x0301, len(handshake)) + handshake


async def exchange_hello(
    stream: Stream, version: int, suites: Sequence[CipherSuite], server_name: str | None = None
) -> ServerHello:
    """Send a ClientHello on ``stream`` and read the ServerHello (or alert); ``ProbeError`` if not TLS."""
    await stream.write(client_hello(version, suites, server_name))
    header = await stream.read_exactly(5)
    kind, record_version, length = struct.unpack("!BHH", header)
    if kind not in {_HANDSHAKE, _ALERT} or record_version >> 8 != 0x03 or not 0 < length <= _MAX_RECORD:  # noqa: PLR2004
        raise ProbeError("the server does not answer in TLS")
    payload = await stream.read_exactly(length)
    if kind == _ALERT:
        return ServerHello(alert=payload[1] if len(payload) > 1 else -1)
    if payload[0] != _SERVER_HELLO or len(payload) < 4 + 2 + 32 + 1:
        raise ProbeError("the server's first handshake message is not a ServerHello")
    (chosen_version,) = struct.unpack("!H", payload[4:6])
    session_length = payload[38]
    offset = 39 + session_length
    if len(payload) < offset + 2:
        raise ProbeError("truncated ServerHello")
    (code,) = struct.unpack("!H", payload[offset : offset + 2])
    suite = _BY_CODE.get(code) or CipherSuite(code, f"0x{code:04X}")
    return ServerHello(version=TLS_VERSIONS.get(chosen_version, f"0x{chosen_version:04X}"), suite=suite)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
