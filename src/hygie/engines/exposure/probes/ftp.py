"""FTP probe: greeting, offered features (AUTH TLS) and whether anonymous login is accepted.

On one connection the probe reads the greeting (RFC 959 replies, multi-line included), asks
``FEAT`` (RFC 2389) to learn whether ``AUTH TLS`` (RFC 4217) is offered, then tries
``USER anonymous`` with a harmless address as password and quits. It never lists, reads or
writes a file, and never opens a data connection.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hygie.engines.exposure.connection import ProbeError
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = ["ANONYMOUS_PASSWORD", "FtpReply", "banner_product", "probe_ftp", "read_reply"]

#: The password sent with ``USER anonymous``: the conventional e-mail address, in a reserved domain.
ANONYMOUS_PASSWORD = "exposure-audit@hygie.invalid"  # noqa: S105 - RFC 1635 convention, not a secret

#: Longest reply line kept waiting for; RFC 959 sets no limit, real servers stay far below.
MAX_LINE = 1024
#: Lines of one multi-line reply; a reply that never ends is cut here.
MAX_LINES = 64
#: Seconds to wait for the answer to QUIT (a courtesy; the probe is done by then).
QUIT_WAIT = 1.0

_FIRST = re.compile(rb"([1-5]\d\d)([ -])")

#: Greeting pattern -> product name, CPE vendor:product (version appended).
_PRODUCTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"vsFTPd (\d+(?:\.\d+)+)"), "vsftpd", "vsftpd_project:vsftpd"),
    (re.compile(r"ProFTPD (\d+(?:\.\d+)+[a-z]?)"), "ProFTPD", "proftpd:proftpd"),
    (
        re.compile(r"FileZilla Server(?: version)? (\d+(?:\.\d+)+)", re.IGNORECASE),
        "FileZilla Server",
        "filezilla-project:filezilla_server",
    ),
    (re.compile(r"Serv-U FTP Server v ?(\d+(?:\.\d+)+)"), "Serv-U", "solarwinds:serv-u"),
    (re.compile(r"Pure-FTPd"), "Pure-FTPd", ""),
    (re.compile(r"Microsoft FTP Service"), "Microsoft IIS FTP", ""),
)


class FtpReply:
    """One FTP reply: its code and its text lines (printable, bounded)."""

    __slots__ = ("code", "lines")

    def __init__(self, code: int, lines: list[str]) -> None:
        self.code = code
        self.lines = lines

    @property
    def text(self) -> str:
        """The reply's text, lines joined by a space, cut to a banner's length."""
        return printable(" ".join(self.lines))


async def read_reply(stream: Stream) -> FtpReply:
    """One reply, multi-line included (``123-...`` up to ``123 ...``); ``ProbeError`` if malformed or endless."""
    first = await _line(stream)
    match = _FIRST.match(first + b" ")
    if match is None:
        raise ProbeError(f"not an FTP reply: {printable(first, 80)!r}")
    code = match.group(1)
    lines = [printable(first[4:], 200)]
    if match.group(2) == b" ":  # a bare code (``220``) counts as a single-line reply too
        return FtpReply(int(code), lines)
    for _ in range(MAX_LINES):
        line = await _line(stream)
        lines.append(printable(line[4:] if line.startswith(code) else line, 200))
        if line.startswith(code + b" ") or line == code:
            return FtpReply(int(code), lines)
    raise ProbeError(f"an FTP reply went on for more than {MAX_LINES} lines")


async def _line(stream: Stream) -> bytes:
    line = await stream.read_until(b"\n", max_bytes=MAX_LINE)
    if len(line) > MAX_LINE:
        raise ProbeError(f"an FTP reply line is longer than {MAX_LINE} bytes")
    return line.rstrip(b"\r\n")


async def _command(stream: Stream, command: str) -> FtpReply:
    await stream.write(command.encode("ascii") + b"\r\n")
    return await read_reply(stream)


def banner_product(text: str) -> tuple[str, str, str]:
    """``(product, version, cpe)`` for a greeting naming a known server, else empty strings."""
    for pattern, product, cpe_name in _PRODUCTS:
        match = pattern.search(text)
        if match is None:
            continue
        version = match.group(1) if pattern.groups else ""
        cpe = f"cpe:2.3:a:{cpe_name}:{version}:*:*:*:*:*:*:*" if cpe_name and version else ""
        return product, version, cpe
    return "", "", ""


def _features(reply: FtpReply) -> list[str]:
    """The feature lines of a ``211`` FEAT reply (between its first and last line)."""
    if reply.code != 211 or len(reply.lines) < 3:  # noqa: PLR2004 - RFC 2389's positive reply
        return []
    return [line.strip() for line in reply.lines[1:-1] if line.strip()][:MAX_LINES]


@probe("ftp", ports=(21,), services=("ftp",))
async def probe_ftp(context: ProbeContext, service: Service) -> None:
    """Greeting, features and anonymous login into ``service.details["ftp"]``."""
    stream = await context.connect()
    greeting = await read_reply(stream)
    service.name = "ftp"
    service.banner = greeting.text
    if service.category is Category.OTHER:
        service.category = Category.FILE_SHARING
    details: dict[str, Any] = {"greeting_code": greeting.code, "greeting": greeting.text}
    service.details["ftp"] = details
    if greeting.code != 220:  # noqa: PLR2004 - "service ready"; 421 and others: the server turns us away
        return
    product, version, cpe = banner_product(greeting.text)
    if product:
        service.product, service.version, service.cpe = product, version, cpe

    feat = await _command(stream, "FEAT")
    features = _features(feat)
    details["feat_supported"] = feat.code == 211  # noqa: PLR2004
    details["features"] = features
    auth = [f.split(None, 1)[1].upper() for f in features if f.upper().startswith("AUTH ") and " " in f]
    details["auth_tls"] = any("TLS" in mechanism or "SSL" in mechanism for mechanism in auth)

    user = await _command(stream, "USER anonymous")
    details["user_reply"] = f"{user.code} {user.text}"
    accepted = user.code == 230  # noqa: PLR2004 - logged in without a password
    if user.code == 331:  # noqa: PLR2004 - password required
        password = await _command(stream, f"PASS {ANONYMOUS_PASSWORD}")
        details["pass_reply"] = f"{password.code} {password.text}"
        accepted = password.code == 230  # noqa: PLR2004
    details["anonymous"] = accepted
    await _quit(stream)


async def _quit(stream: Stream) -> None:
    """Say goodbye; the answer does not matter and a server already gone is fine."""
    try:
        await stream.write(b"QUIT\r\n")
        await stream.read(512, seconds=QUIT_WAIT)
    except ProbeError:
        pass
