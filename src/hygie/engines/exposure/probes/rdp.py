"""RDP probes: which security protocol the server negotiates (MS-RDPBCGR 2.2.1.1 and 2.2.1.2).

Two probes, one connection each, both stopping at the X.224 Connection Confirm (no TLS
handshake, no credentials):

- ``rdp`` offers TLS, CredSSP (NLA) and CredSSP with Early User Authorization: a server that
  picks TLS alone, or answers without negotiation, lets anyone reach its login screen without
  Network Level Authentication;
- ``rdp_legacy`` offers only standard RDP security: a server that accepts it runs the weak legacy
  encryption; one that refuses says which protocol it requires (TLS, or NLA).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext
    from hygie.engines.exposure.model import Service

__all__ = [
    "FAILURES",
    "PROTOCOLS",
    "Negotiation",
    "connection_request",
    "parse_connection_confirm",
    "probe_rdp",
    "probe_rdp_legacy",
]

PROTOCOL_RDP = 0x0
PROTOCOL_SSL = 0x1
PROTOCOL_HYBRID = 0x2
PROTOCOL_RDSTLS = 0x4
PROTOCOL_HYBRID_EX = 0x8

#: Selected protocol value -> name used in the details.
PROTOCOLS = {
    PROTOCOL_RDP: "rdp",
    PROTOCOL_SSL: "ssl",
    PROTOCOL_HYBRID: "hybrid",
    PROTOCOL_RDSTLS: "rdstls",
    PROTOCOL_HYBRID_EX: "hybrid_ex",
}
#: RDP_NEG_FAILURE codes (MS-RDPBCGR 2.2.1.2.2).
FAILURES = {
    1: "ssl_required_by_server",
    2: "ssl_not_allowed_by_server",
    3: "ssl_cert_not_on_server",
    4: "inconsistent_flags",
    5: "hybrid_required_by_server",
    6: "ssl_with_user_auth_required_by_server",
}
_RSP_FLAGS = {
    0x01: "extended_client_data_supported",
    0x02: "dynvc_gfx_protocol_supported",
    0x08: "restricted_admin_mode_supported",
    0x10: "redirected_authentication_mode_supported",
}

TPKT_VERSION = 3
X224_CONNECTION_REQUEST = 0xE0
X224_CONNECTION_CONFIRM = 0xD0
TYPE_RDP_NEG_REQ = 0x01
TYPE_RDP_NEG_RSP = 0x02
TYPE_RDP_NEG_FAILURE = 0x03
#: A Connection Confirm is 11 bytes, 19 with negotiation data; anything much longer is not RDP.
MAX_CONFIRM = 512
_NLA = PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX


def connection_request(requested: int) -> bytes:
    """A TPKT-framed X.224 Connection Request carrying an RDP_NEG_REQ for ``requested`` protocols."""
    negotiation = struct.pack("<BBHI", TYPE_RDP_NEG_REQ, 0, 8, requested)
    x224 = struct.pack(">BBHHB", 6 + len(negotiation), X224_CONNECTION_REQUEST, 0, 0, 0) + negotiation
    return struct.pack(">BBH", TPKT_VERSION, 0, 4 + len(x224)) + x224


class Negotiation:
    """What a Connection Confirm said: the selected protocol, or the failure code, or nothing (legacy)."""

    __slots__ = ("failure", "flags", "negotiated", "selected")

    def __init__(self, *, negotiated: bool, selected: int | None, failure: int | None, flags: int) -> None:
        self.negotiated = negotiated
        self.selected = selected
        self.failure = failure
        self.flags = flags

    def to_details(self) -> dict[str, Any]:
        """The JSON-ready observation."""
        details: dict[str, Any] = {"negotiation": self.negotiated}
        if self.selected is not None:
            details["selected_protocol"] = PROTOCOLS.get(self.selected, f"0x{self.selected:08x}")
            details["flags"] = [name for bit, name in _RSP_FLAGS.items() if self.flags & bit]
        if self.failure is not None:
            details["failure"] = FAILURES.get(self.failure, f"0x{self.failure:08x}")
        return details


def parse_connection_confirm(data: bytes) -> Negotiation:
    """Parse a TPKT + X.224 Connection Confirm; ``ProbeError`` if it is not one."""
    if len(data) < 11 or data[0] != TPKT_VERSION:  # noqa: PLR2004 - TPKT header and fixed X.224 part
        raise ProbeError("not a TPKT-framed answer")
    (length,) = struct.unpack_from(">H", data, 2)
    if length != len(data):
        raise ProbeError("TPKT length disagrees with the answer")
    indicator, code = data[4], data[5]
    if code & 0xF0 != X224_CONNECTION_CONFIRM:
        raise ProbeError(f"not an X.224 Connection Confirm (TPDU code 0x{code:02x})")
    if indicator + 5 != len(data):
        raise ProbeError("X.224 length indicator disagrees with the answer")
    rest = data[11:]
    if not rest:
        # Servers older than RDP 5.2 do not negotiate: standard RDP security only.
        return Negotiation(negotiated=False, selected=None, failure=None, flags=0)
    if len(rest) < 8:  # noqa: PLR2004 - RDP_NEG_RSP and RDP_NEG_FAILURE are 8 bytes
        raise ProbeError("truncated RDP negotiation answer")
    kind, flags, size, value = struct.unpack_from("<BBHI", rest)
    if size != 8:  # noqa: PLR2004
        raise ProbeError(f"RDP negotiation answer of length {size}")
    if kind == TYPE_RDP_NEG_RSP:
        return Negotiation(negotiated=True, selected=value, failure=None, flags=flags)
    if kind == TYPE_RDP_NEG_FAILURE:
        return Negotiation(negotiated=True, selected=None, failure=value, flags=flags)
    raise ProbeError(f"unknown RDP negotiation answer type 0x{kind:02x}")


async def _negotiate(context: ProbeContext, service: Service, requested: int) -> Negotiation:
    stream = await context.connect()
    await stream.write(connection_request(requested))
    header = await stream.read_exactly(4)
    if header[0] != TPKT_VERSION:
        raise ProbeError("not a TPKT-framed answer")
    (length,) = struct.unpack_from(">H", header, 2)
    if not 11 <= length <= MAX_CONFIRM:  # noqa: PLR2004
        raise ProbeError(f"TPKT length {length} out of bounds")
    negotiation = parse_connection_confirm(header + await stream.read_exactly(length - 4))
    service.name = "rdp"
    if service.category is Category.OTHER:
        service.category = Category.REMOTE_ACCESS
    return negotiation


@probe("rdp", ports=(3389,), services=("rdp",))
async def probe_rdp(context: ProbeContext, service: Service) -> None:
    """Offer TLS and NLA; record the server's choice in ``service.details["rdp"]``."""
    requested = PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX
    negotiation = await _negotiate(context, service, requested)
    details = negotiation.to_details()
    details["requested"] = ["ssl", "hybrid", "hybrid_ex"]
    selected = negotiation.selected
    if not negotiation.negotiated or selected == PROTOCOL_RDP or negotiation.failure == 2:  # noqa: PLR2004
        # No negotiation, standard security chosen, or TLS refused: only standard RDP security is left.
        details.update(standard_security=True, tls_without_nla=False, nla_required=False)
    elif selected is not None and selected & _NLA:
        # NLA offered and chosen; whether it is *required* takes the legacy probe's refusal.
        details.update(tls_without_nla=None, nla_required=None)
    elif selected is not None:
        details.update(tls_without_nla=selected == PROTOCOL_SSL, nla_required=False)
    service.details["rdp"] = details


@probe("rdp_legacy", ports=(3389,), services=("rdp",), order=55)
async def probe_rdp_legacy(context: ProbeContext, service: Service) -> None:
    """Offer standard RDP security only; record acceptance or the required protocol in ``details["rdp_legacy"]``."""
    negotiation = await _negotiate(context, service, PROTOCOL_RDP)
    details = negotiation.to_details()
    details["requested"] = ["rdp"]
    if not negotiation.negotiated or negotiation.selected == PROTOCOL_RDP:
        details.update(standard_security=True, nla_required=False)
    elif negotiation.failure == 1:
        details.update(standard_security=False, nla_required=False)
    elif negotiation.failure == 5:  # noqa: PLR2004 - HYBRID_REQUIRED_BY_SERVER
        details.update(standard_security=False, nla_required=True)
    else:
        details.update(standard_security=False, nla_required=None)
    service.details["rdp_legacy"] = details
