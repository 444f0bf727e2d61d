"""The synthetic hospital forest: reproducible, well-formed SharpHound v6, and its weaknesses found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import orjson
import pytest

from hygie.engines.directory.audit import audit
from hygie.engines.directory.registry import CHECKS
from hygie.engines.directory.sharphound import read_sharphound
from hygie.engines.directory.synthetic import DEMO_SIZES, WEAKNESS_CHECKS, Sizes, write_collection

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SMALL = Sizes(users=120, computers=60, groups=50, aces=1500)


def _files(folder: Path) -> dict[str, bytes]:
    return {item.name: item.read_bytes() for item in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_forest(tmp_path: Path) -> None:
    """A seed and a reference time fix every byte; another seed draws another forest."""
    write_collection(tmp_path / "a", **SMALL, seed=3, now=NOW)
    write_collection(tmp_path / "b", **SMALL, seed=3, now=NOW)
    write_collection(tmp_path / "c", **SMALL, seed=4, now=NOW)
    first, second, other = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert first == second
    assert first.keys() == other.keys()
    users = next(name for name in first if name.endswith("_users.json"))
    assert first[users] != other[users]


def test_meta_and_counts_match_the_data(tmp_path: Path) -> None:
    """Every file has a v6 ``meta`` whose type and count match its name and data; ACE total exact."""
    stats = write_collection(tmp_path, **SMALL, seed=1, now=NOW)
    expected_types = {
        "users", "computers", "groups", "domains", "ous", "containers", "gpos",
        "certtemplates", "enterprisecas", "rootcas", "ntauthstores",
    }  # fmt: skip
    documents = {name: orjson.loads(raw) for name, raw in _files(tmp_path).items()}
    assert set(stats.files) == set(documents)
    seen_types = set()
    aces = 0
    for name, document in documents.items():
        meta = document["meta"]
        assert meta["version"] == 6
        assert name == f"20261101080000_{meta['type']}.json"
        assert meta["count"] == len(document["data"])
        seen_types.add(meta["type"])
        for record in document["data"]:
            aces += len(record["Aces"])
            assert record["ObjectIdentifier"]
    assert seen_types == expected_types
    counts = {document["meta"]["type"]: document["meta"]["count"] for document in documents.values()}
    assert (counts["users"], counts["computers"], counts["groups"]) == (120, 60, 50)
    assert (stats.users, stats.computers, stats.groups) == (120, 60, 50)
    # The requested total is well above the default descriptor of every object: it is met exactly.
    assert aces == stats.aces == 1500


def test_the_reader_reads_folder_and_zip(tmp_path: Path) -> None:
    """The reader takes the folder and the zip alike, without warnings, with every object."""
    stats = write_collection(tmp_path / "dir", **DEMO_SIZES, seed=2, now=NOW)
    zipped = write_collection(tmp_path / "zip", **DEMO_SIZES, seed=2, now=NOW, zip_output=True)
    assert len(zipped.files) == 1
    assert zipped.files[0].endswith(".zip")
    for snapshot in (read_sharphound(tmp_path / "dir"), read_sharphound(tmp_path / "zip" / zipped.files[0])):
        assert snapshot.warnings == ()
        kinds = dict(snapshot.principals.group_by("kind").len().iter_rows())
        assert kinds == {"User": stats.users, "Computer": stats.computers, "Group": stats.groups}
        edge_kinds = set(snapshot.edges.get_column("kind").unique())
        assert {"MemberOf", "HasSession", "AdminTo", "GenericAll", "Contains", "GPLink"} <= edge_kinds
        assert snapshot.gpos.height == stats.gpos
        assert snapshot.ous.height == stats.ous
        assert snapshot.cert_templates.height == stats.cert_templates


def test_sizes_too_small_are_refused(tmp_path: Path) -> None:
    """Sizes below the fixed part of the forest are refused, not silently raised."""
    with pytest.raises(ValueError, match="users"):
        write_collection(tmp_path, users=5, computers=60, groups=50, aces=100)


def _findings(folder: Path) -> dict[str, set[str]]:
    result = audit(read_sharphound(folder), now=NOW)
    return {finding.check_id: {obj.name for obj in finding.affected} for finding in result.findings}


def test_planted_weaknesses_are_found_by_the_checks(tmp_path: Path) -> None:
    """Each planted weakness is reported, on the planted object, by the check it targets."""
    registered = {spec.check_id for spec in CHECKS}
    stats = write_collection(tmp_path, **DEMO_SIZES, seed=5, now=NOW)
    assert set(stats.weaknesses) == set(WEAKNESS_CHECKS)
    # The checks the forest was designed against must exist, or this test would prove nothing.
    assert {
        "directory.privileged_kerberoastable",
        "directory.privileged_asrep_roastable",
        "directory.dcsync_rights",
        "directory.krbtgt_password_old",
    } <= registered
    findings = _findings(tmp_path)
    for weakness, check_id in WEAKNESS_CHECKS.items():
        if check_id is None or check_id not in registered:
            continue
        assert stats.planted[weakness] in findings.get(check_id, set()), (weakness, check_id)
    assert findings["directory.privileged_kerberoastable"] == {f"SVC_SQL@{stats.domain}"}


def test_without_weaknesses_the_planted_findings_are_absent(tmp_path: Path) -> None:
    """Without weaknesses, the checks that caught them stay silent (the findings come from the plants)."""
    stats = write_collection(tmp_path, **DEMO_SIZES, seed=5, now=NOW, weaknesses=False)
    assert stats.weaknesses == ()
    findings = _findings(tmp_path)
    for check_id in ("directory.privileged_kerberoastable", "directory.dcsync_rights", "directory.dormant_accounts"):
        assert check_id not in findings, check_id
