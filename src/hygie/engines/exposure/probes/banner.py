"""Banner probe: the fallback on open ports that no other probe claims.

Many servers speak first (SSH, FTP, SMTP, POP3, IMAP, VNC, MySQL, Telnet option negotiation). The
probe listens for about two seconds; if the server stays silent it sends ``HELP`` and a CRLF, an
inert line that text protocols answer with help or an error (Redis, memcached, SMTP, HTTP's 400)
and that no protocol executes as an action, and listens once more. (A bare CRLF is not enough:
Redis and several line protocols ignore empty lines and stay silent.) What it reads names the
service, so that the specific probes run next (identification re-selects probes after each
probe), and is kept escaped and bounded as the service's banner. A server silent to both is left unidentified.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, NamedTuple

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.probes.databases import mysql_product, parse_mysql_greeting
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = ["LISTEN_SECONDS", "Recognition", "probe_banner", "recognise"]

#: How long the probe waits for the server to speak, before and after its CRLF.
LISTEN_SECONDS = 2.0
#: What the probe sends to a silent server.
PROMPT = b"HELP\r\n"
#: Bytes read from a talkative server: a banner, never a stream.
MAX_BANNER_BYTES = 4096

_IAC, _WILL, _DONT = 0xFF, 0xFB, 0xFE
_TLS_ALERT = re.compile(rb"\x15\x03[\x00-\x04]")


class Recognition(NamedTuple):
    """The service a banner names, with product and version when it states them ('' when unknown)."""

    name: str = ""
    product: str = ""
    version: str = ""


#: What each recognised service gives an attacker.
_CATEGORIES = {
    "ssh": Category.REMOTE_ACCESS,
    "telnet": Category.REMOTE_ACCESS,
    "vnc": Category.REMOTE_ACCESS,
    "ftp": Category.FILE_SHARING,
    "rsync": Category.FILE_SHARING,
    "smtp": Category.MAIL,
    "pop3": Category.MAIL,
    "imap": Category.MAIL,
    "http": Category.WEB,
    "mysql": Category.DATABASE,
    "redis": Category.DATABASE,
    "memcached": Category.DATABASE,
    "hl7-mllp": Category.MEDICAL,
}


_SSH_PRODUCTS = (
    (re.compile(r"OpenSSH[_-]([\w.]+)"), "OpenSSH"),
    (re.compile(r"dropbear[_-]([\w.]+)", re.IGNORECASE), "Dropbear SSH"),
)
_FTP_PRODUCTS = (
    (re.compile(r"vsFTPd ([\d.]+)"), "vsftpd"),
    (re.compile(r"ProFTPD ([\d.]+)"), "ProFTPD"),
    (re.compile(r"Pure-FTPd"), "Pure-FTPd"),
    (re.compile(r"FileZilla Server ?([\d.]*)"), "FileZilla Server"),
    (re.compile(r"Microsoft FTP Service"), "Microsoft IIS FTP"),
)
_SMTP_PRODUCTS = (
    (re.compile(r"Postfix"), "Postfix"),
    (re.compile(r"Exim ([\d.]+)"), "Exim"),
    (re.compile(r"Sendmail ([\d.]+)"), "Sendmail"),
    (re.compile(r"Microsoft ESMTP MAIL Service"), "Microsoft Exchange"),
)
_HTTP_SERVER = re.compile(rb"^server:[ \t]*([^\r\n]{1,120})", re.IGNORECASE | re.MULTILINE)


def _first_product(text: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> tuple[str, str]:
    for pattern, product in table:
        match = pattern.search(text)
        if match:
            return product, match.group(1) if match.groups() else ""
    return "", ""


def _recognise_text(data: bytes) -> Recognition:  # noqa: PLR0911 - one return per protocol reads best
    text = data.decode("latin-1")
    line = text.split("\n", 1)[0].strip()
    if line.startswith("SSH-"):
        return Recognition("ssh", *_first_product(line, _SSH_PRODUCTS))
    if line.startswith("220"):
        lower = line.lower()
        if "smtp" in lower or any(word in lower for word in ("postfix", "exim", "sendmail", " mail ")):
            return Recognition("smtp", *_first_product(line, _SMTP_PRODUCTS))
        return Recognition("ftp", *_first_product(line, _FTP_PRODUCTS))
    if line.startswith("+OK"):
        return Recognition("pop3")
    if line.startswith(("* OK", "* PREAUTH", "* BYE")):
        return Recognition("imap")
    if line.startswith("HTTP/"):
        match = _HTTP_SERVER.search(data)
        server = match.group(1).decode("latin-1") if match else ""
        product, _, version = server.partition("/")
        return Recognition("http", printable(product, 60), printable(version.split(" ")[0], 40))
    if line.startswith(("-NOAUTH", "-DENIED", "-ERR wrong number", "-ERR unknown command")):
        return Recognition("redis", "Redis")
    if line == "ERROR" and text.endswith("\r\n"):
        return Recognition("memcached", "memcached")
    if line.startswith("@RSYNCD:"):
        return Recognition("rsync", "rsync", line.removeprefix("@RSYNCD:").strip())
    return Recognition()


def recognise(data: bytes) -> Recognition:
    """The service a server's first words name (``Recognition()`` when they name none)."""
    if data.startswith(b"RFB "):
        match = re.match(rb"RFB (\d{3})\.(\d{3})", data)
        version = f"{int(match.group(1))}.{int(match.group(2))}" if match else ""
        return Recognition("vnc", "RFB", version)
    if len(data) >= 3 and data[0] == _IAC and _WILL <= data[1] <= _DONT:  # noqa: PLR2004
        return Recognition("telnet")
    if len(data) > 4 and data[3] == 0 and data[4] in {0x0A, 0xFF}:  # noqa: PLR2004 - MySQL packet, sequence 0
        return _recognise_mysql(data)
    if data.startswith(b"\x0b") and b"MSH" in data[:8]:
        return Recognition("hl7-mllp")
    if _TLS_ALERT.match(data):
        return Recognition("tls")
    return _recognise_text(data)


def _recognise_mysql(data: bytes) -> Recognition:
    length = int.from_bytes(data[:3], "little")
    try:
        greeting = parse_mysql_greeting(data[4 : 4 + length])
    except (ProbeError, IndexError, ValueError):
        return Recognition()
    if "server_version" not in greeting:
        return Recognition("mysql")
    return Recognition("mysql", *mysql_product(greeting["server_version"])[:2])


async def _listen(stream: Stream) -> bytes | None:
    """What the server sends within ``LISTEN_SECONDS``: None when it stays silent, ``b""`` when it hangs up."""
    try:
        return await asyncio.wait_for(stream.read(MAX_BANNER_BYTES), LISTEN_SECONDS)
    except TimeoutError:
        return None


@probe("banner", fallback=True, order=90)
async def probe_banner(context: ProbeContext, service: Service) -> None:
    """Read what the server says first (after ``HELP`` if silent) and name the service from it."""
    stream = await context.connect()
    data = await _listen(stream)
    prompted = data is None
    if data is None:
        await stream.write(PROMPT)
        data = await _listen(stream)
    observed: dict[str, object] = {"silent": data is None, "closed": data == b"", "prompted": prompted}
    if data:
        recognised = recognise(data)
        observed.update(recognised=recognised.name, length=len(data))
        service.banner = printable(data)
        if recognised.name == "tls":
            # A TLS alert answering our prompt: the TLS probes, not the banner, name such a service.
            observed["tls_alert"] = True
        elif recognised.name:
            service.name = recognised.name
            service.category = _CATEGORIES.get(recognised.name, service.category)
            if recognised.product and not service.product:
                service.product, service.version = recognised.product, recognised.version
    service.details["banner"] = observed
