"""The one connection a probe may open, with every read bounded in bytes and time.

A probe receives a :class:`ProbeContext`; ``await context.connect()`` opens its single TCP (or TLS)
connection through the audit's politeness gate, and a second call raises. Every read takes a
timeout and counts against ``max_read_bytes``: a server that streams forever, answers with binary
garbage or never answers costs a bounded time and memory, then the probe gets ``ProbeError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from hygie.engines.exposure.policy import HostBudgetExceededError, HostGate, RateLimiter, ScanPolicy

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from types import TracebackType

__all__ = ["ProbeContext", "ProbeError", "Stream", "unverified_tls_context"]


class ProbeError(Exception):
    """A probe could not complete: refused, timed out, answer too long or not the expected protocol."""


def unverified_tls_context(
    *, minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None
) -> ssl.SSLContext:
    """A client context that accepts any certificate and, at security level 0, old versions and ciphers.

    An audit must see what the server offers, including what a browser would refuse; the
    certificate is judged afterwards from its bytes, never trusted.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.minimum_version = minimum or ssl.TLSVersion.MINIMUM_SUPPORTED
    if maximum is not None:
        context.maximum_version = maximum
    return context


class Stream:
    """A connected stream whose reads are bounded; created by :meth:`ProbeContext.connect`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, context: ProbeContext) -> None:
        self._reader = reader
        self._writer = writer
        self._context = context
        self._pending = b""
        self.bytes_read = 0

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        """The TLS session, once TLS is up (certificate, version, cipher)."""
        obj = self._writer.get_extra_info("ssl_object")
        return obj if isinstance(obj, ssl.SSLObject) else None

    def _timeout(self, seconds: float | None) -> float:
        """``seconds`` cut to what is left of the probe's time."""
        left = self._context.deadline - time.monotonic()
        if left <= 0:
            raise ProbeError("the probe ran out of time")
        return min(left, seconds) if seconds is not None else left

    def _count(self, data: bytes) -> bytes:
        self.bytes_read += len(data)
        if self.bytes_read > self._context.policy.max_read_bytes:
            raise ProbeError(f"the server sent more than {self._context.policy.max_read_bytes} bytes")
        return data

    async def _raw(self, operation: Awaitable[bytes], seconds: float | None) -> bytes:
        """Await one reader operation under the time budget, mapping failures to ``ProbeError``."""
        try:
            data = await asyncio.wait_for(operation, self._timeout(seconds))
        except asyncio.IncompleteReadError as error:
            raise ProbeError(f"the server closed the connection after {len(error.partial)} bytes") from None
        except TimeoutError:
            raise ProbeError("no answer before the timeout") from None
        except (ConnectionError, OSError, ssl.SSLError) as error:
            raise ProbeError(f"connection lost: {error}") from None
        return self._count(data)

    def _take(self, size: int) -> bytes:
        """Up to ``size`` bytes already read ahead (past a separator)."""
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    async def read(self, max_bytes: int = 4096, seconds: float | None = None) -> bytes:
        """Up to ``max_bytes`` bytes as soon as some arrive; ``b""`` at end of stream."""
        if self._pending:
            return self._take(max_bytes)
        return await self._raw(self._reader.read(max_bytes), seconds)

    async def read_exactly(self, size: int, seconds: float | None = None) -> bytes:
        """Exactly ``size`` bytes; ``ProbeError`` if the stream ends first."""
        head = self._take(size)
        if len(head) == size:
            return head
        if self.bytes_read + size - len(head) > self._context.policy.max_read_bytes:
            raise ProbeError(f"the server announced more than {self._context.policy.max_read_bytes} bytes")
        return head + await self._raw(self._reader.readexactly(size - len(head)), seconds)

    async def read_until(self, separator: bytes, max_bytes: int = 8192, seconds: float | None = None) -> bytes:
        """Bytes up to and including ``separator``; ``ProbeError`` past ``max_bytes`` or at end of stream."""
        buffer = bytearray()
        while True:
            found = buffer.find(separator)
            if found >= 0:
                end = found + len(separator)
                self._pending = bytes(buffer[end:]) + self._pending
                return bytes(buffer[:end])
            if len(buffer) > max_bytes:
                raise ProbeError(f"no {separator!r} within {max_bytes} bytes")
            chunk = await self.read(4096, seconds)
            if not chunk:
                raise ProbeError("the server closed the connection")
            buffer += chunk

    async def write(self, data: bytes) -> None:
        """Send ``data``; ``ProbeError`` if the peer is gone."""
        try:
            self._writer.write(data)
            await asyncio.wait_for(self._writer.drain(), self._timeout(None))
        except TimeoutError:
            raise ProbeError("the server stopped reading") from None
        except (ConnectionError, OSError, ssl.SSLError) as error:
            raise ProbeError(f"connection lost: {error}") from None

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str | None = None) -> None:
        """Upgrade to TLS in place (STARTTLS, RDP, PostgreSQL SSLRequest...)."""
        try:
            await asyncio.wait_for(
                self._writer.start_tls(context, server_hostname=server_hostname), self._timeout(None)
            )
        except TimeoutError:
            raise ProbeError("the TLS handshake timed out") from None
        except (ssl.SSLError, ConnectionError, OSError) as error:
            raise ProbeError(f"TLS handshake failed: {error}") from None

    async def close(self) -> None:
        """Close the connection, never raising (the server may already have gone)."""
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1.0)


@dataclass(slots=True)
class ProbeContext:
    """What a probe knows of its target, and its single connection.

    ``server_name`` is the host name the target was declared by (for SNI, the HTTP ``Host``
    header and the certificate name check), or None when it was declared by address.
    """

    address: str
    port: int
    server_name: str | None
    policy: ScanPolicy
    rate: RateLimiter
    gate: HostGate
    deadline: float = 0.0
    connections: int = 0
    _stream: Stream | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.monotonic() + self.policy.probe_timeout

    async def connect(self, *, tls: ssl.SSLContext | None = None) -> Stream:
        """Open the probe's one connection (TLS from the first byte when ``tls`` is given)."""
        if self.connections:
            raise ProbeError("a probe may open only one connection")
        self.connections = 1
        try:
            self.gate.spend(self.address)
        except HostBudgetExceededError:
            raise ProbeError(f"the connection cap for {self.address} is reached") from None
        await self.rate.acquire()
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ProbeError("the probe ran out of time")
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.address,
                    self.port,
                    ssl=tls,
                    server_hostname=(self.server_name or "") if tls is not None else None,
                    limit=64 * 1024,
                ),
                min(left, self.policy.connect_timeout + (self.policy.probe_timeout if tls else 0)),
            )
        except TimeoutError:
            raise ProbeError("the connection timed out") from None
        except ssl.SSLError as error:
            raise ProbeError(f"TLS handshake failed: {error.reason or error}") from None
        except (ConnectionError, OSError) as error:
            raise ProbeError(f"connection failed: {error.strerror or error}") from None
        self._stream = Stream(reader, writer, self)
        return self._stream

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
