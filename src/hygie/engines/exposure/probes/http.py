"""HTTP(S) probe: a few GET requests on one keep-alive connection, and what the answers tell.

The probe asks ``/``, then follows a same-site redirect and the paths the signatures make worth
asking (a VPN portal's version file, a login page), at most :data:`MAX_REQUESTS` requests, all
on one connection, and stops as soon as the server closes it. It records the status, title,
``Server`` and ``X-Powered-By`` headers, security headers, redirects and password forms in
``service.details["http"]``, and names the product: an edge device (``details["http"]["edge"]``)
or an administration page (``details["http"]["admin"]``) from :mod:`~hygie.engines.exposure.signatures`,
else the web server named by its ``Server`` header.

Every read is bounded: headers by :data:`MAX_HEADER_BYTES`, bodies by :data:`MAX_BODY_BYTES`
(Content-Length, chunked or read-to-close alike); a longer body is cut and the connection
abandoned, so an endless answer costs a bounded time and memory.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hygie.engines.exposure.connection import ProbeError, unverified_tls_context
from hygie.engines.exposure.model import Category, printable
from hygie.engines.exposure.registry import probe
from hygie.engines.exposure.signatures import DeviceKind, Page, identify, paths_to_follow, server_product

if TYPE_CHECKING:
    from hygie.engines.exposure.connection import ProbeContext, Stream
    from hygie.engines.exposure.model import Service

__all__ = [
    "HTTP_PORTS",
    "HTTP_SERVICES",
    "MAX_BODY_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_REQUESTS",
    "SECURITY_HEADERS",
    "HttpAnswer",
    "build_request",
    "page_title",
    "read_answer",
]

#: Ports where plain HTTP is usual (web, alternates, CUPS/IPP, Orthanc, VNC over HTTP, Elasticsearch).
HTTP_PORTS = frozenset({80, 81, 591, 631, 5800, 8000, 8008, 8042, 8080, 8081, 8088, 8888, 9080, 9200})
#: Service names the probe runs on (over TLS when the TLS probe succeeded).
HTTP_SERVICES = frozenset({"http", "https", "http-alt", "http-proxy", "vnc-http"})
#: Requests on the one connection: ``/``, a redirect target, and signature paths.
MAX_REQUESTS = 5
#: Longest status line plus headers accepted.
MAX_HEADER_BYTES = 16 * 1024
#: Body bytes kept per answer; past this the body is cut and the connection given up.
MAX_BODY_BYTES = 64 * 1024
#: Headers kept per answer.
MAX_HEADERS = 100
#: Headers that protect browsers, reported present or absent.
SECURITY_HEADERS = (
    "strict-transport-security",
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
)
_USER_AGENT = "Mozilla/5.0 (compatible; Hygie exposure audit)"
_SAFE_PATH = re.compile(r"/[!-~]{0,255}")
_TITLE = re.compile(rb"<title[^>]{0,200}>(.{0,2000}?)</title", re.IGNORECASE | re.DOTALL)
_PASSWORD_INPUT = re.compile(rb"<input\b[^>]{0,500}?type\s*=\s*[\"']?password", re.IGNORECASE)
_NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """One HTTP answer: status, headers (lower-case names), the body kept and whether the connection is reusable."""

    status: int
    reason: str
    version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool
    reusable: bool

    def header(self, name: str) -> str:
        """The first value of header ``name`` ('' when absent)."""
        return next((value for key, value in self.headers if key == name), "")


def build_request(path: str, host: str) -> bytes:
    """A keep-alive GET request for ``path`` on ``host``."""
    lines = (
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        f"User-Agent: {_USER_AGENT}",
        "Accept: text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Encoding: identity",
        "Connection: keep-alive",
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def page_title(body: bytes) -> str:
    """The page's ``<title>``, unescaped, whitespace collapsed and made printable ('' when none)."""
    found = _TITLE.search(body)
    if found is None:
        return ""
    text = html.unescape(found.group(1).decode("utf-8", errors="replace"))
    return printable(" ".join(text.split()), 200)


def _parse_head(head: bytes) -> tuple[str, int, str, tuple[tuple[str, str], ...]]:
    """Version, status, reason and headers of an answer's head; ``ProbeError`` if it is not HTTP."""
    lines = head.split(b"\r\n")
    status_line = lines[0]
    found = re.fullmatch(rb"HTTP/(\d\.\d) (\d{3})(?: (.*))?", status_line.strip())
    if found is None:
        raise ProbeError(f"not an HTTP answer: {printable(status_line, 60)!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name.strip() or len(headers) >= MAX_HEADERS:
            continue
        headers.append((printable(name.strip(), 64).lower(), printable(value.strip(), 512)))
    reason = printable(found.group(3) or b"", 80)
    return found.group(1).decode("ascii"), int(found.group(2)), reason, tuple(headers)


async def _read_chunked(stream: Stream) -> tuple[bytes, bool]:
    """A chunked body, cut at :data:`MAX_BODY_BYTES`; returns (body, complete)."""
    body = bytearray()
    while True:
        size_line = await stream.read_until(b"\r\n", max_bytes=256)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ProbeError(f"malformed chunk size {printable(size_line, 40)!r}") from None
        if size == 0:
            for _ in range(32):  # trailer fields, then the empty line
                if await stream.read_until(b"\r\n", max_bytes=1024) == b"\r\n":
                    return bytes(body), True
            raise ProbeError("too many trailer fields")
        take = min(size, MAX_BODY_BYTES - len(body))
        if take > 0:
            body += await stream.read_exactly(take)
        if take < size:
            return bytes(body), False
        await stream.read_exactly(2)


async def _read_to_close(stream: Stream) -> tuple[bytes, bool]:
    """A body delimited by the end of the connection, cut at :data:`MAX_BODY_BYTES`."""
    body = bytearray()
    while len(body) < MAX_BODY_BYTES:
        try:
            chunk = await stream.read(min(16384, MAX_BODY_BYTES - len(body)), seconds=2.0)
        except ProbeError:
            return bytes(body), False  # a server that stalls mid-body: keep what came
        if not chunk:
            return bytes(body), True
        body += chunk
    return bytes(body), False


async def read_answer(stream: Stream, *, head_request: bool = False) -> HttpAnswer:
    """Read one answer (skipping interim 1xx answers) with every part bounded."""
    for _ in range(4):
        # The first five bytes tell HTTP from anything else: a binary answer fails at once.
        start = await stream.read_exactly(5)
        if start != b"HTTP/":
            raise ProbeError(f"not an HTTP answer: {printable(start, 20)!r}")
        head = start + await stream.read_until(b"\r\n\r\n", max_bytes=MAX_HEADER_BYTES)
        version, status, reason, headers = _parse_head(head[:-4])
        if not 100 <= status < 200:  # noqa: PLR2004 - interim answers come before the real one
            break
    else:
        raise ProbeError("too many interim (1xx) answers")
    answer_headers = dict(headers)
    connection = answer_headers.get("connection", "").lower()
    reusable = version == "1.1" and "close" not in connection
    if head_request or status in _NO_BODY_STATUSES:
        return HttpAnswer(status, reason, version, headers, b"", truncated=False, reusable=reusable)
    if "chunked" in answer_headers.get("transfer-encoding", "").lower():
        body, complete = await _read_chunked(stream)
    elif "content-length" in answer_headers:
        try:
            length = int(answer_headers["content-length"].split(",")[0])
        except ValueError:
            raise ProbeError("malformed Content-Length") from None
        if length < 0:
            raise ProbeError("negative Content-Length")
        take = min(length, MAX_BODY_BYTES)
        body = await stream.read_exactly(take) if take else b""
        complete = take == length
    else:
        body, complete = await _read_to_close(stream)
        reusable = False
    return HttpAnswer(status, reason, version, headers, body, truncated=not complete, reusable=reusable and complete)


def _host_header(context: ProbeContext, tls: bool) -> str:
    host = context.server_name or context.address
    if ":" in host:
        host = f"[{host}]"
    default = 443 if tls else 80
    return host if context.port == default else f"{host}:{context.port}"


def _same_site_path(location: str, context: ProbeContext) -> str:
    """The path a redirect points to when it stays on this server ('' otherwise or when unsafe)."""
    try:
        parts = urlsplit(location)
    except ValueError:
        return ""
    if parts.netloc:
        host = (parts.hostname or "").lower()
        if host not in {context.address.lower(), (context.server_name or "").lower()}:
            return ""
        try:
            port = parts.port
        except ValueError:
            return ""
        if port is not None and port != context.port:
            return ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return path if _SAFE_PATH.fullmatch(path) else ""


def _page(path: str, answer: HttpAnswer) -> Page:
    return Page(
        path=path,
        status=answer.status,
        title=page_title(answer.body),
        headers=answer.headers,
        body=answer.body.decode("utf-8", errors="replace"),
    )


async def _converse(context: ProbeContext, stream: Stream, tls: bool, *, sniff: bool) -> list[tuple[Page, HttpAnswer]]:
    """The requests of one survey, in order; stops when the server closes or nothing is left to ask."""
    host = _host_header(context, tls)
    queue = ["/"]
    asked: list[str] = []
    seen: list[tuple[Page, HttpAnswer]] = []
    while queue and len(asked) < MAX_REQUESTS:
        path = queue.pop(0)
        if path in asked:
            continue
        asked.append(path)
        try:
            await stream.write(build_request(path, host))
            answer = await read_answer(stream)
        except ProbeError:
            if not seen:
                raise
            break  # a later request failed: what came before stands
        page = _page(path, answer)
        seen.append((page, answer))
        if not answer.reusable:
            break
        target = _same_site_path(answer.header("location"), context) if 300 <= answer.status < 400 else ""  # noqa: PLR2004
        follow = ([target] if target else []) + paths_to_follow([p for p, _ in seen])
        queue = [p for p in dict.fromkeys(follow + queue) if p not in asked]
        if sniff and not follow:
            break
    return seen


def _observation(scheme: str, seen: list[tuple[Page, HttpAnswer]]) -> dict[str, Any]:
    """``details["http"]`` from the answers (the first one is ``/``)."""
    first_page, first = seen[0]
    security: dict[str, str | None] = {}
    for name in SECURITY_HEADERS:
        security[name] = next((a.header(name) for _, a in seen if a.header(name)), None)
    password = next((p.path for p, a in seen if _PASSWORD_INPUT.search(a.body)), "")
    return {
        "scheme": scheme,
        "status": first.status,
        "title": first_page.title,
        "server": first.header("server"),
        "powered_by": first.header("x-powered-by"),
        "location": first.header("location"),
        "www_authenticate": next((a.header("www-authenticate") for _, a in seen if a.header("www-authenticate")), ""),
        "security_headers": security,
        "password_form": password,
        "pages": [
            {
                "path": page.path,
                "status": answer.status,
                "title": page.title,
                "location": answer.header("location"),
                "bytes": len(answer.body),
                "truncated": answer.truncated,
            }
            for page, answer in seen
        ],
    }


def _name_product(service: Service, observed: dict[str, Any], pages: list[Page]) -> None:
    """Set the product, version, CPE and category from the signatures or the ``Server`` header."""
    found = identify(pages)
    if found is not None:
        signature = found.signature
        observed["edge" if signature.kind is DeviceKind.EDGE else "admin"] = found.to_dict()
        service.product = signature.product
        service.version = found.version
        service.cpe = found.cpe
        service.category = signature.category
        return
    if not service.product and observed["server"]:
        product, version, cpe = server_product(observed["server"])
        service.product, service.version, service.cpe = product, version, cpe


async def _survey(context: ProbeContext, service: Service, *, sniff: bool) -> None:
    tls = bool(service.tls and service.tls.get("version"))
    stream = await context.connect(tls=unverified_tls_context() if tls else None)
    seen = await _converse(context, stream, tls, sniff=sniff)
    scheme = "https" if tls else "http"
    observed = _observation(scheme, seen)
    _name_product(service, observed, [page for page, _ in seen])
    service.details["http"] = observed
    if service.name in {"", "http-alt", "http-proxy"} or (service.name == "https" and not tls):
        service.name = scheme
    if not service.banner and observed["server"]:
        service.banner = observed["server"]
    if service.category is Category.OTHER:
        service.category = Category.WEB


@probe("http", ports=HTTP_PORTS, services=HTTP_SERVICES, order=20)
async def probe_http(context: ProbeContext, service: Service) -> None:
    """Status, title, headers and product of an HTTP(S) service (over TLS when the TLS probe succeeded)."""
    await _survey(context, service, sniff=False)


@probe("http_sniff", order=95, fallback=True)
async def probe_http_sniff(context: ProbeContext, service: Service) -> None:
    """On a port no probe claims: whether it answers HTTP (then the service is named ``http``).

    It runs after the banner probe (order 90), so a server that speaks first is named by its
    banner and never sees our request.
    """
    await _survey(context, service, sniff=True)
