"""DNS over TCP (port 53): which name server answers, and whether it offers recursion to anybody.

One connection, one question: ``version.bind`` in the CHAOS class, which BIND, Unbound, Knot and
PowerDNS answer with their version unless told not to. The question asks nothing of the zones and
makes the server contact nobody. The answer's flags also tell whether the server would recurse for
us (``RA``): an open resolver on the Internet serves amplification attacks.
"""

from __future__ import annotations

import re
import secrets
import struct
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext
    from hygie.engines.exposure.model import Service

__all__ = ["dns_product", "dns_server"]

#: Longest DNS message over TCP we read: a version answer is a few dozen bytes.
MAX_MESSAGE = 4096

_PRODUCTS = (
    (re.compile(r"^(?:BIND\s+)?(9\.\d+\.\d+\S*)", re.IGNORECASE), "BIND", "isc:bind"),
    (re.compile(r"^unbound\s+(\d[\w.]*)", re.IGNORECASE), "Unbound", "nlnetlabs:unbound"),
    (re.compile(r"^Knot DNS\s+(\d[\w.]*)", re.IGNORECASE), "Knot DNS", "nic:knot_dns"),
    (re.compile(r"^PowerDNS (?:Authoritative Server|Recursor)\s+(\d[\w.]*)", re.IGNORECASE), "PowerDNS", ""),
    (re.compile(r"^dnsmasq-(\d[\w.]*)", re.IGNORECASE), "dnsmasq", "thekelleys:dnsmasq"),
)


def dns_product(text: str) -> tuple[str, str, str]:
    """(product, version, CPE 2.3) read from a ``version.bind`` answer; empty strings when unknown."""
    for pattern, product, cpe in _PRODUCTS:
        match = pattern.match(text.strip())
        if match:
            version = match.group(1).split("-")[0]
            name = f"cpe:2.3:a:{cpe}:{version}:*:*:*:*:*:*:*" if cpe else ""
            return product, version, name
    return "", "", ""


@probe("dns", ports=(53,), services=("dns",), order=30)
async def dns_server(context: ProbeContext, service: Service) -> None:
    """Ask ``version.bind CH TXT`` over TCP; record the answer, its flags and the product."""
    query = dns.message.make_query("version.bind.", dns.rdatatype.TXT, dns.rdataclass.CH)
    query.id = secrets.randbelow(65536)
    wire = query.to_wire()
    stream = await context.connect()
    await stream.write(struct.pack("!H", len(wire)) + wire)
    (size,) = struct.unpack("!H", await stream.read_exactly(2))
    if size > MAX_MESSAGE or size < 12:  # noqa: PLR2004 - a DNS header is 12 bytes
        raise ProbeError(f"not a DNS answer (announced {size} bytes)")
    try:
        answer = dns.message.from_wire(await stream.read_exactly(size))
    except dns.exception.DNSException as error:
        raise ProbeError(f"not a DNS answer ({printable(str(error), 120)})") from None
    if answer.id != query.id:
        raise ProbeError("the DNS answer does not match the question")
    texts = [
        printable(b"".join(rdata.strings), 120)
        for rrset in answer.answer
        if rrset.rdtype == dns.rdatatype.TXT
        for rdata in rrset
    ]
    version_text = texts[0] if texts else ""
    service.name = "dns"
    service.details["dns"] = {
        "rcode": dns.rcode.to_text(answer.rcode()),
        "version_text": version_text,
        "recursion_available": bool(answer.flags & dns.flags.RA),
        "authoritative": bool(answer.flags & dns.flags.AA),
    }
    product, version, cpe = dns_product(version_text)
    if product:
        service.product, service.version, service.cpe = product, version, cpe
