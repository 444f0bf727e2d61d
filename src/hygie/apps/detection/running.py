"""Hunts run as background jobs (or synchronously from the CLI and the demo) and raise alerts.

A hunt runs the engine over files of one log source with one rule pack version. Each detection
becomes an alert, unless the same rule already matched the same record of the same file on that
source (hunting a file again raises nothing new). An alert names the inventory asset whose host
name matches the event's computer (case-insensitive, short name or FQDN) in the source's subtree.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import record
from hygie.apps.accounts.models import User
from hygie.apps.accounts.permissions import Action
from hygie.apps.detection.models import (
    Alert,
    Hunt,
    HuntStatus,
    LogSource,
    LogUpload,
    PackRule,
    RulePack,
    RulePackVersion,
)
from hygie.apps.detection.packs import PackError, load_version
from hygie.apps.detection.uploads import ingest_watched
from hygie.apps.jobs.runner import start_job
from hygie.engines._core import NullProgress, Progress

if TYPE_CHECKING:
    import datetime as dt

    from hygie.engines.detection.hunt import HuntResult
    from hygie.engines.detection.model import Detection

__all__ = [
    "HuntFailedError",
    "default_version",
    "execute_hunt",
    "new_hunt",
    "run_hunt",
    "scan_watched_folders",
    "start_hunt",
    "store_detections",
]

logger = logging.getLogger(__name__)

HUNT_TARGET = "hygie.apps.detection.running.run_hunt"
#: The pack hunts use when none is named (the built-in hospital pack).
DEFAULT_PACK = "hospital"
#: Alerts written per INSERT.
BATCH = 500


class HuntFailedError(Exception):
    """The hunt could not run: the message says why, for people."""


def default_version(user: Any, name: str | None = None) -> RulePackVersion | None:
    """The active version of the pack ``name`` (else the built-in hospital pack, else any active pack) ``user`` sees."""
    versions = RulePackVersion.objects.restrict(user, Action.VIEW).filter(active=True).select_related("pack")
    if name:
        return versions.filter(pack__name=name).order_by("pack__node_id").first()
    return (
        versions.filter(pack__builtin=DEFAULT_PACK).first()
        or versions.filter(pack__node__isnull=True).first()
        or versions.first()
    )


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) is not None else None


def new_hunt(source: LogSource, version: RulePackVersion, uploads: list[LogUpload], user: Any) -> Hunt:
    """A queued hunt of ``uploads`` (all of the source's files when empty) with ``version``."""
    hunt = Hunt.objects.create(node_id=source.node_id, source=source, pack_version=version, created_by=_user(user))
    hunt.uploads.set(uploads or list(source.uploads.all()))
    return hunt


def start_hunt(user: Any, source: LogSource, version: RulePackVersion, uploads: list[LogUpload]) -> Hunt:
    """Queue a hunt as a job (callers checked the right to add data on the source's node)."""
    hunt = new_hunt(source, version, uploads, user)
    job = start_job(
        node=source.node,
        kind="detection.hunt",
        label=_("Hunt: %(source)s") % {"source": source.name},
        user=user,
        target=HUNT_TARGET,
        hunt_id=hunt.pk,
        user_id=getattr(user, "pk", None),
    )
    Hunt.objects.filter(pk=hunt.pk).update(job=job)
    hunt.job = job
    return hunt


def _fail(hunt: Hunt, message: str) -> None:
    Hunt.objects.filter(pk=hunt.pk).update(status=HuntStatus.FAILED, error=message[:5000], finished=timezone.now())
    hunt.status = HuntStatus.FAILED
    hunt.error = message[:5000]


def execute_hunt(hunt: Hunt, progress: Progress | None = None) -> Hunt:
    """Run the engine for ``hunt`` and store its alerts; ``HuntFailedError`` (stored on the hunt) on failure."""
    from hygie.engines.detection.hunt import hunt as run_engine

    progress = progress or NullProgress()
    hunt.status = HuntStatus.RUNNING
    hunt.started = timezone.now()
    Hunt.objects.filter(pk=hunt.pk).update(status=hunt.status, started=hunt.started)
    version = hunt.pack_version
    if version is None:
        _fail(hunt, _("The rule pack version of this hunt was deleted."))
        raise HuntFailedError(hunt.error)
    uploads = list(hunt.uploads.all())
    paths = [upload.path() for upload in uploads if upload.path().is_file()]
    if not paths:
        _fail(hunt, _("This hunt has no file to read."))
        raise HuntFailedError(hunt.error)
    try:
        pack = load_version(version)
        result = run_engine(paths, pack, progress=progress)
    except PackError as exc:
        _fail(hunt, str(exc))
        raise HuntFailedError(hunt.error) from exc
    except Exception:
        _fail(hunt, _("The hunt failed unexpectedly; the administrators find the details in the log."))
        raise
    store_detections(hunt, result, uploads)
    progress.log(
        _("%(events)d events read in %(files)d files; %(detections)d detections, %(new)d new alerts.")
        % {"events": hunt.events, "files": hunt.files, "detections": hunt.detection_count, "new": hunt.new_alert_count}
    )
    return hunt


def _plain(value: Any) -> Any:
    """JSON-ready event fields (text for anything else), NUL characters removed (PostgreSQL refuses them)."""
    data = orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
    return _without_nul(data)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


class AssetMatcher:
    """Inventory assets of a subtree by host name: full name and short name, case-insensitive."""

    def __init__(self, node_path: str) -> None:
        from hygie.apps.inventory.models import Asset

        self.by_name: dict[str, int] = {}
        for pk, name in Asset.objects.filter(node__path__startswith=node_path).order_by("id").values_list("id", "name"):
            lowered = name.strip().lower()
            if lowered:
                self.by_name.setdefault(lowered, pk)
                self.by_name.setdefault(lowered.split(".", 1)[0], pk)

    def match(self, computer: str) -> int | None:
        """The asset named ``computer`` (FQDN or short name), or None."""
        lowered = computer.strip().lower()
        if not lowered:
            return None
        return self.by_name.get(lowered) or self.by_name.get(lowered.split(".", 1)[0])


def _file_of(detection: Detection, stored: dict[str, LogUpload]) -> tuple[LogUpload | None, str]:
    """The upload a detection's file belongs to, and the archive entry (``path!entry`` for zip files)."""
    path, _sep, member = detection.file.partition("!")
    return stored.get(path), member[:500]


def store_detections(hunt: Hunt, result: HuntResult, uploads: list[LogUpload]) -> Hunt:
    """Store the engine's figures on ``hunt`` (done) and one alert per new detection, in one transaction."""
    stored = {str(upload.path()): upload for upload in uploads}
    version = hunt.pack_version
    rules: dict[str, PackRule] = {}
    if version is not None:
        rules = {rule.rule_id: rule for rule in PackRule.objects.filter(version=version)}
    matcher = AssetMatcher(hunt.source.node.path)
    alerts = []
    for detection in result.detections:
        upload, member = _file_of(detection, stored)
        if upload is None:
            logger.warning("hunt %s: detection in an unknown file %s", hunt.pk, detection.file)
            continue
        rule = rules.get(detection.rule_id)
        alerts.append(
            Alert(
                node_id=hunt.node_id,
                source_id=hunt.source_id,
                hunt=hunt,
                asset_id=matcher.match(detection.computer),
                rule_id=detection.rule_id[:200],
                rule_title=detection.rule_title[:500],
                level=int(detection.level),
                tags=list(detection.tags),
                description=rule.description if rule else "",
                references=list(rule.references) if rule else [],
                timestamp=detection.timestamp,
                computer=_without_nul(detection.computer)[:255],
                channel=_without_nul(detection.channel)[:255],
                event_id=detection.event_id,
                record_id=detection.record_id,
                file_sha256=upload.sha256,
                file_member=member,
                event=_plain(detection.event),
            )
        )
    now = timezone.now()
    with transaction.atomic():
        before = Alert.objects.filter(source_id=hunt.source_id).count()
        # The unique constraint (source, rule, file, entry, record) drops what an earlier hunt raised.
        for start in range(0, len(alerts), BATCH):
            Alert.objects.bulk_create(alerts[start : start + BATCH], ignore_conflicts=True)
        created = Alert.objects.filter(source_id=hunt.source_id).count() - before
        hunt.files = result.read.files
        hunt.events = result.read.events
        hunt.corrupt = result.read.corrupt
        hunt.read_errors = [_display_error(message, stored) for message in result.read.errors[:100]]
        hunt.rules_run = result.rules_run
        hunt.rules_skipped = len(result.rules_skipped)
        hunt.seconds = round(result.seconds, 3)
        hunt.detection_count = result.found
        hunt.new_alert_count = created
        hunt.status = HuntStatus.DONE
        hunt.finished = now
        hunt.error = ""
        hunt.save()
        LogSource.objects.filter(pk=hunt.source_id).update(last_ingested_at=now)
        record(
            "detection_hunt",
            object_type="detection.Hunt",
            object_id=str(hunt.pk),
            object_repr=str(hunt)[:200],
            after={"detections": hunt.detection_count, "new_alerts": created, "events": hunt.events},
            node_id=hunt.node_id,
        )
    return hunt


def _display_error(message: str, stored: dict[str, LogUpload]) -> str:
    """A read error naming the file people sent, not its storage path."""
    for path, upload in stored.items():
        message = message.replace(path, upload.name)
    return message[:1000]


def _allowed_hunt(hunt_id: int, user_id: int | None) -> Hunt:
    """The queued hunt, when whoever asked may still add data on its node (watched folders: the scheduler asked)."""
    hunt = Hunt.objects.select_related("node", "source", "source__node", "pack_version").filter(pk=hunt_id).first()
    if hunt is None:
        raise PermissionError(_("This hunt no longer exists."))
    if user_id is None:
        if hunt.created_by_id is None:
            return hunt
        raise PermissionError(_("This hunt names nobody who asked for it."))
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise PermissionError(_("The person who asked for this hunt no longer has an active account."))
    if not Hunt.objects.restrict(user, Action.ADD).filter(pk=hunt_id).exists():
        raise PermissionError(_("The person who asked for this hunt may no longer add data to its node."))
    return hunt


def run_hunt(*, progress: Progress, hunt_id: int, user_id: int | None) -> dict[str, Any]:
    """Job target: run a queued hunt and store its alerts."""
    hunt = _allowed_hunt(hunt_id, user_id)
    execute_hunt(hunt, progress)
    return {
        "hunt": hunt.pk,
        "events": hunt.events,
        "detections": hunt.detection_count,
        "new_alerts": hunt.new_alert_count,
    }


def scan_watched_folders(
    now: dt.datetime | None = None, *, wait: bool = False
) -> list[tuple[LogSource, Hunt | None, list[str]]]:
    """Take the new files of every enabled source's watched folder and hunt them with the default pack.

    Queued as jobs for the worker (the periodic hook), or run here with ``wait`` (the CLI). Returns,
    per source with something new or refused: (source, hunt or None, messages of refused files).
    """
    outcome = []
    sources = LogSource.objects.select_related("node").filter(enabled=True).exclude(watched_folder="")
    for source in sources.order_by("id"):
        new, refused = ingest_watched(source, now)
        hunt = None
        if new:
            version = _scheduler_version(source)
            if version is None:
                refused.append(_("No active rule pack: the new files were stored, not hunted."))
            elif wait:
                hunt = new_hunt(source, version, new, None)
                try:
                    execute_hunt(hunt)
                except HuntFailedError as exc:
                    refused.append(str(exc))
            else:
                hunt = start_hunt(None, source, version, new)
        if new or refused:
            outcome.append((source, hunt, refused))
    return outcome


def _scheduler_version(source: LogSource) -> RulePackVersion | None:
    """The pack a watched folder is hunted with: the built-in hospital pack, else a pack of the source's subtree."""
    versions = RulePackVersion.objects.filter(active=True).select_related("pack")
    builtin = versions.filter(pack__builtin=DEFAULT_PACK, pack__node__isnull=True).first()
    if builtin is not None:
        return builtin
    ancestors = [
        p
        for p in RulePack.objects.filter(node__isnull=False).select_related("node")
        if source.node.path.startswith(p.node.path)
    ]
    return versions.filter(pack__in=ancestors).first() or versions.filter(pack__node__isnull=True).first()
