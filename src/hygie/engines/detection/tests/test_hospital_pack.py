"""The built-in hospital Sigma pack (issue 5, item 2): it loads, and each rule fires where it should.

Every rule is run by the real hunt over JSON-lines events written here in the flat flavour: the
events it is written for (positives, each giving one detection) and near misses that must give
none. The correlation rules are run over bursts just above and just below their thresholds.

On the public corpus (``evtx-attack-samples``, ``HYGIE_CORPUS``) the pack was seen to fire (when it was written):
the shadow copy deletion, wbadmin catalogue deletion and bcdedit rules
(``PanacheSysmon_vs_AtomicRedTeam01.evtx``), the LSASS access rule (Mimikatz, ProcDump, Dumpert,
comsvcs samples), the LSASS dump rule (comsvcs MiniDump and ProcDump samples), the Security 1102
and System 104 log-cleared rules and the Administrators group rule (``..._added_to_admins_4732``).
The corpus holds no service-stop burst, no PsExec service under its own name (only renamed ones),
no Defender tampering by command line and no RDP logon from a private address (only loopback
tunnels), so those rules and both correlations stay silent on it. :class:`TestOnTheCorpus` checks
this and prints the figures per rule.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from hygie.engines.detection.hunt import hunt
from hygie.engines.detection.model import Detection
from hygie.engines.detection.packs import BUILTIN_PACKS, builtin_pack_path
from hygie.engines.detection.rules import load_rules
from hygie.engines.detection.tests.readers_support import SAMPLES, SYSMON, needs_corpus, write_lines

PACK = builtin_pack_path("hospital")
_T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_HOST = "srv-dpi01.chu-exemple.local"
_SERVICE_STOPS_ID = "bbc75d65-a1ea-4d2d-aaee-a5dffd2a968e"
_SERVICE_STOPPED_BASE_ID = "76d83e44-25a7-464a-b622-4a966ca92626"
_RDP_SPREAD_ID = "21f3f464-b55a-407a-bb51-8753a4f0d83f"
_RDP_BASE_ID = "df488ee8-970d-431e-8073-23d08c819b79"
_TECHNIQUE = re.compile(r"^attack\.t\d{4}(\.\d{3})?$")
_TACTICS = {
    "attack.impact",
    "attack.defense-evasion",
    "attack.credential-access",
    "attack.lateral-movement",
    "attack.execution",
    "attack.persistence",
    "attack.privilege-escalation",
}


def _event(channel: str, event_id: int, provider: str, *, minute: float = 0, **fields: Any) -> dict[str, Any]:
    """One flat JSON event (the flavour of Zircolite-like exports)."""
    time = _T0 + timedelta(minutes=minute)
    return {
        "Channel": channel,
        "EventID": event_id,
        "Provider_Name": provider,
        "Computer": _HOST,
        "SystemTime": time.isoformat().replace("+00:00", "Z"),
        **fields,
    }


def process(image: str, command_line: str, original: str = "") -> dict[str, Any]:
    """A Sysmon process creation (event 1)."""
    event = _event(SYSMON, 1, "Microsoft-Windows-Sysmon", Image=image, CommandLine=command_line)
    if original:
        event["OriginalFileName"] = original
    return event


def lsass_access(source: str, access: str, target: str = r"C:\Windows\system32\lsass.exe") -> dict[str, Any]:
    """A Sysmon process access (event 10)."""
    return _event(SYSMON, 10, "Microsoft-Windows-Sysmon", SourceImage=source, TargetImage=target, GrantedAccess=access)


def security(event_id: int, minute: float = 0, **fields: Any) -> dict[str, Any]:
    """A Security log event of the auditing provider."""
    return _event("Security", event_id, "Microsoft-Windows-Security-Auditing", minute=minute, **fields)


def system(
    event_id: int, provider: str = "Service Control Manager", minute: float = 0, **fields: Any
) -> dict[str, Any]:
    """A System log event (Service Control Manager by default)."""
    return _event("System", event_id, provider, minute=minute, **fields)


_SYS32 = "C:\\Windows\\System32\\"
_PS = _SYS32 + "WindowsPowerShell\\v1.0\\powershell.exe"

#: Rule file -> (events it must detect, one detection each; near misses it must not detect).
CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    "proc_creation_win_shadow_copies_deleted.yml": (
        [
            process(_SYS32 + "vssadmin.exe", "vssadmin.exe delete shadows /all /quiet"),
            process(_SYS32 + "wbem\\WMIC.exe", "wmic shadowcopy delete /nointeractive"),
            process(_SYS32 + "vssadmin.exe", "vssadmin resize shadowstorage /for=C: /on=C: /maxsize=401MB"),
            process(_PS, 'powershell -c "Get-WmiObject Win32_ShadowCopy | ForEach-Object { $_.Delete() }"'),
        ],
        [
            process(_SYS32 + "vssadmin.exe", "vssadmin list shadows"),
            process(_SYS32 + "vssadmin.exe", "vssadmin create shadow /for=C:"),
            process(_SYS32 + "vssadmin.exe", "vssadmin resize shadowstorage /for=D: /on=D: /maxsize=UNBOUNDED"),
            process(_PS, "powershell Get-CimInstance Win32_ShadowCopy | Select-Object InstallDate"),
        ],
    ),
    "proc_creation_win_wbadmin_backup_deleted.yml": (
        [
            process(_SYS32 + "wbadmin.exe", "wbadmin delete catalog -quiet"),
            process(_SYS32 + "wbadmin.exe", "wbadmin delete systemstatebackup -keepVersions:0 -quiet"),
            process("C:\\Temp\\wb.exe", "wb.exe DELETE BACKUP -keepVersions:0", original="WBADMIN.EXE"),
        ],
        [
            process(_SYS32 + "wbadmin.exe", "wbadmin get versions"),
            process(_SYS32 + "wbadmin.exe", "wbadmin start backup -backupTarget:E: -include:C: -quiet"),
        ],
    ),
    "proc_creation_win_bcdedit_recovery_disabled.yml": (
        [
            process(_SYS32 + "bcdedit.exe", "bcdedit.exe /set {default} recoveryenabled No"),
            process(_SYS32 + "bcdedit.exe", "bcdedit /set {default} bootstatuspolicy ignoreallfailures"),
        ],
        [
            process(_SYS32 + "bcdedit.exe", "bcdedit /set {default} recoveryenabled Yes"),
            process(_SYS32 + "bcdedit.exe", "bcdedit /enum all"),
        ],
    ),
    "proc_creation_win_defender_disabled_set_mppreference.yml": (
        [
            process(_PS, "powershell Set-MpPreference -DisableRealtimeMonitoring $true"),
            process(_PS, "powershell -c Set-MpPreference -DisableIOAVProtection 1 -DisableScriptScanning 1"),
        ],
        [
            process(_PS, "powershell Set-MpPreference -DisableRealtimeMonitoring $false"),
            process(_PS, "powershell Get-MpPreference | Select-Object DisableRealtimeMonitoring"),
        ],
    ),
    "proc_creation_win_event_log_cleared_by_command.yml": (
        [
            process(_SYS32 + "wevtutil.exe", "wevtutil.exe cl Security"),
            process(_SYS32 + "wevtutil.exe", "wevtutil clear-log System"),
            process(_PS, "powershell Clear-EventLog -LogName Application,System"),
        ],
        [
            process(_SYS32 + "wevtutil.exe", "wevtutil qe Security /c:10 /f:text"),
            process(_SYS32 + "wevtutil.exe", "wevtutil epl Security D:\\archives\\security.evtx"),
        ],
    ),
    "win_security_audit_log_cleared.yml": (
        [_event("Security", 1102, "Microsoft-Windows-Eventlog", SubjectUserName="adm-it")],
        [_event("Security", 1100, "Microsoft-Windows-Eventlog"), security(4624, LogonType=3)],
    ),
    "win_system_event_log_cleared.yml": (
        [system(104, "Microsoft-Windows-Eventlog", SubjectUserName="adm-it")],
        [
            _event(
                "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational",
                104,
                "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS",
            )
        ],
    ),
    "proc_creation_win_backup_database_security_service_stopped.yml": (
        [
            process(_SYS32 + "net.exe", 'net stop "SQLWriter" /y'),
            process(_SYS32 + "net1.exe", "net1 stop VeeamBackupSvc /y"),
            process(_SYS32 + "sc.exe", "sc config SQLTELEMETRY start= disabled"),
            process(_SYS32 + "sc.exe", "sc stop SAVService_Sophos"),
            process(_SYS32 + "taskkill.exe", "taskkill /IM sqlservr.exe /F"),
            process(_PS, "powershell Stop-Service -Name BackupExecAgentAccelerator -Force"),
        ],
        [
            process(_SYS32 + "net.exe", "net stop spooler"),
            process(_SYS32 + "net.exe", "net start MSSQLSERVER"),
            process(_SYS32 + "sc.exe", "sc query VeeamBackupSvc"),
        ],
    ),
    "win_system_service_stopped_or_disabled.yml": (
        [
            system(7036, param1="SQL Server (MSSQLSERVER)", param2="stopped"),
            system(7036, param1="Veeam Backup Service", param2="arrêté"),
            # German Windows: the word differs, the binary data still ends with "/1" (stopped).
            system(7036, param1="Sophos", param2="beendet", Binary="53004100560053006500720076002F0031000000"),
            system(7040, param1="Veeam Backup Service", param2="auto start", param3="disabled"),
        ],
        [
            system(7036, param1="SQL Server", param2="running", Binary="4D005300530051004C002F0034000000"),
            system(7040, param1="BITS", param2="demand start", param3="auto start"),
        ],
    ),
    "win_security_rdp_logon_from_internal_host.yml": (
        [
            security(4624, LogonType=10, IpAddress="10.20.30.40", TargetUserName="adm-it"),
            security(4624, LogonType=10, IpAddress="172.20.1.5", TargetUserName="adm-it"),
            security(4624, LogonType=10, IpAddress="192.168.10.12", TargetUserName="adm-it"),
        ],
        [
            security(4624, LogonType=10, IpAddress="127.0.0.1"),
            security(4624, LogonType=3, IpAddress="10.20.30.40"),
            security(4624, LogonType=10, IpAddress="203.0.113.7"),
            security(4624, LogonType=10, IpAddress="172.32.0.1"),
        ],
    ),
    "proc_access_win_lsass_suspicious_access.yml": (
        [
            lsass_access("C:\\Users\\Public\\mimikatz.exe", "0x1010"),
            lsass_access(_SYS32 + "rundll32.exe", "0x1FFFFF"),
            lsass_access("C:\\Temp\\procdump64.exe", "0x1fffff"),
        ],
        [
            lsass_access("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\MsMpEng.exe", "0x1fffff"),
            lsass_access(_SYS32 + "csrss.exe", "0x1fffff"),
            lsass_access("C:\\Temp\\tool.exe", "0x1000"),
            lsass_access("C:\\Temp\\tool.exe", "0x1fffff", target=_SYS32 + "svchost.exe"),
        ],
    ),
    "proc_creation_win_lsass_dump_comsvcs_procdump.yml": (
        [
            process(
                _SYS32 + "rundll32.exe",
                "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\t\\o.dmp full",
            ),
            process(_SYS32 + "rundll32.exe", "rundll32 comsvcs.dll #24 624 C:\\t\\o.dmp full"),
            process("C:\\Tools\\procdump64.exe", "procdump64.exe -accepteula -ma lsass.exe C:\\t\\l.dmp"),
            process("C:\\Temp\\dump.exe", "dump.exe -ma lsass.exe l.dmp"),
        ],
        [
            process("C:\\Tools\\procdump.exe", "procdump -ma sqlservr.exe C:\\t\\sql.dmp"),
            process(_SYS32 + "regsvr32.exe", "regsvr32 /s comsvcs.dll"),
        ],
    ),
    "win_system_psexec_service_installed.yml": (
        [
            system(7045, ServiceName="PSEXESVC", ImagePath="%SystemRoot%\\PSEXESVC.exe"),
            system(7045, ServiceName="psexesvc-x", ImagePath="C:\\Windows\\PSEXESVC.exe"),
        ],
        [
            system(7045, ServiceName="VeeamDeploySvc", ImagePath="C:\\Windows\\Veeam\\VeeamDeploymentSvc.exe"),
            system(7036, param1="PSEXESVC", param2="running"),
        ],
    ),
    "win_security_member_added_to_local_administrators.yml": (
        [security(4732, TargetSid="S-1-5-32-544", TargetUserName="Administrateurs", MemberSid="S-1-5-21-1-2-3-1105")],
        [
            security(4732, TargetSid="S-1-5-32-555", TargetUserName="Remote Desktop Users"),
            security(4733, TargetSid="S-1-5-32-544"),
        ],
    ),
}
CORRELATION_FILES = {
    "win_system_many_services_stopped_correlation.yml",
    "win_security_rdp_one_source_many_hosts_correlation.yml",
}


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    """Every YAML document of the pack, with its file."""
    return [
        (path, document)
        for path in sorted(PACK.glob("*.yml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    ]


def _run(rule_paths: list[Path], events: list[dict[str, Any]], log: Path) -> list[Detection]:
    """The hunt's detections of ``rule_paths`` over ``events`` written as JSON lines to ``log``."""
    pack = load_rules(rule_paths)
    assert [] == pack.failures
    result = hunt([write_lines(log, events)], pack, threads=1)
    assert [] == result.rules_skipped
    return result.detections


class TestBuiltinPacks:
    """builtin_pack_path names the shipped pack folders and refuses the rest."""

    def test_the_hospital_pack_is_a_folder_of_rules(self) -> None:
        """The one pack today is ``hospital``, a folder beside the packs module."""
        assert ("hospital",) == BUILTIN_PACKS
        assert PACK.is_dir()
        assert sorted(PACK.glob("*.yml"))

    @pytest.mark.parametrize("name", ["nope", "", "../hospital", "Hospital"])
    def test_an_unknown_name_is_refused_with_the_choices(self, name: str) -> None:
        """An unknown (or path-like) name raises ValueError listing the packs."""
        with pytest.raises(ValueError, match="hospital"):
            builtin_pack_path(name)


class TestPackContents:
    """The pack loads cleanly and every rule follows the conventions of the project."""

    def test_every_file_loads_with_no_failure(self) -> None:
        """14 detection rules and 2 correlations, no failure; each file gives at least one."""
        pack = load_rules([PACK])
        assert [] == pack.failures
        assert 14 == len(pack.rules)
        assert 2 == len(pack.correlations)
        paths = {Path(r.path).name for r in pack.rules} | {Path(c.path).name for c in pack.correlations}
        assert {p.name for p in PACK.glob("*.yml")} == paths

    def test_every_file_is_tested(self) -> None:
        """Each rule file has its positive and negative events here, or is a correlation tested below."""
        assert {p.name for p in PACK.glob("*.yml")} == set(CASES) | CORRELATION_FILES
        assert all(positives and negatives for positives, negatives in CASES.values())

    def test_ids_are_unique(self) -> None:
        """No two rules share an id (nor a name)."""
        ids = [document["id"] for _, document in _documents()]
        names = [document["name"] for _, document in _documents() if "name" in document]
        assert len(ids) == len(set(ids)) == 16
        assert len(names) == len(set(names))

    @pytest.mark.parametrize(("path", "document"), _documents(), ids=lambda v: v.name if isinstance(v, Path) else "")
    def test_metadata_follows_the_conventions(self, path: Path, document: dict[str, Any]) -> None:
        """Author, status, date, ATT&CK tags, level, references and false positives on every rule."""
        assert "Hygie" == document["author"], path
        assert document["status"] in {"experimental", "test"}
        assert str(document["date"]).startswith("2026-11-")
        tags = document["tags"]
        assert any(_TECHNIQUE.match(tag) for tag in tags)
        assert all(_TECHNIQUE.match(tag) or tag in _TACTICS for tag in tags)
        assert document["level"] in {"informational", "low", "medium", "high", "critical"}
        assert document["references"]
        assert all(str(url).startswith("https://") for url in document["references"])
        assert document["falsepositives"]
        assert document["description"]


class TestEachRuleFires:
    """Each rule detects its events, one detection per event, and none of the near misses."""

    @pytest.mark.parametrize("file_name", sorted(CASES))
    def test_positive_events_are_detected(self, file_name: str, tmp_path: Path) -> None:
        """Every positive event gives exactly one detection of the rule."""
        positives, _ = CASES[file_name]
        detections = _run([PACK / file_name], positives, tmp_path / "positive.jsonl")
        assert len(positives) == len(detections)
        assert len({d.rule_id for d in detections}) == 1

    @pytest.mark.parametrize("file_name", sorted(CASES))
    def test_near_misses_are_not_detected(self, file_name: str, tmp_path: Path) -> None:
        """No near-miss event gives a detection."""
        _, negatives = CASES[file_name]
        assert [] == _run([PACK / file_name], negatives, tmp_path / "negative.jsonl")


def _service_stops(host: str, count: int, every_minutes: float, start: float = 0) -> list[dict[str, Any]]:
    return [
        {**system(7036, minute=start + i * every_minutes, param1=f"Service {i}", param2="stopped"), "Computer": host}
        for i in range(count)
    ]


def _rdp_logons(source: str, hosts: list[str], every_minutes: float) -> list[dict[str, Any]]:
    return [
        {**security(4624, minute=i * every_minutes, LogonType=10, IpAddress=source), "Computer": host}
        for i, host in enumerate(hosts)
    ]


class TestCorrelations:
    """The correlation rules fire only above their thresholds, within their time spans."""

    def test_many_services_stopped_on_one_host(self, tmp_path: Path) -> None:
        """10 stops in 9 minutes fire once; 9 stops, or 10 spread over 18 minutes, do not."""
        events = [
            *_service_stops("srv-pacs01", 10, 1),
            *_service_stops("srv-lab02", 9, 1),
            *_service_stops("srv-dpi03", 10, 2),
        ]
        detections = _run([PACK], events, tmp_path / "system.jsonl")
        fired = [d for d in detections if d.rule_id == _SERVICE_STOPS_ID]
        assert [{"Computer": "srv-pacs01"}] == [d.event["group"] for d in fired]
        assert 10 == fired[0].event["count"]
        # The base rule only feeds the correlation (generate is not set): it is not reported.
        assert not [d for d in detections if d.rule_id == _SERVICE_STOPPED_BASE_ID]

    def test_one_source_reaching_many_hosts_over_rdp(self, tmp_path: Path) -> None:
        """4 hosts from one address in 30 minutes fire; 3 hosts (5 logons), or 4 over 2 hours, do not."""
        events = [
            *_rdp_logons("10.1.1.50", ["srv-a", "srv-b", "srv-c", "srv-d"], 5),
            *_rdp_logons("10.1.1.60", ["srv-a", "srv-b", "srv-c", "srv-a", "srv-b"], 1),
            *_rdp_logons("10.1.1.70", ["srv-a", "srv-b", "srv-c", "srv-d"], 40),
        ]
        detections = _run([PACK], events, tmp_path / "security.jsonl")
        fired = [d for d in detections if d.rule_id == _RDP_SPREAD_ID]
        assert [{"IpAddress": "10.1.1.50"}] == [d.event["group"] for d in fired]
        assert 4 == fired[0].event["count"]
        # generate: true keeps each RDP logon as a detection of its own.
        assert 13 == sum(1 for d in detections if d.rule_id == _RDP_BASE_ID)


@needs_corpus
class TestOnTheCorpus:
    """Which pack rules fire on the public attack samples (see the module docstring)."""

    def test_the_expected_rules_fire_on_the_corpus(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The rules with samples in the corpus fire; the figures per rule are printed (pytest -s)."""
        pack = load_rules([PACK])
        result = hunt([SAMPLES], pack, threads=1)
        fired = Counter(d.rule_title for d in result.detections)
        with capsys.disabled():
            print("\nhospital pack on evtx-attack-samples:")  # noqa: T201  # the report the brief asks for
            for title, count in sorted(fired.items()):
                print(f"  {count:4d}  {title}")  # noqa: T201
        expected = {
            "Volume Shadow Copies Deleted or Their Storage Shrunk",
            "Windows Backup Catalogue or Backups Deleted With wbadmin",
            "Windows Recovery Disabled With bcdedit",
            "LSASS Memory Opened With Credential Theft Access Rights",
            "LSASS Memory Dumped With comsvcs.dll MiniDump or ProcDump",
            "Security Audit Log Cleared",
            "Windows Event Log Cleared (System Event 104)",
            "Member Added to the Local Administrators Group",
        }
        assert expected <= set(fired)
        silent = {
            "Many Services Stopped or Disabled on One Host Within 10 Minutes",
            "One Internal Host Opening RDP Sessions on Many Hosts",
        }
        assert not silent & set(fired)
