"""Lab servers for remote access and file sharing: OpenSSH, vsftpd, xrdp and Samba (addresses .20-.29).

Each fixture starts one real server in the foreground inside the namespace lab, with its
configuration, keys and state under ``netlab.workdir``, and only when a test asks for it. Pairs of
servers show a weakness and its absence:

- ``remote_ssh_weak`` (.20:22) offers SHA-1 key exchange, CBC ciphers and HMAC-SHA1/MD5;
  ``remote_ssh_strong`` (.21:2222) offers only modern algorithms;
- ``remote_ftp_anonymous`` (.22:21) accepts anonymous login, without TLS;
  ``remote_ftp_tls`` (.23:21) refuses anonymous login and offers AUTH TLS;
- ``remote_rdp_negotiate`` (.24:3389) lets the client pick standard RDP security or TLS;
  ``remote_rdp_tls`` (.25:3389) requires TLS (xrdp has no NLA: neither requires it);
- ``remote_smb_v1`` (.26:445) speaks SMBv1 and does not require signing;
  ``remote_smb_signed`` (.27:445) speaks SMB2/3 only and requires signing.

``run_probe`` runs one registered probe against an address the way the audit does, and
``hostile_server`` serves a scripted answer on 127.0.0.1 for the hostile-input tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from hygie.engines.exposure import checks as _checks  # noqa: F401 - registers every check
from hygie.engines.exposure import probes as _probes  # noqa: F401 - registers every probe
from hygie.engines.exposure.connection import ProbeContext
from hygie.engines.exposure.model import Host, Service
from hygie.engines.exposure.policy import HostGate, RateLimiter, ScanPolicy
from hygie.engines.exposure.registry import CHECKS, KINDS, PROBES, CheckKind, JudgeContext, ServiceCheckImpl
from hygie.engines.exposure.tests.netlab import LabServer

if TYPE_CHECKING:
    from hygie.engines._core import Finding
    from hygie.engines.exposure.tests.netlab import NetLab

__all__ = [
    "remote_ftp_anonymous",
    "remote_ftp_tls",
    "remote_rdp_negotiate",
    "remote_rdp_tls",
    "remote_smb_signed",
    "remote_smb_v1",
    "remote_ssh_strong",
    "remote_ssh_weak",
]


def run_probe(
    probe_id: str, address: str, port: int, *, policy: ScanPolicy | None = None, service: Service | None = None
) -> Service:
    """Run probe ``probe_id`` once on ``address:port``, as the audit does, and return the filled service.

    ``service`` carries what earlier probes found (a new one by default). A ``ProbeError``
    propagates (tests assert on it); the probe gets the audit's time limit.
    """
    policy = policy or ScanPolicy()
    service = service or Service(port=port)

    async def go() -> None:
        context = ProbeContext(address, port, None, policy, RateLimiter(policy.rate), HostGate(policy))
        async with context:
            await asyncio.wait_for(PROBES[probe_id].run(context, service), policy.probe_timeout + 1.0)

    asyncio.run(go())
    return service


#: Check-id prefixes of ``checks/remote.py``.
REMOTE_CHECKS = ("exposure.ssh_", "exposure.ftp_", "exposure.rdp_", "exposure.smb_")


def remote_findings(address: str, service: Service) -> dict[str, Finding]:
    """The findings of the remote-access and file-sharing checks on ``service``, by check id."""
    host = Host(address=address, services=[service])
    context = JudgeContext(now=datetime.now(UTC))
    found: dict[str, Finding] = {}
    for spec in CHECKS:
        if spec.check_id.startswith(REMOTE_CHECKS) and KINDS[spec.check_id] is CheckKind.SERVICE:
            check = cast("ServiceCheckImpl", spec.implementation)
            for finding in check(host, service, context):
                found[finding.check_id] = finding
    return found


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.contextmanager
def hostile_server(handler: Handler) -> Iterator[int]:
    """Serve ``handler`` on 127.0.0.1 in a background thread; yields the port.

    Hostile servers (endless banners, binary garbage) are scripted: no real server misbehaves on
    demand. They listen on the loopback only, so the tests never send a packet beyond this machine.
    """
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, object] = {}

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await handler(reader, writer)
        writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(guarded, "127.0.0.1", 0)
        holder["server"] = server
        holder["port"] = server.sockets[0].getsockname()[1]
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(serve(), loop).result(5)
    started.wait(5)
    try:
        yield int(str(holder["port"]))
    finally:

        async def stop() -> None:
            server = holder["server"]
            assert isinstance(server, asyncio.Server)
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def _directory(netlab: NetLab, *parts: str, mode: int = 0o755) -> Path:
    path = netlab.workdir.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


#: Debian's openssl making a two-day self-signed certificate (key and output paths appended).
_OPENSSL_REQ = ("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=remote.lab")


def _certificate(netlab: NetLab) -> tuple[Path, Path]:
    """A throw-away self-signed certificate and key for the TLS-offering servers."""
    cert, key = netlab.workdir / "remote-cert.pem", netlab.workdir / "remote-key.pem"
    if not cert.exists():
        subprocess.run(  # noqa: S603 - fixed command
            [*_OPENSSL_REQ, "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return cert, key


def _require(binary: str) -> str:
    path = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if path is None:
        pytest.skip(f"{binary} is not installed")
    return path


# --- OpenSSH ---------------------------------------------------------------------------------


def _sshd(netlab: NetLab, name: str, address: str, port: int, algorithms: str) -> LabServer:
    sshd = _require("sshd")
    # sshd refuses to start without its compiled-in privilege separation directory.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    home = _directory(netlab, name, mode=0o700)
    key = home / "ssh_host_ed25519_key"
    if not key.exists():
        subprocess.run(  # noqa: S603 - fixed command
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],  # noqa: S607 - Debian's OpenSSH
            check=True,
            capture_output=True,
            timeout=30,
        )
    config = home / "sshd_config"
    config.write_text(
        f"ListenAddress {address}:{port}\n"
        f"HostKey {key}\n"
        "PidFile none\n"
        "UsePAM no\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PermitRootLogin no\n"
        "AuthorizedKeysFile none\n"
        f"{algorithms}"
    )
    netlab.start(name, [sshd, "-D", "-e", "-f", str(config)], ready=(address, port))
    return LabServer(address, port)


@pytest.fixture(scope="session")
def remote_ssh_weak(netlab: NetLab) -> LabServer:
    """OpenSSH on .20:22 with weak algorithms added to its defaults (SHA-1 KEX, CBC, HMAC-SHA1/MD5)."""
    return _sshd(
        netlab,
        "sshd-weak",
        netlab.add_address(20),
        22,
        "KexAlgorithms +diffie-hellman-group14-sha1,diffie-hellman-group1-sha1\n"
        "Ciphers +aes128-cbc,3des-cbc\n"
        "MACs +hmac-sha1,hmac-md5\n",
    )


@pytest.fixture(scope="session")
def remote_ssh_strong(netlab: NetLab) -> LabServer:
    """OpenSSH on .21:2222 offering only modern algorithms."""
    return _sshd(
        netlab,
        "sshd-strong",
        netlab.add_address(21),
        2222,
        "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org\n"
        "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com\n"
        "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com\n"
        "HostKeyAlgorithms ssh-ed25519\n",
    )


# --- vsftpd ----------------------------------------------------------------------------------


def _vsftpd(netlab: NetLab, name: str, address: str, settings: str) -> LabServer:
    vsftpd = _require("vsftpd")
    home = _directory(netlab, name)
    anon_root = _directory(netlab, name, "anon")
    # vsftpd refuses a writable anonymous root and needs an empty directory to chroot into.
    anon_root.chmod(0o555)
    empty = _directory(netlab, name, "empty")
    config = home / "vsftpd.conf"
    config.write_text(
        "listen=YES\n"
        "listen_ipv6=NO\n"
        f"listen_address={address}\n"
        "listen_port=21\n"
        "background=NO\n"
        "seccomp_sandbox=NO\n"
        f"secure_chroot_dir={empty}\n"
        f"anon_root={anon_root}\n"
        "write_enable=NO\n"
        "anon_upload_enable=NO\n"
        "dirmessage_enable=NO\n"
        f"vsftpd_log_file={home / 'vsftpd.log'}\n"
        f"{settings}"
    )
    # vsftpd only reads a configuration file owned by the user running it.
    os.chown(config, 0, 0)
    config.chmod(0o600)
    netlab.start(name, [vsftpd, str(config)], ready=(address, 21))
    return LabServer(address, 21)


@pytest.fixture(scope="session")
def remote_ftp_anonymous(netlab: NetLab) -> LabServer:
    """The vsftpd on .22:21 accepting anonymous login, without TLS."""
    return _vsftpd(netlab, "vsftpd-anonymous", netlab.add_address(22), "anonymous_enable=YES\nlocal_enable=NO\n")


@pytest.fixture(scope="session")
def remote_ftp_tls(netlab: NetLab) -> LabServer:
    """The vsftpd on .23:21 refusing anonymous login and offering AUTH TLS."""
    cert, key = _certificate(netlab)
    userlist = netlab.workdir / "vsftpd-denied-users"
    userlist.write_text("anonymous\nftp\n")
    return _vsftpd(
        netlab,
        "vsftpd-tls",
        netlab.add_address(23),
        "anonymous_enable=NO\n"
        "local_enable=YES\n"
        # Refuse "anonymous" at USER, as a hardened server does, rather than after PAM's delay.
        "userlist_enable=YES\n"
        "userlist_deny=YES\n"
        f"userlist_file={userlist}\n"
        "delay_failed_login=0\n"
        "pam_service_name=vsftpd\n"
        "ssl_enable=YES\n"
        f"rsa_cert_file={cert}\n"
        f"rsa_private_key_file={key}\n"
        "force_local_logins_ssl=YES\n"
        "force_local_data_ssl=YES\n",
    )


# --- xrdp ------------------------------------------------------------------------------------


def _xrdp(netlab: NetLab, name: str, address: str, security_layer: str) -> LabServer:
    xrdp = _require("xrdp")
    cert, key = _certificate(netlab)
    home = _directory(netlab, name)
    config = home / "xrdp.ini"
    config.write_text(
        "[Globals]\n"
        "ini_version=1\n"
        "fork=false\n"
        f"port=tcp://{address}:3389\n"
        "use_vsock=false\n"
        f"security_layer={security_layer}\n"
        "crypt_level=high\n"
        f"certificate={cert}\n"
        f"key_file={key}\n"
        "ssl_protocols=TLSv1.2, TLSv1.3\n"
        "[Logging]\n"
        f"LogFile={home / 'xrdp.log'}\n"
        "LogLevel=INFO\n"
        "EnableSyslog=false\n"
        "EnableConsole=true\n"
        "ConsoleLevel=INFO\n"
    )
    netlab.start(name, [xrdp, "--nodaemon", "--config", str(config)], ready=(address, 3389))
    return LabServer(address, 3389)


@pytest.fixture(scope="session")
def remote_rdp_negotiate(netlab: NetLab) -> LabServer:
    """The xrdp on .24:3389 negotiating: standard RDP security or TLS, at the client's choice."""
    return _xrdp(netlab, "xrdp-negotiate", netlab.add_address(24), "negotiate")


@pytest.fixture(scope="session")
def remote_rdp_tls(netlab: NetLab) -> LabServer:
    """The xrdp on .25:3389 requiring TLS (standard RDP security refused)."""
    return _xrdp(netlab, "xrdp-tls", netlab.add_address(25), "tls")


# --- Samba -----------------------------------------------------------------------------------


def _smbd(netlab: NetLab, name: str, address: str, settings: str) -> LabServer:
    smbd = _require("smbd")
    home = _directory(netlab, name)
    paths = {key: _directory(netlab, name, key) for key in ("lock", "state", "cache", "private", "pid", "ncalrpc")}
    share = _directory(netlab, name, "share")
    config = home / "smb.conf"
    config.write_text(
        "[global]\n"
        "workgroup = HYGIELAB\n"
        f"netbios name = {name.replace('-', '')[:15].upper()}\n"
        f"interfaces = {address}\n"
        "bind interfaces only = yes\n"
        "smb ports = 445\n"
        "disable netbios = yes\n"
        "server role = standalone server\n"
        f"lock directory = {paths['lock']}\n"
        f"state directory = {paths['state']}\n"
        f"cache directory = {paths['cache']}\n"
        f"private dir = {paths['private']}\n"
        f"pid directory = {paths['pid']}\n"
        f"ncalrpc dir = {paths['ncalrpc']}\n"
        f"log file = {home / 'smbd.log'}\n"
        "load printers = no\n"
        "printing = bsd\n"
        "printcap name = /dev/null\n"
        "disable spoolss = yes\n"
        f"{settings}"
        "[lab]\n"
        f"path = {share}\n"
        "read only = yes\n"
    )
    netlab.start(
        name, [smbd, "--foreground", "--no-process-group", "--debug-stdout", "-s", str(config)], ready=(address, 445)
    )
    return LabServer(address, 445)


@pytest.fixture(scope="session")
def remote_smb_v1(netlab: NetLab) -> LabServer:
    """Samba on .26:445 with SMBv1 (NT1) enabled and signing disabled."""
    return _smbd(netlab, "smbd-v1", netlab.add_address(26), "server min protocol = NT1\nserver signing = disabled\n")


@pytest.fixture(scope="session")
def remote_smb_signed(netlab: NetLab) -> LabServer:
    """Samba on .27:445 speaking SMB2/3 only and requiring signing."""
    return _smbd(
        netlab,
        "smbd-signed",
        netlab.add_address(27),
        "server min protocol = SMB2_02\nserver signing = mandatory\n",
    )
