"""Offline copies: export, work on two disconnected laptops, bundle, merge with no loss and no duplicate.

The laptops are real separate SQLite files driven by separate processes (``HYGIE_DATABASE_URL``
pointing at the copy), as on a cut-off laptop; the central database is the test database
(SQLite or PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.utils import timezone
from typer.testing import CliRunner

from hygie.apps.incidents.models import Incident, IncidentKind, LogEntry, LogEntryKind, ObligationRecord
from hygie.apps.incidents.offline import MARKER_TABLE, OfflineError, build_bundle, current_origin, export_copy
from hygie.apps.incidents.offline_merge import merge_bundle
from hygie.apps.incidents.services import add_log_entry, open_incident
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_PERMISSION
from hygie.cli.incident import app

if TYPE_CHECKING:
    from pathlib import Path

#: What a laptop runs: the same services as the CLI, with the copy's name as origin.
_PRELUDE = """
import datetime as dt, json, sys
from hygie.cli.context import setup_django
setup_django()
from django.utils import timezone
from hygie.apps.accounts.models import User
from hygie.apps.incidents import services
from hygie.apps.incidents.models import Incident, LogEntry
from hygie.apps.incidents.offline import current_origin
user = User.objects.get(username="manager_a")
now = timezone.now()
origin = current_origin()
"""


def _laptop(tmp_path: Path, copy: Path, *args: str, script: str | None = None) -> str:
    """Run a command (or a script) on the laptop: a separate process on the copy, no central database."""
    env = {**os.environ, "HYGIE_DATABASE_URL": f"sqlite:///{copy}", "HYGIE_DATA_DIR": str(tmp_path / copy.stem),
           "DJANGO_SETTINGS_MODULE": "hygie.web.settings"}
    code = _PRELUDE + textwrap.dedent(script) if script is not None else "from hygie.cli.main import main; main()"
    command = [sys.executable, "-c", code, *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def central(tenants: Any) -> Any:
    """Central database: a ransomware incident at hospital A with one entry."""
    manager = tenants.users["manager"]
    incident = open_incident(node=tenants.hospital_a, user=manager, title="Ransomware <b>A</b>",
                             kind=IncidentKind.RANSOMWARE, aware_at=timezone.now() - dt.timedelta(hours=3))
    first = add_log_entry(incident, kind=LogEntryKind.OBSERVATION, text="Screens show a ransom note", user=manager,
                          occurred_at=timezone.now() - dt.timedelta(hours=2))
    tenants.incident, tenants.first = incident, first
    return tenants


class TestExport:
    """The copy holds what the cell needs, no secrets, and says it is a copy."""

    def test_copy_content(self, central: Any, tmp_path: Path) -> None:
        """Given an incident, when exported, then the file has its log, users without passwords, no token."""
        from hygie.apps.accounts.models import ApiToken

        ApiToken.issue(central.users["manager"], "laptop")
        path = tmp_path / "copy.sqlite3"
        result = export_copy(central.hospital_a, user=central.users["manager"], path=path, name="laptop-1")
        assert 1 == result.counts["incidents.Incident"]
        with sqlite3.connect(path) as db:
            assert 2 == db.execute("SELECT count(*) FROM incidents_logentry").fetchone()[0]
            passwords = [row[0] for row in db.execute("SELECT password FROM accounts_user")]
            assert 0 == db.execute("SELECT count(*) FROM accounts_apitoken").fetchone()[0]
            names = {row[0] for row in db.execute("SELECT name FROM organizations_node")}
            marker = dict(db.execute(f"SELECT key, value FROM {MARKER_TABLE}").fetchall())  # noqa: S608
        assert passwords
        assert not any(is_password_usable(p) for p in passwords)
        assert {"France", "Region Test", "GHT A", "Hospital A", "Site A1"} == names  # not GHT B nor Hospital B
        assert "laptop-1" == json.loads(marker["name"])
        assert "" == current_origin()  # the central database is no copy

    def test_new_rows_numbered_above_central_ids(self, central: Any, tmp_path: Path) -> None:
        """Given newer central rows of another tenant, when a laptop writes, then its rows are in the bundle.

        Hospital B's incident and entries hold the highest ids centrally; the copy of hospital A does
        not hold them, yet a row written on it must be numbered above them, or the bundle (which takes
        the rows above the exported ids) would miss it.
        """
        other = open_incident(node=central.hospital_b, user=central.outsider, title="Later elsewhere",
                              kind=IncidentKind.OUTAGE, aware_at=timezone.now() - dt.timedelta(hours=1))
        for number in range(3):
            add_log_entry(other, kind=LogEntryKind.ACTION, text=f"B step {number}", user=central.outsider)
        path = tmp_path / "copy.sqlite3"
        export_copy(central.hospital_a, user=central.users["manager"], path=path, name="laptop-a")
        written = _laptop(tmp_path, path, str(central.incident.uid), script="""
incident = Incident.objects.get(uid=sys.argv[1])
entry = services.add_log_entry(incident, kind="decision", text="Written on laptop A", user=user)
print(entry.pk)
""")
        top = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        assert int(written.strip()) > top
        bundle = tmp_path / "bundle.json"
        _laptop(tmp_path, path, "incident", "offline", "bundle", "-o", str(bundle), "--as", "manager_a")
        merged = merge_bundle(bundle.read_bytes(), user=central.users["manager"])
        assert 1 == merged.entries_added
        assert LogEntry.objects.filter(text="Written on laptop A", origin="laptop-a").exists()

    def test_refused(self, central: Any, tmp_path: Path) -> None:
        """An existing file, a bad name, another tenant's node: refused, no file left."""
        existing = tmp_path / "exists.sqlite3"
        existing.write_bytes(b"x")
        with pytest.raises(OfflineError, match="already exists"):
            export_copy(central.hospital_a, user=None, path=existing, name="laptop")
        with pytest.raises(OfflineError, match="copy name"):
            export_copy(central.hospital_a, user=None, path=tmp_path / "a.sqlite3", name="../../etc")
        code, _text = _cli("offline", "export", "--node", str(central.hospital_a.pk), "-o",
                           str(tmp_path / "b.sqlite3"), "--as", central.outsider.username)
        assert 4 == code  # hospital A is invisible to group B's manager
        assert not (tmp_path / "a.sqlite3").exists()
        assert not (tmp_path / "b.sqlite3").exists()
        with pytest.raises(OfflineError, match="not an offline copy"):
            build_bundle(user=None)


LAPTOP_1 = """
incident = Incident.objects.get(uid=sys.argv[1])
first = LogEntry.objects.get(uid=sys.argv[2])
services.add_log_entry(incident, kind="decision", text="Cell convened on laptop 1", user=user,
                       occurred_at=now - dt.timedelta(minutes=50))
services.add_log_entry(incident, kind="correction", text="The note appeared at 07:10, not 07:40", user=user,
                       corrects=first)
services.record_obligation(incident, "cert_sante", done_at=now - dt.timedelta(minutes=30), reference="CS-1",
                           user=user)
other = services.open_incident(node=incident.node, user=user, title="Phishing seen offline", kind="phishing",
                               aware_at=now - dt.timedelta(minutes=20))
services.add_log_entry(other, kind="action", text="Mailbox quarantined", user=user)
assert {origin} == set(LogEntry.objects.filter(pk__gt=first.pk).values_list("origin", flat=True))
print(other.uid)
"""


def _laptop_2(tmp_path: Path, copy: Path, ref: str, manager: str) -> None:
    """Laptop 2 uses the ordinary commands, pointed at its copy: log, correct, record a report, print the kit."""
    at = timezone.localtime(timezone.now() - dt.timedelta(minutes=40)).strftime("%Y-%m-%d %H:%M")
    written = _laptop(tmp_path, copy, "incident", "log", ref, "Backups unreachable", "--kind", "observation",
                      "--at", at, "--as", manager)
    own = written.split("Entry ", 1)[1].split()[0]
    _laptop(tmp_path, copy, "incident", "log", ref, "Backups reachable from site 2", "--corrects", own,
            "--as", manager)
    _laptop(tmp_path, copy, "incident", "clock", ref, "--done", "cert_sante", "--at", at, "--proof", "CS-2",
            "--as", manager)
    kit_dir = tmp_path / "kit"
    kit_dir.mkdir()
    printed = _laptop(tmp_path, copy, "incident", "kit", "--node", "Hospital A", "-o", str(kit_dir), "--as", manager)
    assert {".html", ".pdf"} == {path.suffix for path in kit_dir.iterdir()}
    assert str(kit_dir) in printed


class TestOfflineMerge:
    """The must-show test: two disconnected copies merge with no loss and no duplicate."""

    def test_two_copies(self, central: Any, tmp_path: Path) -> None:
        """Given two copies written apart, when both bundles merge (twice), then each entry is there once."""
        manager = central.users["manager"].username
        copies = {}
        for name in ("laptop-1", "laptop-2"):
            copies[name] = tmp_path / f"{name}.sqlite3"
            code, text = _cli("offline", "export", "--node", "Hospital A", "-o", str(copies[name]), "--name", name,
                              "--as", manager)
            assert 0 == code, text
        incident, first = central.incident, central.first
        # Written on the laptops, each on its own file, while the centre is unreachable.
        opened_offline = _laptop(tmp_path, copies["laptop-1"], str(incident.uid), str(first.uid),
                                 script=LAPTOP_1).strip()
        _laptop_2(tmp_path, copies["laptop-2"], str(incident.uid), manager)
        bundles = []
        for name, copy in copies.items():
            bundles.append(tmp_path / f"{name}.json")
            _laptop(tmp_path, copy, "incident", "offline", "bundle", "-o", str(bundles[-1]), "--as", manager)
        laptop_uids = {uid for path in bundles for uid in json.loads(path.read_text())["entries"]}
        assert 8 == len(laptop_uids)  # 5 on laptop 1, 3 on laptop 2 (a recorded obligation is logged too)
        before = LogEntry.objects.count()

        code, text = _cli("offline", "merge", str(bundles[0]), "--as", manager)
        assert 0 == code, text
        assert "1 incident(s) created" in text
        code, text = _cli("offline", "merge", str(bundles[1]), "--as", manager)
        assert 0 == code, text
        assert "1 already present" in text  # the CERT Santé report, recorded on both laptops

        entries = list(LogEntry.objects.all())
        assert before + 8 == len(entries)
        assert len(entries) == len({e.uid for e in entries})
        assert laptop_uids <= {str(e.uid) for e in entries}
        texts = [e.text for e in entries]
        for text in ("Cell convened on laptop 1", "Backups unreachable", "Mailbox quarantined",
                     "The note appeared at 07:10, not 07:40", "Backups reachable from site 2"):
            assert 1 == texts.count(text)
        correction = LogEntry.objects.get(text="The note appeared at 07:10, not 07:40")
        assert first.pk == correction.corrects_id
        assert "laptop-1" == correction.origin
        assert {"laptop-2"} == {e.origin for e in LogEntry.objects.filter(text__startswith="Backups")}
        assert "" == LogEntry.objects.get(pk=first.pk).origin
        offline_incident = Incident.objects.get(uid=opened_offline)
        assert central.hospital_a == offline_incident.node
        assert 2 == offline_incident.log_entries.count()
        assert 1 == ObligationRecord.objects.filter(incident=incident, obligation="cert_sante").count()

        # Merging again changes nothing.
        counts = (Incident.objects.count(), LogEntry.objects.count(), ObligationRecord.objects.count())
        for path in bundles:
            code, text = _cli("offline", "merge", str(path), "--as", manager)
            assert 0 == code, text
            assert "0 incident(s) created, 0 entry(ies) added" in text
        assert counts == (Incident.objects.count(), LogEntry.objects.count(), ObligationRecord.objects.count())


def _bundle(central: Any, **changes: Any) -> dict[str, Any]:
    """A one-entry bundle on the central incident, with ``changes`` applied to the entry."""
    entry = {"uid": "6f1c1c2e-8a51-4c43-9bd3-1e0a1c0e0001", "incident": str(central.incident.uid),
             "kind": "decision", "text": "Decided offline", "occurred_at": timezone.now().isoformat(),
             "recorded_at": timezone.now().isoformat(), "author": None, "author_name": "cell",
             "corrects": None, "origin": "laptop-9"}
    entry.update(changes)
    return {"format": "hygie-offline-bundle", "version": 1, "copy": "laptop-9", "node_path": central.hospital_a.path,
            "created_at": timezone.now().isoformat(), "incidents": {}, "entries": {entry["uid"]: entry},
            "obligations": {}}


class TestMergeRefusals:
    """A malformed or hostile bundle is refused with a clear message, and nothing is stored."""

    @pytest.mark.parametrize(("changes", "message"), [
        ({"occurred_at": (timezone.now() + dt.timedelta(days=2)).isoformat()}, "in the future"),
        ({"incident": "6f1c1c2e-8a51-4c43-9bd3-1e0a1c0e0999"}, "neither in the bundle"),
        ({"corrects": "6f1c1c2e-8a51-4c43-9bd3-1e0a1c0e0998", "kind": "correction"}, "unknown in this incident"),
        ({"kind": "erase"}, "unknown kind"),
        ({"extra": "<script>"}, "Extra inputs"),
        ({"text": ""}, "entries"),
    ])
    def test_bad_entry(self, central: Any, changes: dict[str, Any], message: str) -> None:
        """Each hostile entry is named in the refusal."""
        before = LogEntry.objects.count()
        with pytest.raises(OfflineError, match=message):
            merge_bundle(json.dumps(_bundle(central, **changes)).encode(), user=central.users["manager"])
        assert before == LogEntry.objects.count()

    def test_files(self, central: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Not JSON, not a bundle, too large, another tenant: exit codes 3, 3, 3, 5; nothing stored."""
        from hygie.apps.incidents import offline_merge

        before = LogEntry.objects.count()
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        assert EXIT_INVALID_INPUT == _cli("offline", "merge", str(bad))[0]
        bad.write_text('{"format": "other"}')
        code, text = _cli("offline", "merge", str(bad))
        assert EXIT_INVALID_INPUT == code
        assert "not a Hygie offline bundle" in text
        good = tmp_path / "good.json"
        good.write_text(json.dumps(_bundle(central)))
        code, _text = _cli("offline", "merge", str(good), "--as", central.outsider.username)
        assert EXIT_PERMISSION == code
        monkeypatch.setattr(offline_merge, "MAX_BUNDLE_BYTES", 100)
        code, text = _cli("offline", "merge", str(good))
        assert EXIT_INVALID_INPUT == code
        assert "larger than" in text
        assert before == LogEntry.objects.count()

    def test_incident_of_other_tenant(self, central: Any) -> None:
        """An incident the bundle opens on group B's hospital is refused to group A's manager, atomically."""
        bundle = _bundle(central)
        new = "6f1c1c2e-8a51-4c43-9bd3-1e0a1c0e0abc"
        aware = (timezone.now() - dt.timedelta(hours=1)).isoformat()
        bundle["incidents"][new] = {
            "uid": new, "node_id": central.hospital_b.pk, "node_path": central.hospital_b.path, "reference": "INC-X",
            "title": "Elsewhere", "kind": "ransomware", "status": "open", "severity": 4, "significant": True,
            "personal_data_breach": False, "high_risk_to_persons": False, "persons_affected": None,
            "establishments": [], "created_by": None, "occurred_at": None, "aware_at": aware, "contained_at": None,
            "recovered_at": None, "closed_at": None, "description": "", "scope": "", "systems_and_data": "",
            "handling_status": "", "impact_data": "", "impact_people": "", "impact_is": "", "impact_structure": "",
            "causes": "", "lessons_learned": ""}
        before = (Incident.objects.count(), LogEntry.objects.count())
        with pytest.raises(OfflineError, match="unknown node"):
            merge_bundle(json.dumps(bundle).encode(), user=central.users["manager"])
        assert before == (Incident.objects.count(), LogEntry.objects.count())
        # The valid entry of the same bundle was not stored either (one transaction).
        assert not LogEntry.objects.filter(text="Decided offline").exists()
        merged = merge_bundle(json.dumps(_bundle(central)).encode(), user=central.users["manager"])
        assert 1 == merged.entries_added
