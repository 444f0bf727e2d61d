"""The column-at-a-time reader of users, groups and computers files agrees with the record-by-record one.

Both paths are real code of the reader: ``PRINCIPAL_FILES`` chooses which files take the column
path, and emptying it sends every file through ``add_record``. The two snapshots must be equal,
row for row and edge for edge (order included), on the corpus, on the synthetic forest and on
records full of wrong types.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from hygie.engines.directory import sharphound
from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.schema import TABLES
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.snapshot import Snapshot
from hygie.engines.directory.synthetic import DEMO_SIZES, write_collection

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Snapshot, Snapshot]:
    columns = read_sharphound(path)
    monkeypatch.setattr(sharphound, "PRINCIPAL_FILES", {})
    records = read_sharphound(path)
    monkeypatch.undo()
    return columns, records


def _assert_same(first: Snapshot, second: Snapshot) -> None:
    for table in TABLES:
        assert getattr(first, table).equals(getattr(second, table)), table
    assert first.warnings == second.warnings


@pytest.mark.parametrize("collection", ["ad_example_data", "fixtures/v5/ingest", "fixtures/v6/all/adcs.zip"])
def test_same_snapshot_on_the_corpus(bloodhound_corpus: Path, collection: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real SharpHound v5 and v6 data (several domains, duplicates, CA objects) read both ways."""
    columns, records = _both(bloodhound_corpus / collection, monkeypatch)
    assert columns.principals.height > 0
    _assert_same(columns, records)


def test_same_snapshot_on_the_synthetic_forest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions, local admins, nested groups and thousands of ACEs read both ways."""
    write_collection(tmp_path, **DEMO_SIZES, seed=11, now=NOW)
    columns, records = _both(tmp_path, monkeypatch)
    assert {"HasSession", "AdminTo", "MemberOf"} <= set(columns.edges.get_column("kind"))
    _assert_same(columns, records)


HOSTILE_COMPUTER = {
    "ObjectIdentifier": "s-1-5-21-1-1-1-2001",
    "Properties": {"name": 7, "enabled": "yes", "serviceprincipalnames": ["HOST/a", 3, None], "whencreated": True},
    "IsACLProtected": None,
    "Aces": [
        {"PrincipalSID": 5, "RightName": "GenericAll"},
        {"PrincipalSID": "", "RightName": "GenericAll"},
        {"PrincipalSID": "s-1-5-21-1-1-1-512", "RightName": None, "IsInherited": "no"},
        {"PrincipalSID": "S-1-5-21-1-1-1-519", "RightName": 12},
        "not an ace",
    ],
    "ContainedBy": {"ObjectIdentifier": None},
    "Links": [{"GUID": "abc", "IsEnforced": 1}, {"IsEnforced": True}],
    "SPNTargets": [{"ComputerSID": "S-1-5-21-1-1-1-2002", "Service": ""}],
    "Sessions": {"Results": [{"UserSID": "s-1-5-21-1-1-1-1105"}, {"UserSID": []}]},
    "PrivilegedSessions": [{"UserSID": "S-1-5-21-1-1-1-1106"}],
    "LocalGroups": [
        {"ObjectIdentifier": "S-1-5-21-1-1-1-2001-544", "Results": [{"ObjectIdentifier": "S-1-5-21-1-1-1-513"}, 4]},
        {"ObjectIdentifier": None, "Results": [{"ObjectIdentifier": "S-1-5-21-1-1-1-514"}]},
        {"ObjectIdentifier": "X-555", "Results": {"not": "a list"}},
    ],
    "PrimaryGroupSID": "",
    "IsDC": "true",
}


def test_same_snapshot_on_wrong_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values of the wrong type become nulls or skipped edges the same way on both paths."""
    document = {"data": [HOSTILE_COMPUTER], "meta": {"type": "computers", "count": 1, "version": 6}}
    (tmp_path / "x_computers.json").write_bytes(orjson.dumps(document))
    columns, records = _both(tmp_path, monkeypatch)
    _assert_same(columns, records)
    row = columns.principals.row(0, named=True)
    assert (row["name"], row["enabled"], row["is_dc"], row["spns"]) == (None, None, None, ["HOST/a"])
    edges = set(columns.edges.select("source", "target", "kind").iter_rows())
    # 512's GenericAll with no right name, 519's right given as a number, one GPLink, one session
    # per session list, the local admin; the ACEs from 5 and "" and the empty primary group are skipped.
    assert edges == {
        ("S-1-5-21-1-1-1-512", "S-1-5-21-1-1-1-2001", "UnknownRight"),
        ("S-1-5-21-1-1-1-519", "S-1-5-21-1-1-1-2001", "12"),
        ("ABC", "S-1-5-21-1-1-1-2001", "GPLink"),
        ("S-1-5-21-1-1-1-2001", "S-1-5-21-1-1-1-2002", "SPNTarget"),
        ("S-1-5-21-1-1-1-2001", "S-1-5-21-1-1-1-1105", "HasSession"),
        ("S-1-5-21-1-1-1-2001", "S-1-5-21-1-1-1-1106", "HasSession"),
        ("S-1-5-21-1-1-1-513", "S-1-5-21-1-1-1-2001", "AdminTo"),
    }


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1], "x_groups.json: data[1] is not an object"),
        ({"Properties": {}}, "x_groups.json: data[1]: record has no ObjectIdentifier"),
        ({"ObjectIdentifier": "G", "Properties": [1]}, "x_groups.json: data[1]: 'Properties' is not an object"),
    ],
)
def test_malformed_record_named_by_position(tmp_path: Path, record: object, message: str) -> None:
    """The first malformed record of a file fails the whole read, named by file and index."""
    good = {"ObjectIdentifier": "S-1-5-21-1-1-1-1200", "Properties": {"name": "G@CHU.LOCAL"}}
    document = {"data": [good, record, good], "meta": {"type": "groups", "count": 3, "version": 6}}
    (tmp_path / "x_groups.json").write_bytes(orjson.dumps(document))
    with pytest.raises(CollectionError) as caught:
        read_sharphound(tmp_path)
    assert str(caught.value) == message
    assert caught.value.file == "x_groups.json"
