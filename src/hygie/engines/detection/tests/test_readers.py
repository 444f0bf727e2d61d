"""Readers: EVTX, JSON lines and zip archives into Arrow batches (issue 5, item 1).

Real data comes from the public corpus (``$HYGIE_CORPUS``, default ``../shared/corpus``); the tests
that need it skip when it is absent. Damaged files, JSON flavours and archives are written by the
tests themselves into ``tmp_path``.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path

import evtx
import pyarrow as pa  # type: ignore[import-untyped]

from hygie.engines.detection.model import FIXED_COLUMNS, ReadStats
from hygie.engines.detection.readers import (
    read_evtx,
    read_logs,
)
from hygie.engines.detection.tests.readers_support import (
    CLASSIC_POWERSHELL_FILE,
    NETWORK_FILE,
    SAMPLES,
    SCRIPT_BLOCK_FILE,
    SECURITY_FILE,
    SYSMON,
    SYSMON_FILE,
    XML_NS,
    corpus_files,
    event,
    needs_corpus,
    rows,
)


@needs_corpus
class TestEvtxCorpus:
    """Every EVTX file of the corpus, and known events in them."""

    def test_every_file_reads_all_its_records(self) -> None:
        """Each corpus file gives as many events as the parser has records, with the fixed columns first."""
        total = 0
        for path in corpus_files():
            expected = sum(1 for _ in evtx.PyEvtxParser(str(path)).records_json())
            stats = ReadStats()
            batches = list(read_evtx(path, stats=stats))
            assert expected == sum(batch.num_rows for batch in batches), path
            assert (1, 0, []) == (stats.files, stats.corrupt, stats.errors)
            for batch in batches:
                assert FIXED_COLUMNS == tuple(batch.schema.names[: len(FIXED_COLUMNS)])
                assert pa.timestamp("us", tz="UTC") == batch.schema.field("_timestamp").type
                assert pa.int64() == batch.schema.field("EventID").type
            total += expected
        assert 8255 == total

    def test_folder_read_notes_the_files_it_skips(self) -> None:
        """A folder is read recursively; the licence file beside the logs is noted, not fatal."""
        stats = ReadStats()
        batches = list(read_logs([SAMPLES], stats=stats, batch_size=4096))
        assert 8255 == sum(batch.num_rows for batch in batches) == stats.events
        assert 277 == stats.files
        assert any("LICENSE.GPL" in error for error in stats.errors)
        assert all(batch.num_rows <= 4096 for batch in batches)
        for batch in batches:  # one log source per batch
            assert 1 == len(set(batch.column("Channel").to_pylist()))

    def test_payload_values_are_the_event_xml_text(self) -> None:
        """Every named EventData value equals the event's XML text (XML parsers turn CRLF into LF)."""
        checked = 0
        for path in corpus_files()[::2]:
            expected: dict[int, dict[str, str]] = {}
            for record in evtx.PyEvtxParser(str(path)).records():
                if not isinstance(record, dict):
                    continue
                try:
                    root = ET.fromstring(record["data"].encode())  # noqa: S314 - the parser's own output
                except ET.ParseError:
                    continue  # control characters the XML rendering does not escape
                record_id = int(root.findtext(f"{XML_NS}System/{XML_NS}EventRecordID") or 0)
                data = root.find(f"{XML_NS}EventData")
                named = [] if data is None else [item for item in data if item.get("Name")]
                expected[record_id] = {str(item.get("Name")): item.text or "" for item in named}
            for row in rows(read_evtx(path, stats=ReadStats())):
                folded = {key.casefold(): value for key, value in row.items()}
                for name, text in expected.get(row["_record_id"], {}).items():
                    value = folded.get(name.casefold(), "")
                    assert text == str(value).replace("\r\n", "\n").replace("\r", "\n"), (path.name, name)
                    checked += 1
        assert checked > 10_000

    def test_sysmon_process_creation(self) -> None:
        """Sysmon fields by their Sigma names, numbers as the log writes them."""
        found = event(rows(read_evtx(SYSMON_FILE, stats=ReadStats())), SYSMON, 1, 6577)
        assert "C:\\Users\\IEUser\\Downloads\\Flash_update.exe" == found["Image"]
        assert '"C:\\Users\\IEUser\\Downloads\\Flash_update.exe" ' == found["CommandLine"]
        assert "C:\\Windows\\explorer.exe" == found["ParentImage"]
        assert "2680" == found["ProcessId"]
        assert "Microsoft-Windows-Sysmon" == found["Provider_Name"]
        assert "IEWIN7" == found["Computer"]
        assert "S-1-5-18" == found["SecurityUserID"]
        assert "1912" == found["ExecutionProcessID"]
        assert "2019-04-27T15:57:53.368863+00:00" == found["_timestamp"].isoformat()

    def test_sysmon_booleans_are_lowercase_text(self) -> None:
        """Booleans read as the XML writes them, which Sigma rules expect (``Initiated: 'true'``)."""
        found = event(rows(read_evtx(NETWORK_FILE, stats=ReadStats())), SYSMON, 3)
        assert ("true", "false", "80") == (found["Initiated"], found["SourceIsIpv6"], found["DestinationPort"])

    def test_security_logon(self) -> None:
        """A 4624 logon: payload ProcessID stays apart from the System one (case-insensitive SQL)."""
        found = event(rows(read_evtx(SECURITY_FILE, stats=ReadStats())), "Security", 4624, 227701)
        assert ("user01", "11", "Negotiate") == (
            found["TargetUserName"],
            found["LogonType"],
            found["AuthenticationPackageName"],
        )
        assert ("0x704", "520") == (found["ProcessID"], found["ExecutionProcessID"])
        assert "Microsoft-Windows-Security-Auditing" == found["Provider_Name"]

    def test_user_data_fields_by_name(self) -> None:
        """UserData (log cleared) contributes its child's fields by name."""
        events = rows(read_evtx(SECURITY_FILE, stats=ReadStats()))
        cleared = next(row for row in events if row["EventID"] == 1102)
        assert ("admin01", "EXAMPLE") == (cleared["SubjectUserName"], cleared["SubjectDomainName"])

    def test_powershell_script_block_and_classic_data(self) -> None:
        """4104 ScriptBlockText by name; classic 800 unnamed values in Data and Data1..DataN."""
        block = event(
            rows(read_evtx(SCRIPT_BLOCK_FILE, stats=ReadStats())), "Microsoft-Windows-PowerShell/Operational", 4104
        )
        assert "MiniDumpWriteDump" in block["ScriptBlockText"]
        classic = event(rows(read_evtx(CLASSIC_POWERSHELL_FILE, stats=ReadStats())), "Windows PowerShell", 800)
        assert "HostApplication=C:\\Windows\\System32\\WindowsPowerShell" in classic["Data"]
        assert "HostName=ConsoleHost" in classic["Data2"]
        assert "PowerShell" == classic["Provider_Name"]
        assert "0" == classic["Qualifiers"]  # EventID given as {"#text": 800, "#attributes": {"Qualifiers": 0}}

    def test_batch_size_is_respected(self) -> None:
        """A file larger than the batch size gives several batches, none larger."""
        stats = ReadStats()
        batches = list(read_evtx(NETWORK_FILE, stats=stats, batch_size=100))
        assert len(batches) > 3
        assert all(batch.num_rows <= 100 for batch in batches)
        assert stats.events == sum(batch.num_rows for batch in batches)


@needs_corpus
class TestDamagedEvtx:
    """Damaged EVTX files: what can be read is read, the rest is reported."""

    def test_garbage_in_the_middle(self, tmp_path: Path) -> None:
        """Events before the damage are read; the damage is counted and explained, nothing raises."""
        content = bytearray(NETWORK_FILE.read_bytes())
        damaged = tmp_path / "damaged.evtx"
        start = 0x1000 + 65536 + 3000  # inside the second chunk
        content[start : start + 6000] = bytes((index * 7 + 3) % 256 for index in range(6000))
        damaged.write_bytes(bytes(content))
        stats = ReadStats()
        events = rows(read_logs([damaged], stats=stats))
        assert 400 < len(events) < 565
        assert stats.corrupt >= 1
        assert any("damaged.evtx" in error and "corrupt" in error for error in stats.errors)

    def test_truncated_file(self, tmp_path: Path) -> None:
        """A file cut in half gives the events of its whole chunks."""
        content = NETWORK_FILE.read_bytes()
        truncated = tmp_path / "truncated.evtx"
        truncated.write_bytes(content[: len(content) // 2])
        stats = ReadStats()
        assert 200 < len(rows(read_logs([truncated], stats=stats))) < 565

    def test_random_damage_never_raises(self, tmp_path: Path) -> None:
        """Files damaged at random places (fixed seed) are read as far as they can be, never raise."""
        source = NETWORK_FILE.read_bytes()
        generator = random.Random(5)  # noqa: S311 - reproducible damage, not cryptography
        for attempt in range(30):
            content = bytearray(source)
            for _ in range(generator.randint(1, 40)):
                position = generator.randrange(len(content))
                content[position : position + 16] = generator.randbytes(16)
            damaged = tmp_path / f"damaged{attempt}.evtx"
            damaged.write_bytes(bytes(content))
            stats = ReadStats()
            assert sum(batch.num_rows for batch in read_evtx(damaged, stats=stats)) == stats.events

    def test_not_an_evtx_file(self, tmp_path: Path) -> None:
        """A garbage .evtx gives one error and the next file is still read."""
        garbage = tmp_path / "a_garbage.evtx"
        garbage.write_bytes(b"garbage" * 100)
        stats = ReadStats()
        events = rows(read_logs([garbage, SYSMON_FILE], stats=stats))
        assert len(events) > 0
        assert 1 == len(stats.errors)
        assert "a_garbage.evtx" in stats.errors[0]
