"""Database probes: PostgreSQL, MySQL/MariaDB, Redis and memcached, and whether they let anyone in.

Read-only and harmless by construction: each probe opens one connection, sends a startup or
handshake message and at most one read-only command (Redis ``INFO server``, memcached ``version``
and ``stats``), and leaves. The only login tried is the one the audit must know about: PostgreSQL
user ``postgres`` and MySQL ``root`` with no password, once. Nothing is ever written or queried.
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

__all__ = [
    "MAX_MESSAGE",
    "mysql_product",
    "parse_mysql_greeting",
    "postgres_startup",
    "probe_memcached",
    "probe_mysql",
    "probe_postgresql",
    "probe_redis",
]

#: The longest protocol message read from a database: greetings and errors are far shorter.
MAX_MESSAGE = 64 * 1024
#: Messages read after PostgreSQL's AuthenticationOk before giving up on ReadyForQuery.
_MAX_PG_MESSAGES = 64


def _identify(service: Service, name: str, product: str, version: str, cpe_product: str) -> None:
    """Name the service a database and set its product, version and CPE 2.3 name when known."""
    service.name = name
    service.category = Category.DATABASE
    service.product = product
    if version:
        service.version = version
        service.cpe = f"cpe:2.3:a:{cpe_product}:{version}:*:*:*:*:*:*:*"


def _leading_version(text: str) -> str:
    match = re.match(r"\d+(\.\d+)*", text)
    return match.group(0) if match else ""


# --- PostgreSQL (frontend/backend protocol 3.0) -----------------------------------------------

_PG_PROTOCOL_3 = 196608
_PG_AUTH = {0: "trust", 2: "kerberos-v5", 3: "cleartext", 5: "md5", 7: "gss", 9: "sspi", 10: "sasl"}
_PG_KEPT_PARAMETERS = (
    "server_version",
    "server_encoding",
    "DateStyle",
    "TimeZone",
    "is_superuser",
    "session_authorization",
)


def postgres_startup(user: str = "postgres", database: str = "postgres") -> bytes:
    """The StartupMessage: protocol 3.0, ``user`` on ``database``, our application name."""
    parameters = b"".join(
        key + b"\x00" + value.encode() + b"\x00"
        for key, value in ((b"user", user), (b"database", database), (b"application_name", "hygie-audit"))
    )
    body = struct.pack("!I", _PG_PROTOCOL_3) + parameters + b"\x00"
    return struct.pack("!I", len(body) + 4) + body


async def _pg_message(stream: Stream) -> tuple[bytes, bytes]:
    header = await stream.read_exactly(5)
    kind, length = header[:1], struct.unpack("!I", header[1:])[0]
    if kind not in {b"R", b"E", b"N", b"S", b"K", b"Z", b"v"} or length < 4:  # noqa: PLR2004 - the length counts itself
        raise ProbeError(f"not a PostgreSQL answer: {printable(header, 10)!r}")
    if length - 4 > MAX_MESSAGE:
        raise ProbeError(f"the server announced a {length}-byte PostgreSQL message (more than {MAX_MESSAGE})")
    return kind, await stream.read_exactly(length - 4)


def _pg_fields(body: bytes) -> dict[str, str]:
    """An ErrorResponse or NoticeResponse: code letter -> text (S severity, C SQLSTATE, M message...)."""
    return {chr(part[0]): printable(part[1:], 200) for part in body.split(b"\x00") if part}


def _pg_authentication(body: bytes) -> dict[str, Any]:
    if len(body) < 4:  # noqa: PLR2004 - an int32 code
        raise ProbeError("truncated PostgreSQL authentication request")
    code = struct.unpack_from("!I", body)[0]
    method = _PG_AUTH.get(code, f"code {code}")
    observed: dict[str, Any] = {"authentication": method, "unauthenticated": code == 0}
    if code == 10:  # noqa: PLR2004 - SASL: the mechanisms follow (SCRAM-SHA-256...)
        mechanisms = [printable(m, 40) for m in body[4:].split(b"\x00") if m][:8]
        observed["sasl_mechanisms"] = mechanisms
        if mechanisms:
            observed["authentication"] = mechanisms[0].lower()
    return observed


@probe("postgresql", ports=(5432,), services=("postgresql",), order=40)
async def probe_postgresql(context: ProbeContext, service: Service) -> None:
    """Start a session as ``postgres``; record trust (then the server version) or the authentication asked."""
    stream = await context.connect()
    await stream.write(postgres_startup())
    observed: dict[str, Any] = {"user": "postgres", "database": "postgres"}
    parameters: dict[str, str] = {}
    for _ in range(_MAX_PG_MESSAGES):
        kind, body = await _pg_message(stream)
        if kind == b"R":
            observed.update(_pg_authentication(body))
            if not observed["unauthenticated"]:
                break  # a password is asked for: we have none to give
        elif kind == b"E":
            fields = _pg_fields(body)
            observed["error"] = {"code": fields.get("C", ""), "message": fields.get("M", "")}
            # An error before any authentication request: pg_hba.conf refused us outright.
            observed.setdefault("authentication", "refused")
            observed.setdefault("unauthenticated", False)
            break
        elif kind == b"S":
            name, _, rest = body.partition(b"\x00")
            key = name.decode("latin-1")
            if key in _PG_KEPT_PARAMETERS:
                parameters[key] = printable(rest.rstrip(b"\x00"), 120)
        elif kind == b"Z":
            break
    else:
        raise ProbeError("PostgreSQL sent too many messages before ReadyForQuery")
    if observed.get("unauthenticated"):
        await stream.write(b"X\x00\x00\x00\x04")  # Terminate: leave the session cleanly
    observed["parameters"] = parameters
    version = _leading_version(parameters.get("server_version", ""))
    _identify(service, "postgresql", "PostgreSQL", version, "postgresql:postgresql")
    service.details["postgresql"] = observed


# --- MySQL / MariaDB (client/server protocol, HandshakeV10) ------------------------------------

_CLIENT_LONG_PASSWORD = 0x1
_CLIENT_LONG_FLAG = 0x4
_CLIENT_SSL = 0x800
_CLIENT_PROTOCOL_41 = 0x200
_CLIENT_TRANSACTIONS = 0x2000
_CLIENT_SECURE_CONNECTION = 0x8000
_CLIENT_PLUGIN_AUTH = 0x80000
_MYSQL_CLIENT_CAPABILITIES = (
    _CLIENT_LONG_PASSWORD
    | _CLIENT_LONG_FLAG
    | _CLIENT_PROTOCOL_41
    | _CLIENT_TRANSACTIONS
    | _CLIENT_SECURE_CONNECTION
    | _CLIENT_PLUGIN_AUTH
)
_MYSQL_HOST_NOT_PRIVILEGED = 1130
_MYSQL_ACCESS_DENIED = 1045


async def _mysql_packet(stream: Stream) -> tuple[int, bytes]:
    header = await stream.read_exactly(4)
    length, sequence = int.from_bytes(header[:3], "little"), header[3]
    if length > MAX_MESSAGE:
        raise ProbeError(f"the server announced a {length}-byte MySQL packet (more than {MAX_MESSAGE})")
    return sequence, await stream.read_exactly(length)


def _mysql_error(payload: bytes) -> dict[str, Any]:
    code = int.from_bytes(payload[1:3], "little") if len(payload) >= 3 else 0  # noqa: PLR2004
    message = payload[3:]
    if message.startswith(b"#"):
        message = message[6:]  # '#' and the five-character SQLSTATE
    return {"code": code, "message": printable(message, 200)}


def parse_mysql_greeting(payload: bytes) -> dict[str, Any]:
    """The fields of a HandshakeV10 greeting (or the error a server greets a refused host with)."""
    if payload[:1] == b"\xff":
        error = _mysql_error(payload)
        return {"greeting_error": error, "host_blocked": error["code"] == _MYSQL_HOST_NOT_PRIVILEGED}
    if payload[:1] != b"\x0a":
        raise ProbeError(f"not a MySQL greeting: {printable(payload, 20)!r}")
    end = payload.find(b"\x00", 1)
    # Version, connection id (4), scramble part 1 (8), filler (1), lower capabilities (2).
    if end < 0 or len(payload) < end + 16:
        raise ProbeError("truncated MySQL greeting")
    greeting: dict[str, Any] = {"protocol": 10, "server_version": printable(payload[1:end], 80)}
    offset = end + 1 + 4 + 8 + 1
    capabilities = int.from_bytes(payload[offset : offset + 2], "little")
    offset += 2
    plugin = ""
    if len(payload) >= offset + 16:
        capabilities |= int.from_bytes(payload[offset + 3 : offset + 5], "little") << 16
        scramble_length = payload[offset + 5]
        offset += 16
        if capabilities & _CLIENT_SECURE_CONNECTION:
            offset += max(13, scramble_length - 8)
        if capabilities & _CLIENT_PLUGIN_AUTH and offset < len(payload):
            plugin = payload[offset:].split(b"\x00", 1)[0].decode("latin-1")
    greeting.update(capabilities=f"0x{capabilities:08x}", tls_supported=bool(capabilities & _CLIENT_SSL))
    greeting["auth_plugin"] = printable(plugin, 64)
    greeting["_capabilities"] = capabilities
    return greeting


def mysql_product(server_version: str) -> tuple[str, str, str]:
    """(product, version, CPE vendor:product) from a greeting's version string (MariaDB's ``5.5.5-`` prefix dropped)."""
    if "mariadb" in server_version.lower():
        return "MariaDB", _leading_version(server_version.removeprefix("5.5.5-")), "mariadb:mariadb"
    return "MySQL", _leading_version(server_version), "oracle:mysql"


def _mysql_login(capabilities: int, plugin: str) -> bytes:
    """HandshakeResponse41 for ``root`` with an empty password (an empty auth response)."""
    flags = _MYSQL_CLIENT_CAPABILITIES & (capabilities | _CLIENT_LONG_PASSWORD)
    payload = struct.pack("<IIB23x", flags, 16 * 1024 * 1024, 33) + b"root\x00" + b"\x00"
    if flags & _CLIENT_PLUGIN_AUTH:
        payload += plugin.encode("latin-1") + b"\x00"
    return payload


def _mysql_frame(sequence: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "little") + bytes([sequence & 0xFF]) + payload


async def _mysql_empty_root(stream: Stream, greeting: dict[str, Any]) -> dict[str, Any]:
    """Try root without password once, following one authentication switch; what the server said."""
    await stream.write(_mysql_frame(1, _mysql_login(greeting["_capabilities"], greeting["auth_plugin"])))
    for _ in range(4):
        sequence, payload = await _mysql_packet(stream)
        head = payload[:1]
        if head == b"\x00":
            await stream.write(_mysql_frame(0, b"\x01"))  # COM_QUIT
            return {"empty_root_password": True}
        if head == b"\xff":
            error = _mysql_error(payload)
            return {"empty_root_password": False, "login_error": error}
        if head == b"\xfe":
            # AuthSwitchRequest: the empty password's answer is empty whatever the plugin.
            switched = payload[1:].split(b"\x00", 1)[0]
            greeting["auth_switch"] = printable(switched, 64)
            await stream.write(_mysql_frame(sequence + 1, b""))
        elif payload[:2] != b"\x01\x03":  # anything but caching_sha2's "fast auth succeeded" needs a secret
            return {"empty_root_password": None, "login_error": {"code": 0, "message": "more authentication asked"}}
    return {"empty_root_password": None}


@probe("mysql", ports=(3306,), services=("mysql",), order=40)
async def probe_mysql(context: ProbeContext, service: Service) -> None:
    """Read the server greeting, then try ``root`` with an empty password once."""
    stream = await context.connect()
    _, payload = await _mysql_packet(stream)
    try:
        greeting = parse_mysql_greeting(payload)
    except (IndexError, struct.error, UnicodeError) as error:
        raise ProbeError(f"malformed MySQL greeting ({error})") from None
    if "server_version" in greeting:
        greeting.update(await _mysql_empty_root(stream, greeting))
        product, version, cpe_product = mysql_product(greeting["server_version"])
        _identify(service, "mysql", product, version, cpe_product)
    else:
        refused_by = "MariaDB" if "mariadb" in greeting["greeting_error"]["message"].lower() else "MySQL"
        _identify(service, "mysql", refused_by, "", "")
    greeting.pop("_capabilities", None)
    service.details["mysql"] = greeting


# --- Redis (RESP) -------------------------------------------------------------------------------

_REDIS_KEPT = ("redis_version", "redis_mode", "os", "arch_bits", "tcp_port", "executable", "config_file")


@probe("redis", ports=(6379,), services=("redis",), order=40)
async def probe_redis(context: ProbeContext, service: Service) -> None:
    """Send ``INFO server``: a bulk reply means no authentication, ``-NOAUTH``/``-DENIED`` a protected server."""
    stream = await context.connect()
    await stream.write(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
    line = await stream.read_until(b"\r\n", max_bytes=1024)
    observed: dict[str, Any] = {}
    if line.startswith(b"$"):
        try:
            size = int(line[1:-2])
        except ValueError:
            raise ProbeError(f"not a Redis bulk reply: {printable(line, 40)!r}") from None
        if not 0 <= size <= MAX_MESSAGE:
            raise ProbeError(f"the server announced a {size}-byte Redis reply (more than {MAX_MESSAGE})")
        info = (await stream.read_exactly(size + 2))[:size].decode("latin-1")
        fields = dict(item.split(":", 1) for item in info.splitlines() if ":" in item and not item.startswith("#"))
        observed = {"unauthenticated": True, **{k: printable(fields[k], 120) for k in _REDIS_KEPT if k in fields}}
    elif line.startswith(b"-"):
        message = printable(line[1:-2], 200)
        code = message.split(" ", 1)[0]
        # NOAUTH: requirepass or ACL; DENIED: protected mode refuses non-loopback clients.
        observed = {"unauthenticated": False, "error": message, "protected": code in {"NOAUTH", "DENIED"}}
    else:
        raise ProbeError(f"not a Redis reply: {printable(line, 40)!r}")
    version = str(observed.get("redis_version", ""))
    _identify(service, "redis", "Redis", _leading_version(version), "redis:redis")
    service.details["redis"] = observed


# --- memcached (text protocol) ------------------------------------------------------------------

_MEMCACHED_KEPT = ("uptime", "curr_connections", "curr_items", "total_items", "bytes", "limit_maxbytes")


@probe("memcached", ports=(11211,), services=("memcached",), order=40)
async def probe_memcached(context: ProbeContext, service: Service) -> None:
    """Send ``version`` then ``stats``; answers mean anyone may read and write the cache."""
    stream = await context.connect()
    await stream.write(b"version\r\n")
    line = await stream.read_until(b"\r\n", max_bytes=1024)
    if line.startswith(b"VERSION "):
        version = printable(line[8:-2].strip(), 40)
        observed: dict[str, Any] = {"unauthenticated": True, "version": version}
        await stream.write(b"stats\r\n")
        stats = await stream.read_until(b"END\r\n", max_bytes=MAX_MESSAGE)
        for row in stats.decode("latin-1").splitlines():
            parts = row.split(" ")
            if len(parts) == 3 and parts[0] == "STAT" and parts[1] in _MEMCACHED_KEPT:  # noqa: PLR2004
                observed[parts[1]] = printable(parts[2], 40)
        _identify(service, "memcached", "memcached", _leading_version(version), "memcached:memcached")
    elif line.startswith((b"CLIENT_ERROR", b"SERVER_ERROR")):
        # SASL or ASCII authentication (-Y): commands are refused until the client logs in.
        observed = {"unauthenticated": False, "error": printable(line[:-2], 200)}
        _identify(service, "memcached", "memcached", "", "")
    else:
        raise ProbeError(f"not a memcached answer: {printable(line, 40)!r}")
    service.details["memcached"] = observed
