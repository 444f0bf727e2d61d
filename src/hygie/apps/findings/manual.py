"""Findings recorded by hand (source ``manual``, check id ``manual.<slug>``): an audit, a pentest report..."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hygie.apps.findings.models import Finding, FindingEvent, FindingStatus
from hygie.apps.organizations.models import Node
from hygie.engines._core import AffectedObject, FindingFormatError, Severity
from hygie.engines._core import Finding as EngineFinding

__all__ = ["MANUAL_SOURCE", "create_manual_finding"]

MANUAL_SOURCE = "manual"
_SLUG_RE = re.compile(r"[a-z0-9_]{1,100}")
_TITLE_MAX = 300


def _validated(node: Node, *, slug: str, severity: str | int, asset: Any, texts: dict[str, str]) -> Severity:
    """The parsed severity; ``ValidationError`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    level = Severity.INFO
    if not _SLUG_RE.fullmatch(slug):
        errors["slug"] = [_("Use lower-case letters, digits and underscores (e.g. weak_wifi_key).")]
    try:
        level = Severity.parse(severity)
    except ValueError as exc:
        errors["severity"] = [str(exc)]
    if asset is not None and not node.path.startswith(asset.node.path) and not asset.node.path.startswith(node.path):
        errors["asset"] = [_("The asset must belong to the finding's node or to its branch of the tree.")]
    if len(texts.get("title", "")) > _TITLE_MAX:
        errors["title"] = [_("The title is longer than %(max)d characters.") % {"max": _TITLE_MAX}]
    for name, text in texts.items():
        if "\x00" in text:
            errors[name] = [_("Text cannot contain NUL characters.")]
    if errors:
        raise ValidationError(errors)
    return level


def create_manual_finding(
    node: Node,
    *,
    actor: Any,
    slug: str,
    title: str,
    severity: str | int,
    affected: str = "",
    remediation: str = "",
    asset: Any = None,
    due_date: dt.date | None = None,
) -> Finding:
    """Create an open manual finding; ``ValidationError`` (nothing stored) on bad input or a duplicate."""
    level = _validated(node, slug=slug, severity=severity, asset=asset,
                       texts={"title": title, "affected": affected, "remediation": remediation})
    objects = []
    if asset is not None:
        objects.append(AffectedObject("asset", asset.name, str(asset.pk)))
    if affected.strip():
        objects.append(AffectedObject("object", affected.strip()))
    try:
        contract = EngineFinding(check_id=f"{MANUAL_SOURCE}.{slug}", title=title, severity=level,
                                 affected=tuple(objects))
    except FindingFormatError as exc:
        raise ValidationError({"title": [str(exc)]}) from exc
    try:
        with transaction.atomic():
            finding = Finding.objects.create(
                node=node, source=MANUAL_SOURCE, check_id=contract.check_id, fingerprint=contract.fingerprint,
                title=title.strip(), severity=int(level), affected=[o.to_dict() for o in objects],
                remediation=remediation, asset=asset, due_date=due_date,
            )
            FindingEvent.objects.create(finding=finding, actor=actor if getattr(actor, "pk", None) else None,
                                        actor_name=getattr(actor, "username", "") or "system",
                                        to_status=FindingStatus.OPEN, comment=_("Recorded by hand."))
    except IntegrityError as exc:
        raise ValidationError({"slug": [_("This finding is already recorded on this node.")]}) from exc
    return finding
