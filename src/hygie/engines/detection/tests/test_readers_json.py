"""The JSON-lines readers: flavours, bad lines, files and archives, batches and values."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

import evtx
import orjson
import pytest

from hygie.engines.detection.model import FIXED_COLUMNS, ReadStats
from hygie.engines.detection.readers import (
    MAX_LINE_BYTES,
    ZipLimits,
    read_jsonl,
    read_logs,
    render_value,
)
from hygie.engines.detection.tests.readers_support import (
    SYSMON,
    SYSMON_FILE,
    needs_corpus,
    rows,
    write_lines,
)

SYSMON_FIELDS = {
    "Channel": SYSMON,
    "EventID": 1,
    "Provider_Name": "Microsoft-Windows-Sysmon",
    "Computer": "ws01.hopital.local",
    "Image": "C:\\Windows\\System32\\vssadmin.exe",
    "CommandLine": "vssadmin delete shadows /all /quiet",
    "ProcessId": "5828",
    "ParentImage": "C:\\Windows\\System32\\cmd.exe",
}
TIME = "2024-03-01T10:20:30.123456Z"


def flavours() -> dict[str, dict[str, Any]]:
    """One Sysmon process creation in each JSON flavour the readers know."""
    data = {
        "Image": SYSMON_FIELDS["Image"],
        "CommandLine": SYSMON_FIELDS["CommandLine"],
        "ProcessId": 5828,
        "ParentImage": SYSMON_FIELDS["ParentImage"],
    }
    return {
        "evtx_json": {
            "Event": {
                "System": {
                    "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                    "EventID": 1,
                    "TimeCreated": {"#attributes": {"SystemTime": TIME}},
                    "EventRecordID": 77,
                    "Channel": SYSMON,
                    "Computer": "ws01.hopital.local",
                },
                "EventData": data,
            }
        },
        "winlogbeat": {
            "@timestamp": "2024-03-01T10:20:30.123456Z",
            "winlog": {
                "channel": SYSMON,
                "event_id": "1",
                "provider_name": "Microsoft-Windows-Sysmon",
                "computer_name": "ws01.hopital.local",
                "record_id": 77,
                "event_data": {**data, "ProcessId": "5828"},
            },
            "process": {"command_line": "ignored: event_data wins"},
        },
        "nxlog": {
            "EventTime": "2024-03-01 10:20:30.123456",
            "Hostname": "ws01.hopital.local",
            "SourceName": "Microsoft-Windows-Sysmon",
            "Channel": SYSMON,
            "EventID": 1,
            "RecordNumber": 77,
            "ProcessID": 1912,
            **data,
        },
        "flat": {
            "Channel": SYSMON,
            "EventID": 1,
            "Provider_Name": "Microsoft-Windows-Sysmon",
            "Computer": "ws01.hopital.local",
            "SystemTime": TIME,
            "EventRecordID": 77,
            **data,
        },
    }


class TestJsonFlavours:
    """JSON flavours map to the same Sigma fields."""

    @pytest.mark.parametrize("flavour", ["evtx_json", "winlogbeat", "nxlog", "flat"])
    def test_flavour_maps_to_sigma_fields(self, tmp_path: Path, flavour: str) -> None:
        """Every flavour gives the same Sigma fields, time and record id."""
        path = write_lines(tmp_path / f"{flavour}.jsonl", [flavours()[flavour]])
        stats = ReadStats()
        [found] = rows(read_jsonl(path, stats=stats))
        assert SYSMON_FIELDS == {key: found.get(key) for key in SYSMON_FIELDS}
        assert "2024-03-01T10:20:30.123456+00:00" == found["_timestamp"].isoformat()
        assert (1, "77") == (found["_record_id"], found["EventRecordID"])
        assert (1, 1, 0, []) == (stats.files, stats.events, stats.corrupt, stats.errors)

    def test_one_file_may_mix_flavours(self, tmp_path: Path) -> None:
        """Flavours are recognised line by line."""
        path = write_lines(tmp_path / "mixed.ndjson", list(flavours().values()))
        found = rows(read_jsonl(path, stats=ReadStats()))
        assert [1, 2, 3, 4] == sorted(row["_record_id"] for row in found)
        assert {SYSMON_FIELDS["CommandLine"]} == {row["CommandLine"] for row in found}

    def test_xml_converted_data_elements(self, tmp_path: Path) -> None:
        """EventData as XML-to-JSON converters write it (a list of Name/#text objects) by name."""
        line = {
            "Event": {
                "System": {"Channel": SYSMON, "EventID": "1", "Computer": "ws01"},
                "EventData": {
                    "Data": [
                        {"@Name": "Image", "#text": "C:\\a.exe"},
                        {"#attributes": {"Name": "CommandLine"}, "#text": "a.exe /x"},
                    ]
                },
            }
        }
        [found] = rows(read_jsonl(write_lines(tmp_path / "xml.jsonl", [line]), stats=ReadStats()))
        assert (1, "C:\\a.exe", "a.exe /x") == (found["EventID"], found["Image"], found["CommandLine"])

    def test_ecs_fields_fill_missing_event_data(self, tmp_path: Path) -> None:
        """Elastic Agent moves event data into ECS fields: they come back under Sigma names."""
        line = {
            "@timestamp": TIME,
            "winlog": {"channel": SYSMON, "computer_name": "ws01", "provider_name": "Microsoft-Windows-Sysmon"},
            "event": {"code": "1"},
            "process": {"command_line": "whoami /all", "executable": "C:\\Windows\\System32\\whoami.exe", "pid": 42},
        }
        [found] = rows(read_jsonl(write_lines(tmp_path / "ecs.json", [line]), stats=ReadStats()))
        assert (1, "whoami /all", "C:\\Windows\\System32\\whoami.exe", "42") == (
            found["EventID"],
            found["CommandLine"],
            found["Image"],
            found["ProcessId"],
        )

    def test_json_array_file(self, tmp_path: Path) -> None:
        """A file holding one JSON array of events (some exporters write that) is read too."""
        path = tmp_path / "export.json"
        path.write_bytes(orjson.dumps([flavours()["flat"], flavours()["flat"]], option=orjson.OPT_INDENT_2))
        assert 2 == len(rows(read_logs([path], stats=ReadStats())))


class TestBadJson:
    """Bad JSON lines are counted and explained, never fatal."""

    def test_invalid_lines_are_counted_with_their_numbers(self, tmp_path: Path) -> None:
        """Invalid lines are corrupt (line numbers in the error); the valid ones are read."""
        flat = flavours()["flat"]
        path = write_lines(tmp_path / "bad.jsonl", [flat, b"{not json", b"", b"[1, 2]", flat, b'"text"'])
        stats = ReadStats()
        found = rows(read_jsonl(path, stats=stats))
        assert [1, 5] == sorted(row["_record_id"] for row in found)
        assert 3 == stats.corrupt
        assert 1 == len(stats.errors)
        assert "lines 2, 4, 6" in stats.errors[0]

    def test_huge_line(self, tmp_path: Path) -> None:
        """A line over the limit is corrupt and skipped without being held in memory."""
        flat = flavours()["flat"]
        huge = orjson.dumps({**flat, "CommandLine": "A" * (MAX_LINE_BYTES + 10)})
        path = write_lines(tmp_path / "huge.jsonl", [flat, huge, flat])
        stats = ReadStats()
        found = rows(read_jsonl(path, stats=stats))
        assert [1, 3] == sorted(row["_record_id"] for row in found)
        assert 1 == stats.corrupt
        assert "over" in stats.errors[0]

    def test_hostile_lines(self, tmp_path: Path) -> None:
        """Deep nesting stays bounded, too many fields make a corrupt line; the next line is read."""
        deep = b'{"Channel": "C", "EventID": 1, "deep": ' + b'{"n": ' * 500 + b'"x"' + b"}" * 501
        wide = {f"F{index}": index for index in range(2000)}
        flat = flavours()["flat"]
        path = write_lines(tmp_path / "hostile.jsonl", [deep, wide, flat])
        stats = ReadStats()
        found = rows(read_jsonl(path, stats=stats))
        assert [1, 3] == sorted(row["_record_id"] for row in found)
        assert 1 == stats.corrupt
        deep_row = next(row for row in found if row["_record_id"] == 1)
        assert any(key.startswith("deep.n.n.") for key in deep_row)
        assert max(len(batch.schema) for batch in read_jsonl(path, stats=ReadStats())) < 100

    def test_values_of_unexpected_types_never_raise(self, tmp_path: Path) -> None:
        """Every flavour with values of the wrong JSON type at random places (fixed seed) still reads."""
        generator = random.Random(3)  # noqa: S311 - reproducible data, not cryptography
        odd: list[Any] = [None, 1, -1, 2**63, 1.5, True, "", [], [1, [2]], {}, {"#text": 1}, {"#attributes": 5}]

        def mutate(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            mutated = {
                key: generator.choice(odd) if generator.random() < 0.15 else mutate(item) for key, item in value.items()
            }
            if generator.random() < 0.1:
                mutated[generator.choice(["", "Channel", "computer", "Event", "winlog", "System"])] = generator.choice(
                    odd
                )
            return mutated

        lines = [mutate(generator.choice(list(flavours().values()))) for _ in range(2000)]
        stats = ReadStats()
        path = write_lines(tmp_path / "odd.jsonl", lines)
        assert 2000 == sum(batch.num_rows for batch in read_jsonl(path, stats=stats)) == stats.events

    def test_text_log_is_not_json_lines(self, tmp_path: Path) -> None:
        """A text .log is recognised as such after a few lines: one error, not a flood of corrupt lines."""
        path = tmp_path / "syslog.log"
        path.write_text("".join(f"Mar  1 10:20:{i:02} host sshd[1]: line {i}\n" for i in range(1000)))
        stats = ReadStats()
        assert [] == list(read_logs([path], stats=stats))
        assert 0 == stats.corrupt
        assert 1 == len(stats.errors)
        assert "not JSON lines" in stats.errors[0]


class TestFilesAndArchives:
    """Files, folders and zip archives."""

    def test_unknown_and_missing_files_are_noted(self, tmp_path: Path) -> None:
        """Unknown file types and missing paths are noted; the rest is read."""
        (tmp_path / "notes.txt").write_text("hello")
        write_lines(tmp_path / "events.jsonl", [flavours()["flat"]])
        stats = ReadStats()
        found = rows(read_logs([tmp_path, tmp_path / "missing.evtx"], stats=stats))
        assert 1 == len(found)
        assert 2 == len(stats.errors)
        assert any("notes.txt" in error for error in stats.errors)
        assert any("missing.evtx" in error for error in stats.errors)

    def test_zip_of_json_lines(self, tmp_path: Path) -> None:
        """Zip entries are streamed; ``_file`` names the archive and the entry."""
        archive = tmp_path / "logs.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("a/events.jsonl", orjson.dumps(flavours()["flat"]) + b"\n")
            out.writestr("readme.txt", "not a log")
        stats = ReadStats()
        [found] = rows(read_logs([archive], stats=stats))
        assert f"{archive}!a/events.jsonl" == found["_file"]
        assert any("readme.txt" in error for error in stats.errors)

    @needs_corpus
    def test_zip_of_evtx(self, tmp_path: Path) -> None:
        """EVTX entries are read like files."""
        archive = tmp_path / "evtx.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            out.write(SYSMON_FILE, "sysmon.evtx")
        expected = sum(1 for _ in evtx.PyEvtxParser(str(SYSMON_FILE)).records_json())
        assert expected == len(rows(read_logs([archive], stats=ReadStats())))

    def test_zip_bomb_entry_is_bounded(self, tmp_path: Path) -> None:
        """An entry expanding beyond the limit is cut off with an error; other entries are read."""
        archive = tmp_path / "bomb.zip"
        line = orjson.dumps(flavours()["flat"]) + b"\n"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("bomb.jsonl", line * 40_000)  # about 12 MB, compressed to a few kB
            out.writestr("small.jsonl", line)
        assert archive.stat().st_size < 200_000
        stats = ReadStats()
        found = rows(read_logs([archive], stats=stats, zip_limits=ZipLimits(max_entry_bytes=1 << 20)))
        assert any("bomb.jsonl" in error and "zip bomb" in error for error in stats.errors)
        assert any(row["_file"].endswith("small.jsonl") for row in found)
        assert sum(row["_file"].endswith("bomb.jsonl") for row in found) < 40_000

    def test_zip_with_too_many_entries(self, tmp_path: Path) -> None:
        """An archive with more entries than allowed is refused whole, with a reason."""
        archive = tmp_path / "many.zip"
        with zipfile.ZipFile(archive, "w") as out:
            for index in range(20):
                out.writestr(f"{index}.jsonl", b"{}\n")
        stats = ReadStats()
        assert [] == list(read_logs([archive], stats=stats, zip_limits=ZipLimits(max_entries=10)))
        assert "20 entries" in stats.errors[0]

    def test_damaged_zip(self, tmp_path: Path) -> None:
        """A file named .zip that is not one gives one error."""
        archive = tmp_path / "broken.zip"
        archive.write_bytes(b"PK\x03\x04 broken")
        stats = ReadStats()
        assert [] == list(read_logs([archive], stats=stats))
        assert "broken.zip" in stats.errors[0]

    def test_progress_counts_bytes(self, tmp_path: Path) -> None:
        """Progress starts with the bytes to read and advances to that total."""
        write_lines(tmp_path / "a.jsonl", [flavours()["flat"]] * 50)
        write_lines(tmp_path / "b.json", [flavours()["winlogbeat"]] * 5)

        class Recorder:
            def __init__(self) -> None:
                self.total: int | None = None
                self.done = 0

            def start(self, label: str, total: int | None = None) -> None:
                self.total = total

            def advance(self, amount: int = 1) -> None:
                self.done += amount

            def log(self, message: str) -> None:
                """Unused."""

        recorder = Recorder()
        list(read_logs([tmp_path], stats=ReadStats(), progress=recorder))
        assert recorder.total == recorder.done == sum(path.stat().st_size for path in tmp_path.iterdir())


class TestBatches:
    """Batch layout: bounded sizes, column names, value types."""

    def test_many_events_make_bounded_batches(self, tmp_path: Path) -> None:
        """Batches never exceed batch_size, whatever the mix of channels."""
        lines = [{**flavours()["flat"], "Channel": f"Channel-{index % 7}", "N": index} for index in range(5000)]
        stats = ReadStats()
        batches = list(read_logs([write_lines(tmp_path / "many.jsonl", lines)], stats=stats, batch_size=300))
        assert 5000 == sum(batch.num_rows for batch in batches) == stats.events
        assert all(batch.num_rows <= 300 for batch in batches)
        numbers = sorted(int(value) for batch in batches for value in batch.column("N").to_pylist())
        assert list(range(5000)) == numbers

    def test_many_channels_keep_memory_bounded(self, tmp_path: Path) -> None:
        """Ever new channels do not pile up: batches go out once too many wait."""
        lines = [{"Channel": f"C{index}", "EventID": 1} for index in range(1000)]
        batches = list(read_jsonl(write_lines(tmp_path / "channels.jsonl", lines), stats=ReadStats()))
        assert 1000 == sum(batch.num_rows for batch in batches)

    def test_case_variants_share_one_column(self, tmp_path: Path) -> None:
        """SQL engines ignore case in names: ``TargetFilename`` and ``TargetFileName`` are one column."""
        first = {"Channel": SYSMON, "EventID": 11, "TargetFilename": "a.exe"}
        second = {"Channel": SYSMON, "EventID": 11, "TargetFileName": "b.exe"}
        [batch] = list(read_jsonl(write_lines(tmp_path / "case.jsonl", [first, second]), stats=ReadStats()))
        assert ["TargetFilename"] == batch.schema.names[len(FIXED_COLUMNS) :]
        assert ["a.exe", "b.exe"] == sorted(batch.column("TargetFilename").to_pylist())

    def test_payload_field_named_like_a_fixed_column(self, tmp_path: Path) -> None:
        """A payload ``computer`` field cannot shadow the ``Computer`` column."""
        line = {"Event": {"System": {"Computer": "dc01", "EventID": 5}, "EventData": {"computer": "other"}}}
        [found] = rows(read_jsonl(write_lines(tmp_path / "shadow.jsonl", [line]), stats=ReadStats()))
        assert ("dc01", "other") == (found["Computer"], found["Event_computer"])

    def test_mixed_types_in_one_column(self, tmp_path: Path) -> None:
        """Values of several JSON types in one column all become text; nested objects get dotted names."""
        values: list[Any] = ["x", 5, True, None, [1, "a"], {"k": 1}, {"#text": "t"}, 1.5]
        lines: list[Any] = [{"Channel": "C", "EventID": 1, "Value": value} for value in values]
        lines.append(b'{"Channel": "C", "EventID": 1, "Value": 18446744073709551615}')  # beyond int64
        found = rows(read_jsonl(write_lines(tmp_path / "mixed.jsonl", lines), stats=ReadStats()))
        by_line = {row["_record_id"]: row.get("Value") for row in found}
        expected = ["x", "5", "true", None, "1\na", None, "t", "1.5", str(2**64 - 1)]
        assert expected == [by_line[number] for number in range(1, 10)]
        assert "1" == next(row["Value.k"] for row in found if row["_record_id"] == 6)


class TestValues:
    """Values and times as rules see them."""

    @pytest.mark.parametrize(
        ("value", "text"),
        [(5828, "5828"), (False, "false"), (None, None), (["a", None, 3], "a\n3"), ({"#text": 800}, "800")],
    )
    def test_render_value(self, value: Any, text: str | None) -> None:
        """JSON values become the text Sigma rules compare against."""
        assert text == render_value(value)

    def test_timestamp_forms(self, tmp_path: Path) -> None:
        """ISO times with or without zone (UTC assumed) and with offsets; garbage gives null."""
        times = ["2024-03-01T10:20:30Z", "2024-03-01 10:20:30.5", "2024-03-01T12:20:30+02:00", "yesterday"]
        lines = [{"Channel": "C", "EventID": 1, "SystemTime": moment} for moment in times]
        found = rows(read_jsonl(write_lines(tmp_path / "times.jsonl", lines), stats=ReadStats()))
        by_line: dict[int, Any] = {row["_record_id"]: row.get("_timestamp") for row in found}
        assert "2024-03-01T10:20:30+00:00" == by_line[1].isoformat()
        assert "2024-03-01T10:20:30.500000+00:00" == by_line[2].isoformat()
        assert "2024-03-01T10:20:30+00:00" == by_line[3].isoformat()
        assert by_line[4] is None
