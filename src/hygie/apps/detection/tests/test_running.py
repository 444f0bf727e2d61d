"""Uploads, rule pack versions, hunts as jobs with the real engine, alerts, dedupe, asset links, the workflow."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from hygie.apps.accounts.permissions import Action
from hygie.apps.detection.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    Hunt,
    HuntStatus,
    LogSource,
    LogUpload,
    RulePack,
    RulePackVersion,
)
from hygie.apps.detection.packs import PackError, activate, add_version, ensure_builtin_packs
from hygie.apps.detection.running import HuntFailedError, execute_hunt, new_hunt, scan_watched_folders, start_hunt
from hygie.apps.detection.uploads import UploadRefusedError, store_log_file
from hygie.apps.detection.workflow import WorkflowError, bulk_transition, transition
from hygie.apps.inventory.models import Asset
from hygie.testing.tasks import run_queued_tasks

from .support import attack_events, jsonl, pack_version, source, write_rules


def _store(src: LogSource, content: bytes, name: str = "logs.jsonl") -> LogUpload:
    upload, _created = store_log_file(src, [content], name)
    return upload


class TestUploads:
    """A log file is checked before it is kept; a refused one leaves nothing."""

    def test_stored_under_its_hash(self, tenants: Any) -> None:
        """The content is stored once per source, named by its SHA-256; a second upload gives the first back."""
        src = source(tenants.hospital_a)
        first, created = store_log_file(src, [jsonl(attack_events())], "../../etc/évènements.jsonl")
        again, created_again = store_log_file(src, [jsonl(attack_events())], "copy.jsonl")
        assert (True, False, first.pk) == (created, created_again, again.pk)
        assert first.path().name == f"{first.sha256}.jsonl"
        assert first.path().read_bytes() == jsonl(attack_events())
        assert "/" not in first.name
        assert LogSource.objects.get(pk=src.pk).last_ingested_at is not None

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("logs.txt", b"{}", "expected an .evtx"),
            ("logs.evtx", b"not an evtx file", "not a Windows event log"),
            ("logs.jsonl", b"hello world\n", "not JSON"),
            ("logs.jsonl", b'{"broken": \n', "first line is not a JSON event"),
            ("logs.zip", b"PK\x03\x04 damaged", "not a readable zip"),
            ("logs.json", b"   \n", "is empty"),
        ],
    )
    def test_bad_file_refused(self, tenants: Any, name: str, content: bytes, message: str) -> None:
        """Each bad file is refused with a clear message and nothing is stored, on disk or in the database."""
        src = source(tenants.hospital_a)
        uploads = Path(os.environ["HYGIE_DATA_DIR"]) / "detection" / "uploads"
        before = sorted(uploads.rglob("*")) if uploads.exists() else []
        with pytest.raises(UploadRefusedError, match=message):
            store_log_file(src, [content], name)
        assert not LogUpload.objects.exists()
        assert before == (sorted(uploads.rglob("*")) if uploads.exists() else [])

    def test_zip_without_logs_refused(self, tenants: Any) -> None:
        """A zip holding no event log is refused."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with pytest.raises(UploadRefusedError, match="holds no event log"):
            store_log_file(source(tenants.hospital_a), [buffer.getvalue()], "logs.zip")

    @override_settings(HYGIE_DETECTION_MAX_UPLOAD_BYTES=100)
    def test_size_limit(self, tenants: Any) -> None:
        """A file over the limit is refused while it is written; nothing is kept."""
        with pytest.raises(UploadRefusedError, match="too large"):
            store_log_file(source(tenants.hospital_a), [b"{}\n" * 100], "big.jsonl")
        assert not LogUpload.objects.exists()


class TestPackVersions:
    """A pack version is compiled once: rules loaded, failures with reasons, one active version."""

    def test_version_with_failures(self, tenants: Any, tmp_path: Path) -> None:
        """Loaded rules' metadata and refused rules' reasons are stored; the first version is active."""
        pack = RulePack.objects.create(node=tenants.hospital_a, name="local")
        version, created = add_version(pack, write_rules(tmp_path / "r", broken=True), tenants.users["manager"])
        assert (True, 3, 1, True) == (created, version.rule_count, version.failure_count, version.active)
        assert version.failures[0]["path"] == "broken.yml"
        assert version.failures[0]["reason"]
        assert {"attack.credential_access", "attack.t1003.001"} <= set(version.rules.get(level=4).tags)
        assert version.archive().is_file()

    def test_same_rules_same_version_and_activation(self, tenants: Any, tmp_path: Path) -> None:
        """The same rules again give the same version; a new version is activated by hand, one active at a time."""
        pack = RulePack.objects.create(node=tenants.hospital_a, name="local")
        first, _ = add_version(pack, write_rules(tmp_path / "r"), None)
        same, created = add_version(pack, write_rules(tmp_path / "r2"), None)
        assert (False, first.pk) == (created, same.pk)
        extra = {"more.yml": (tmp_path / "r" / "rdp.yml").read_text().replace("a02", "a09").replace("10\n", "3\n")}
        second, created = add_version(pack, write_rules(tmp_path / "r3", extra=extra), None)
        assert (True, 2, False) == (created, second.number, second.active)
        activate(second)
        assert [second.pk] == list(RulePackVersion.objects.filter(pack=pack, active=True).values_list("pk", flat=True))

    def test_no_rule_refused(self, tenants: Any, tmp_path: Path) -> None:
        """A folder where no rule loads is refused and stores nothing."""
        folder = tmp_path / "bad"
        folder.mkdir()
        (folder / "broken.yml").write_text("title: x\n", encoding="utf-8")
        pack = RulePack.objects.create(node=tenants.hospital_a, name="local")
        with pytest.raises(PackError, match="No rule could be loaded"):
            add_version(pack, folder, None)
        assert not RulePackVersion.objects.exists()

    def test_builtin_pack_registered_once(self, tenants: Any) -> None:
        """The built-in hospital pack becomes one global pack with one active version, whoever calls it."""
        first = ensure_builtin_packs()
        again = ensure_builtin_packs()
        assert [v.pk for v in first] == [v.pk for v in again]
        assert first
        assert first[0].pack.node is None
        assert first[0].active
        assert first[0].rule_count > 5

    def test_global_packs_visible_not_changeable(self, tenants: Any, tmp_path: Path) -> None:
        """Everyone with a role sees global packs; only superusers change them; node packs stay in their tenant."""
        global_version = pack_version(tmp_path)
        local = pack_version(tmp_path, tenants.hospital_b, "b rules")
        viewer, admin = tenants.users["viewer"], tenants.users["administrator"]
        assert [global_version.pack.pk] == list(
            RulePack.objects.restrict(viewer, Action.VIEW).values_list("pk", flat=True)
        )
        assert not RulePack.objects.restrict(admin, Action.CHANGE).filter(pk=global_version.pack.pk).exists()
        assert RulePack.objects.restrict(tenants.superuser, Action.CHANGE).filter(pk=global_version.pack.pk).exists()
        assert not RulePackVersion.objects.restrict(admin, Action.VIEW).filter(pk=local.pk).exists()
        assert not RulePack.objects.restrict(tenants.no_role, Action.VIEW).exists()


class TestHunts:
    """Hunts run the real engine in the job runner and raise one alert per new detection."""

    def test_job_end_to_end(self, tenants: Any, tmp_path: Path) -> None:
        """Upload, start a hunt job, run the worker: counts stored, alerts raised, linked to assets, job done."""
        version = pack_version(tmp_path)
        src = source(tenants.hospital_a)
        server = Asset.objects.create(node=tenants.site_a, name="SRV-FILE01", kind="server")
        dc = Asset.objects.create(node=tenants.hospital_a, name="srv-dc01.hopital-a.local", kind="server")
        Asset.objects.create(node=tenants.hospital_b, name="srv-app02", kind="server")  # another tenant: never linked
        upload = _store(src, jsonl(attack_events()))
        hunt = start_hunt(tenants.users["analyst"], src, version, [upload])
        assert (HuntStatus.QUEUED, "detection.hunt") == (hunt.status, hunt.job.kind)
        run_queued_tasks()
        hunt.refresh_from_db()
        hunt.job.refresh_from_db()
        assert (HuntStatus.DONE, "succeeded") == (hunt.status, hunt.job.status)
        assert (1, 4, 0, 3, 0, 3, 3) == (
            hunt.files,
            hunt.events,
            hunt.corrupt,
            hunt.rules_run,
            hunt.rules_skipped,
            hunt.detection_count,
            hunt.new_alert_count,
        )
        alerts = {a.rule_title: a for a in Alert.objects.filter(hunt=hunt)}
        vss = alerts["Shadow copies deleted with vssadmin"]
        assert (server.pk, 3, "SRV-FILE01.hopital-a.local", 1, upload.sha256) == (
            vss.asset_id,
            vss.level,
            vss.computer,
            vss.record_id,
            vss.file_sha256,
        )
        assert vss.event["CommandLine"] == "vssadmin.exe delete shadows /all"
        assert "ransomware" in vss.description
        assert vss.references
        assert alerts["LSASS memory access"].asset_id == dc.pk
        assert alerts["RDP logon between servers"].asset_id is None
        assert {a.node_id for a in alerts.values()} == {tenants.hospital_a.pk}

    def test_rehunt_raises_nothing_new(self, tenants: Any, tmp_path: Path) -> None:
        """Hunting the same file again (even uploaded under another name) duplicates no alert."""
        version = pack_version(tmp_path)
        src = source(tenants.hospital_a)
        upload = _store(src, jsonl(attack_events()))
        execute_hunt(new_hunt(src, version, [upload], None))
        again = execute_hunt(new_hunt(src, version, [_store(src, jsonl(attack_events()), "again.jsonl")], None))
        assert (3, 0) == (again.detection_count, again.new_alert_count)
        assert 3 == Alert.objects.count()

    def test_zip_entries_are_distinct_files(self, tenants: Any, tmp_path: Path) -> None:
        """Two entries of one zip with the same record ids raise their own alerts (entry name in the key)."""
        version = pack_version(tmp_path)
        src = source(tenants.hospital_a)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a/host1.jsonl", jsonl(attack_events("srv-a")))
            archive.writestr("b/host2.jsonl", jsonl(attack_events("srv-b")))
        hunt = execute_hunt(new_hunt(src, version, [_store(src, buffer.getvalue(), "export.zip")], None))
        assert (2, 6, 6) == (hunt.files, hunt.detection_count, hunt.new_alert_count)
        assert {"a/host1.jsonl", "b/host2.jsonl"} == set(Alert.objects.values_list("file_member", flat=True))

    def test_missing_pack_archive_fails_clearly(self, tenants: Any, tmp_path: Path) -> None:
        """A version whose stored rules vanished fails the hunt with a message, and raises no alert."""
        version = pack_version(tmp_path)
        # Another version's archive would be shared by parallel tests: point this one at nothing instead.
        RulePackVersion.objects.filter(pk=version.pk).update(archive_sha256="0" * 64)
        version.refresh_from_db()
        src = source(tenants.hospital_a)
        hunt = new_hunt(src, version, [_store(src, jsonl(attack_events()))], None)
        with pytest.raises(HuntFailedError, match="missing"):
            execute_hunt(hunt)
        hunt.refresh_from_db()
        assert (HuntStatus.FAILED, 0) == (hunt.status, Alert.objects.count())
        assert "missing" in hunt.error

    def test_job_refused_when_requester_lost_the_right(self, tenants: Any, tmp_path: Path) -> None:
        """A queued hunt whose requester may no longer add data fails, and runs nothing."""
        version = pack_version(tmp_path)
        src = source(tenants.hospital_a)
        start_hunt(tenants.users["analyst"], src, version, [_store(src, jsonl(attack_events()))])
        tenants.users["analyst"].is_active = False
        tenants.users["analyst"].save()
        run_queued_tasks()
        assert ("failed", 0) == (Hunt.objects.get().job.status, Alert.objects.count())


class TestWatchedFolders:
    """A watched folder's new files are stored and hunted once."""

    def test_scan_picks_new_files_once(self, tenants: Any, tmp_path: Path) -> None:
        """New files are hunted; an unchanged file is skipped; a touched file with the same content hunts nothing."""
        version = pack_version(tmp_path)
        ensure = RulePackVersion.objects.filter(pk=version.pk)
        assert ensure.exists()
        folder = tmp_path / "watched"
        folder.mkdir()
        (folder / "day1.jsonl").write_bytes(jsonl(attack_events()))
        (folder / "notes.txt").write_text("ignored")
        src = LogSource.objects.create(node=tenants.hospital_a, name="watched", watched_folder=str(folder))
        [(found, hunt, refused)] = scan_watched_folders(wait=True)
        assert (src.pk, [], 3) == (found.pk, refused, hunt.new_alert_count)
        assert [] == scan_watched_folders(wait=True)
        os.utime(folder / "day1.jsonl", (1, 1))
        assert [] == scan_watched_folders(wait=True)
        (folder / "bad.evtx").write_bytes(b"garbage")
        [(_src, hunt, refused)] = scan_watched_folders(wait=True)
        assert hunt is None
        assert "not a Windows event log" in refused[0]
        assert 1 == LogUpload.objects.count()


class TestWorkflow:
    """new -> acknowledged -> false positive | escalated, each step recorded."""

    @pytest.fixture
    def alert(self, tenants: Any, tmp_path: Path) -> Alert:
        version = pack_version(tmp_path)
        src = source(tenants.hospital_a)
        execute_hunt(new_hunt(src, version, [_store(src, jsonl(attack_events()))], None))
        return Alert.objects.order_by("id").first()  # type: ignore[return-value]

    def test_history(self, alert: Alert, tenants: Any) -> None:
        """Every move keeps who, when, from, to, the comment and the incident reference."""
        analyst = tenants.users["analyst"]
        transition(alert, AlertStatus.ACKNOWLEDGED, analyst, comment="looking")
        transition(alert, AlertStatus.ESCALATED, analyst, comment="confirmed", incident_reference="INC-42")
        alert.refresh_from_db()
        assert (AlertStatus.ESCALATED, "INC-42") == (alert.status, alert.incident_reference)
        steps = list(
            AlertEvent.objects.filter(alert=alert)
            .order_by("id")
            .values_list("actor_name", "from_status", "to_status", "comment", "incident_reference")
        )
        assert [
            ("analyst_a", "new", "acknowledged", "looking", ""),
            ("analyst_a", "acknowledged", "escalated", "confirmed", "INC-42"),
        ] == steps

    @pytest.mark.parametrize(
        ("moves", "message"),
        [
            ([AlertStatus.ESCALATED], "reference of the incident"),
            ([AlertStatus.FALSE_POSITIVE, AlertStatus.ESCALATED], "cannot go"),
            ([AlertStatus.NEW], "cannot go"),
            (["closed"], "Unknown status"),
        ],
    )
    def test_refused_moves(self, alert: Alert, tenants: Any, moves: list[str], message: str) -> None:
        """Moves outside the workflow, or an escalation without a reference, are refused and recorded nowhere."""
        *allowed, last = moves
        for move in allowed:
            transition(alert, move, None)
        with pytest.raises(WorkflowError, match=message):
            transition(alert, last, None)
        assert len(allowed) == AlertEvent.objects.count()

    def test_bulk(self, alert: Alert, tenants: Any) -> None:
        """Bulk moves skip the alerts that cannot move; escalation is one at a time."""
        transition(alert, AlertStatus.FALSE_POSITIVE, None)
        moved, skipped = bulk_transition(Alert.objects.all(), AlertStatus.FALSE_POSITIVE, None)
        assert (2, 1) == (moved, skipped)
        with pytest.raises(WorkflowError):
            bulk_transition(Alert.objects.all(), AlertStatus.ESCALATED, None)
