"""Lab servers of the medical and database probes (addresses .30-.39 of the lab's /24).

Every server is the real thing, started in the foreground inside the namespace lab on first use
and kept for the session: a pynetdicom Verification SCP accepting any called AE title and one
requiring its own, an MLLP listener answering each frame with an HL7 acknowledgement the way an
interface engine does, PostgreSQL with ``trust`` and with ``scram-sha-256``, MariaDB with a root
account without password and one with a password, Redis with and without ``requirepass``, and
memcached. Data files live under the lab's work directory and vanish with it.

``probe`` runs one registered probe the way the audit does (through ``probe_once``), ``probe_hostile``
runs one against a scripted server on 127.0.0.1 (hostile-input tests) and ``findings`` judges a
service with the checks of ``checks/data.py``.
"""

from __future__ import annotations

import asyncio
import glob
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hygie.engines._core import Finding
from hygie.engines.exposure.checks import data as data_checks
from hygie.engines.exposure.identify import identify_service, new_service, probe_once
from hygie.engines.exposure.model import Host, Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.registry import JudgeContext
from hygie.engines.exposure.tests.netlab import LabError, LabServer, NetLab

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

__all__ = [
    "lab_dicom",
    "lab_dicom_strict",
    "lab_mariadb_locked",
    "lab_mariadb_open",
    "lab_mariadb_template",
    "lab_memcached",
    "lab_mllp",
    "lab_postgres_scram",
    "lab_postgres_template",
    "lab_postgres_trust",
    "lab_redis_auth",
    "lab_redis_open",
]

#: The called AE title the strict DICOM listener insists on.
STRICT_AE_TITLE = "PACS-LAB"
#: The password of the locked MariaDB root and of the protected Redis (lab only).
LAB_SECRET = "lab-secret-not-empty"  # noqa: S105 - a lab fixture's password, on purpose in clear


_DICOM_SCP = """
import sys
from pynetdicom import AE
from pynetdicom.sop_class import Verification

address, port, title, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ae = AE(ae_title=title)
ae.add_supported_context(Verification)
# "strict" rejects an association whose called AE title is not ours, as a well-configured PACS does.
ae.require_called_aet = mode == "strict"
ae.start_server((address, port), block=True)
"""

# An interface engine in miniature: acknowledges ADT and ORU messages, rejects any other type with
# an application reject (AR) and an ERR segment, and answers an unparsable frame with AE.
_MLLP_LISTENER = r"""
import asyncio
import sys

START, END = b"\x0b", b"\x1c\x0d"
SUPPORTED = {"ADT", "ORU"}


def answer(message: bytes) -> bytes:
    text = message.decode("latin-1")
    segments = [s for s in text.split("\r") if s]
    msh = segments[0].split("|") if segments and segments[0].startswith("MSH") else []
    control = msh[9] if len(msh) > 9 else ""
    kind = msh[8].split("^")[0] if len(msh) > 8 else ""
    if not msh:
        code, error = "AE", "ERR|||100^Segment sequence error^HL70357|E"
    elif kind in SUPPORTED:
        code, error = "AA", ""
    else:
        code, error = "AR", "ERR|||200^Unsupported message type^HL70357|E"
    reply = [
        "MSH|^~\\&|LAB-ENGINE|CHU-LAB|HYGIE|AUDIT|20261123120000||ACK^A01^ACK|LAB0001|P|2.5.1",
        f"MSA|{code}|{control}",
    ]
    if error:
        reply.append(error)
    return START + "\r".join(reply).encode("latin-1") + b"\r" + END


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            frame = await reader.readuntil(END)
            writer.write(answer(frame[frame.find(START) + 1 : -len(END)]))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(serve, sys.argv[1], int(sys.argv[2]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
"""


def _workdir(netlab: NetLab, name: str) -> Path:
    """A fresh directory under the lab's work directory, reachable by the unprivileged database users."""
    # The work directory is private to root; database servers that refuse to run as root must traverse it.
    netlab.workdir.chmod(0o711)
    path = netlab.workdir / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _script(netlab: NetLab, name: str, text: str) -> str:
    path = _workdir(netlab, "scripts") / name
    path.write_text(text)
    return str(path)


def _run(*args: str) -> None:
    result = subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=120)  # noqa: S603 - fixed commands
    if result.returncode != 0:
        raise LabError(f"{' '.join(args)} failed: {result.stderr.strip()[-2000:] or result.stdout.strip()[-2000:]}")


def probe(probe_id: str, address: str, port: int, *, policy: ScanPolicy | None = None) -> Service:
    """Run probe ``probe_id`` on ``address:port`` as identification does; failures land in ``errors``."""
    policy = policy or ScanPolicy()
    service = new_service(port)

    async def run() -> None:
        await probe_once(
            probe_id, address, service, policy=policy, rate=RateLimiter(policy.rate), gate=HostGate(policy)
        )

    asyncio.run(run())
    return service


def identify(address: str, port: int) -> Service:
    """Run every applicable probe on ``address:port``, re-selecting after each (the audit's identification)."""
    policy = ScanPolicy()
    service = new_service(port)

    async def run() -> None:
        await identify_service(address, service, policy=policy, rate=RateLimiter(policy.rate), gate=HostGate(policy))

    asyncio.run(run())
    return service


def probe_hostile(
    probe_id: str, handler: Handler, *, port: int, policy: ScanPolicy | None = None
) -> tuple[Service, float]:
    """Run ``probe_id`` against ``handler`` on 127.0.0.1: the service (named as on ``port``), seconds taken."""
    policy = policy or ScanPolicy()

    async def run() -> tuple[Service, float]:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        service = new_service(port)
        service.port = server.sockets[0].getsockname()[1]
        started = time.monotonic()
        try:
            await probe_once(
                probe_id, "127.0.0.1", service, policy=policy, rate=RateLimiter(policy.rate), gate=HostGate(policy)
            )
        finally:
            server.close()
        seconds = time.monotonic() - started
        # Let the handler read what the probe sent last (an A-ABORT...) before the loop ends.
        await asyncio.sleep(0.05)
        return service, seconds

    return asyncio.run(run())


def findings(address: str, service: Service) -> dict[str, Finding]:
    """The findings of the checks of ``checks/data.py`` on ``service``, by check id."""
    host = Host(address=address, services=[service])
    context = JudgeContext(now=datetime.now(UTC))
    found: dict[str, Finding] = {}
    for check in (
        data_checks.check_dicom_any_ae_title,
        data_checks.check_hl7_mllp_answering,
        data_checks.check_db_no_authentication,
        data_checks.check_db_cleartext_password,
    ):
        found.update((f.check_id, f) for f in check(host, service, context))
    return found


def _dicom(netlab: NetLab, index: int, name: str, mode: str) -> LabServer:
    address = netlab.add_address(index)
    script = _script(netlab, "dicom_scp.py", _DICOM_SCP)
    netlab.start(name, [sys.executable, script, address, "11112", STRICT_AE_TITLE, mode], ready=(address, 11112))
    return LabServer(address, 11112)


@pytest.fixture(scope="session")
def lab_dicom(netlab: NetLab) -> LabServer:
    """A pynetdicom Verification SCP that accepts any called AE title (the weakness)."""
    return _dicom(netlab, 30, "dicom-any-ae", "any")


@pytest.fixture(scope="session")
def lab_dicom_strict(netlab: NetLab) -> LabServer:
    """A pynetdicom Verification SCP that rejects associations not addressed to ``STRICT_AE_TITLE``."""
    return _dicom(netlab, 31, "dicom-strict", "strict")


@pytest.fixture(scope="session")
def lab_mllp(netlab: NetLab) -> LabServer:
    """An MLLP listener acknowledging every frame (AA, AR or AE) like an HL7 interface engine."""
    address = netlab.add_address(32)
    script = _script(netlab, "mllp_listener.py", _MLLP_LISTENER)
    netlab.start("mllp", [sys.executable, script, address, "2575"], ready=(address, 2575))
    return LabServer(address, 2575)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))  # noqa: PTH207 - a versioned path pattern
    if not found:
        pytest.skip("PostgreSQL server binaries are not installed")
    return Path(found[-1]).parent


@pytest.fixture(scope="session")
def lab_postgres_template(netlab: NetLab) -> Path:
    """One ``initdb`` for the session; each cluster is a copy of it (initdb refuses root: run as postgres)."""
    template = _workdir(netlab, "pg") / "template"
    _run("chown", "postgres:postgres", str(template.parent))
    initdb = str(_postgres_bin() / "initdb")
    _run("runuser", "-u", "postgres", "--", initdb, "--no-sync", "-D", str(template), "-U", "postgres")
    return template


def _postgres(netlab: NetLab, template: Path, index: int, method: str) -> LabServer:
    address = netlab.add_address(index)
    data = template.parent / method
    _run("cp", "-a", str(template), str(data))
    (data / "pg_hba.conf").write_text(f"host all all {netlab.network} {method}\n")
    # setpriv execs postgres in place (runuser would stay as its parent): the lab's SIGTERM reaches it alone.
    command = [
        "setpriv",
        "--reuid=postgres",
        "--regid=postgres",
        "--init-groups",
        str(_postgres_bin() / "postgres"),
        "-D",
        str(data),
        "-c",
        f"listen_addresses={address}",
        "-c",
        "port=5432",
        "-c",
        f"unix_socket_directories={data}",
        "-c",
        "fsync=off",
        "-c",
        "log_hostname=off",
    ]
    process = netlab.start(f"postgres-{method}", command, ready=(address, 5432))
    # The port opens before recovery ends ("the database system is starting up"): wait for real readiness.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready = subprocess.run(  # noqa: S603 - fixed command
            [str(_postgres_bin() / "pg_isready"), "-q", "-h", address, "-p", "5432", "-t", "1"], check=False
        )
        if ready.returncode == 0:
            return LabServer(address, 5432)
        time.sleep(0.05)
    raise LabError(f"PostgreSQL on {address} is not ready: {process.output()}")


@pytest.fixture(scope="session")
def lab_postgres_trust(netlab: NetLab, lab_postgres_template: Path) -> LabServer:
    """PostgreSQL letting the lab subnet in without a password (``trust`` in pg_hba.conf)."""
    return _postgres(netlab, lab_postgres_template, 33, "trust")


@pytest.fixture(scope="session")
def lab_postgres_scram(netlab: NetLab, lab_postgres_template: Path) -> LabServer:
    """PostgreSQL asking the lab subnet for a SCRAM-SHA-256 password."""
    return _postgres(netlab, lab_postgres_template, 34, "scram-sha-256")


@pytest.fixture(scope="session")
def lab_mariadb_template(netlab: NetLab) -> Path:
    """One ``mariadb-install-db`` for the session; each server runs on a copy."""
    template = _workdir(netlab, "mariadb") / "template"
    _run(
        "mariadb-install-db",
        "--no-defaults",
        f"--datadir={template}",
        "--user=root",
        "--skip-test-db",
        "--auth-root-authentication-method=normal",
    )
    return template


def _mariadb(netlab: NetLab, template: Path, index: int, port: int, *, name: str, password: str) -> LabServer:
    address = netlab.add_address(index)
    data = template.parent / name
    _run("cp", "-a", str(template), str(data))
    init = template.parent / f"{name}.sql"
    # The weakness of the open server: root reachable from any host with an empty password.
    init.write_text(f"CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '{password}';\n")
    command = [
        "mariadbd",
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={data}/mariadb.sock",
        f"--pid-file={data}/mariadb.pid",
        f"--port={port}",
        f"--bind-address={address}",
        "--user=root",
        f"--init-file={init}",
        # Never look the client's address up in DNS: no packet may leave the lab.
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=16M",
        f"--log-error={data}/error.log",
    ]
    netlab.start(f"mariadb-{name}", command, ready=(address, port), timeout=60)
    return LabServer(address, port)


@pytest.fixture(scope="session")
def lab_mariadb_open(netlab: NetLab, lab_mariadb_template: Path) -> LabServer:
    """MariaDB whose root account accepts an empty password from the lab subnet."""
    return _mariadb(netlab, lab_mariadb_template, 35, 3306, name="open", password="")


@pytest.fixture(scope="session")
def lab_mariadb_locked(netlab: NetLab, lab_mariadb_template: Path) -> LabServer:
    """MariaDB with a root password, on the non-standard port 3307 (identified by its greeting)."""
    return _mariadb(netlab, lab_mariadb_template, 36, 3307, name="locked", password=LAB_SECRET)


def _redis(netlab: NetLab, index: int, name: str, *extra: str) -> LabServer:
    address = netlab.add_address(index)
    data = _workdir(netlab, name)
    command = ["redis-server", "--bind", address, "--port", "6379", "--protected-mode", "no"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(data), *extra]
    netlab.start(name, command, ready=(address, 6379))
    return LabServer(address, 6379)


@pytest.fixture(scope="session")
def lab_redis_open(netlab: NetLab) -> LabServer:
    """Redis without any password (the weakness)."""
    return _redis(netlab, 37, "redis-open")


@pytest.fixture(scope="session")
def lab_redis_auth(netlab: NetLab) -> LabServer:
    """Redis with ``requirepass``."""
    return _redis(netlab, 38, "redis-auth", "--requirepass", LAB_SECRET)


@pytest.fixture(scope="session")
def lab_memcached(netlab: NetLab) -> LabServer:
    """memcached, which has no authentication in its text protocol."""
    address = netlab.add_address(39)
    netlab.start(
        "memcached", ["memcached", "-u", "root", "-l", address, "-p", "11211", "-U", "0"], ready=(address, 11211)
    )
    return LabServer(address, 11211)
