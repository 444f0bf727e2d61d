"""Rule pack versions: compile an uploaded zip or a folder of Sigma rules once, store it, activate it.

A version is compiled when it is added: what loaded (rule metadata, for the coverage pages) and
what failed (each failure with its reason) are stored with it, and its Sigma files are kept as a
zip named by the pack digest, which is what hunts load later (through the compiled-rule cache).
The built-in packs shipped with the engine become global packs through ``ensure_builtin_packs``,
called by the demo and the CLI; a new release of a built-in pack becomes its next version.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import secrets
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from hygie.apps.accounts.audit import record
from hygie.apps.detection.models import PackRule, RulePack, RulePackVersion, detection_dir

if TYPE_CHECKING:
    from hygie.engines.detection.model import RulePack as EnginePack

__all__ = [
    "PackError",
    "activate",
    "add_version",
    "builtin_packs",
    "ensure_builtin_packs",
    "load_version",
    "rule_cache_dir",
    "upload_pack",
]

logger = logging.getLogger(__name__)

#: Suffixes of Sigma rule files put in a stored pack archive.
RULE_SUFFIXES = (".yml", ".yaml")
#: The engine module that ships the built-in packs.
BUILTIN_MODULE = "hygie.engines.detection.packs"


class PackError(Exception):
    """The rules could not be used: the message says why, for people."""


def rule_cache_dir() -> Path:
    """The engine's compiled-rule cache (keyed by pack digest)."""
    path = detection_dir() / "rule-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def builtin_packs() -> list[tuple[str, Path]]:
    """(name, folder) of every built-in pack the engine ships; empty when the engine ships none."""
    if importlib.util.find_spec(BUILTIN_MODULE) is None:
        return []
    module: Any = importlib.import_module(BUILTIN_MODULE)
    found = []
    for name in getattr(module, "BUILTIN_PACKS", ()):
        path = Path(module.builtin_pack_path(name))
        if path.exists():
            found.append((str(name), path))
    return found


def _store_archive(source: Path) -> Path:
    """Store the rules of ``source`` (a zip as is, a folder zipped with relative names) under their SHA-256.

    The engine's digest covers the rule files' names, so the rules are always compiled from this
    stored copy: the same rules give the same path, hence the same digest, and the hunts that load
    the version later find it in the compiled-rule cache.
    """
    folder = detection_dir() / "packs"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"incoming-{secrets.token_hex(8)}.tmp"
    try:
        if source.is_file():
            shutil.copyfile(source, temporary)
        else:
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                rule_files = (p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in RULE_SUFFIXES)
                for path in sorted(rule_files):
                    # A fixed date: the same rules make the same bytes, hence the same stored file.
                    info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                    archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
        digest = hashlib.sha256()
        with temporary.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        target = folder / f"{digest.hexdigest()}.zip"
        if not target.exists():
            temporary.replace(target)
        return target
    finally:
        temporary.unlink(missing_ok=True)


def _display_path(path: str, root: Path) -> str:
    """A failure's path relative to the pack (never the server's temporary folders)."""
    text = path.replace(f"{root}!", "").replace(f"{root}/", "")
    return text[-500:]


def compile_rules(path: Path) -> EnginePack:
    """Load and compile the rules at ``path`` (a folder, a zip or one file) with the engine."""
    from hygie.engines.detection.rules import load_rules

    if not path.exists():
        raise PackError(_("%(path)s does not exist.") % {"path": path.name})
    return load_rules([path], cache_dir=rule_cache_dir())


def add_version(pack: RulePack, source: Path, user: Any, *, source_name: str = "") -> tuple[RulePackVersion, bool]:
    """Compile ``source`` into a new version of ``pack`` (first version: active); (version, created).

    The same rules as an existing version of the pack give that version back; rules of which not
    one loads are refused (``PackError`` with the first reasons), and nothing is stored.
    """
    if not source.exists():
        raise PackError(_("%(path)s does not exist.") % {"path": source.name})
    try:
        archive = _store_archive(source)
    except OSError as exc:
        raise PackError(_("The rules could not be read: %(error)s") % {"error": exc.strerror or exc}) from exc
    engine_pack = compile_rules(archive)
    if not engine_pack.rules:
        if not RulePackVersion.objects.filter(archive_sha256=archive.stem).exists():
            archive.unlink(missing_ok=True)
        reasons = "; ".join(f"{_display_path(f.path, archive)}: {f.reason}" for f in engine_pack.failures[:3])
        raise PackError(_("No rule could be loaded. %(reasons)s") % {"reasons": reasons or _("No Sigma file found.")})
    existing = pack.versions.filter(digest=engine_pack.digest).first()
    if existing is not None:
        return existing, False
    failures = [
        {"path": _display_path(f.path, archive), "reason": f.reason[:2000], "rule_id": f.rule_id, "title": f.title}
        for f in engine_pack.failures
    ]
    with transaction.atomic():
        number = (pack.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = RulePackVersion(
            pack=pack,
            number=number,
            digest=engine_pack.digest,
            archive_sha256=archive.stem,
            source_name=(source_name or source.name)[:255],
            rule_count=len(engine_pack.rules),
            failure_count=len(failures),
            failures=failures,
            created_by=user if getattr(user, "pk", None) is not None else None,
        )
        version.save()
        PackRule.objects.bulk_create(
            PackRule(
                version=version,
                rule_id=rule.rule_id[:200],
                title=rule.title[:500],
                level=int(rule.level),
                tags=list(rule.tags),
                description=rule.description,
                references=list(rule.references),
            )
            for rule in engine_pack.rules
        )
        if not pack.versions.filter(active=True).exists():
            activate(version)
    return version, True


def activate(version: RulePackVersion) -> None:
    """Make ``version`` the one hunts use for its pack (one active version per pack)."""
    with transaction.atomic():
        RulePackVersion.objects.filter(pack_id=version.pack_id, active=True).exclude(pk=version.pk).update(active=False)
        RulePackVersion.objects.filter(pk=version.pk).update(active=True)
        # Which rules hunt the logs is security configuration: the audit log says who changed it.
        record(
            "detection_pack_activate",
            object_type="detection.RulePackVersion",
            object_id=str(version.pk),
            object_repr=f"{version.pack.name} v{version.number}"[:200],
            after={"active": True, "digest": version.digest},
            node_id=version.pack.node_id,
        )
    version.active = True


def load_version(version: RulePackVersion) -> EnginePack:
    """The engine's pack of a stored version (from the compiled-rule cache when it is warm)."""
    archive = version.archive()
    if not archive.is_file():
        raise PackError(_("The rules of %(version)s are missing from the data folder.") % {"version": version})
    return compile_rules(archive)


def ensure_builtin_packs(user: Any = None) -> list[RulePackVersion]:
    """Register every built-in pack as a global pack; a changed built-in pack becomes its new active version.

    Returns the active version of each built-in pack (empty when the engine ships none).
    """
    versions = []
    for name, path in builtin_packs():
        pack, _created = RulePack.objects.get_or_create(
            node=None,
            name=name,
            defaults={
                "builtin": name,
                "description": _("Built-in %(name)s rules shipped with Hygie.") % {"name": name},
            },
        )
        try:
            version, created = add_version(pack, path, user, source_name=f"hygie:{name}")
        except PackError as exc:
            logger.warning("built-in rule pack %s not registered: %s", name, exc)
            continue
        if created and not version.active:
            activate(version)
        versions.append(version)
    return versions


def upload_pack(
    user: Any, node: Any, name: str, chunks: Any, filename: str, *, description: str = ""
) -> tuple[RulePackVersion, bool]:
    """A zip of Sigma rules as the next version of ``node``'s pack ``name`` (created when new).

    Nothing is stored when the zip is refused (``PackError``).
    """
    from hygie.apps.detection.uploads import max_upload_bytes

    incoming = detection_dir() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    temporary = incoming / f"pack-{secrets.token_hex(12)}.zip"
    try:
        size = 0
        with temporary.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > max_upload_bytes():
                    raise PackError(
                        _("The file is too large (the limit is %(limit)d bytes).") % {"limit": max_upload_bytes()}
                    )
                handle.write(chunk)
        if not zipfile.is_zipfile(temporary):
            raise PackError(_("%(name)s is not a readable zip archive.") % {"name": Path(filename).name[:100]})
        with transaction.atomic():
            pack, created = RulePack.objects.get_or_create(
                node=node, name=name.strip()[:100], defaults={"description": description}
            )
            if not created and description and description != pack.description:
                pack.description = description
                pack.save(update_fields=["description", "updated"])
            return add_version(pack, temporary, user, source_name=Path(filename).name)
    finally:
        temporary.unlink(missing_ok=True)
