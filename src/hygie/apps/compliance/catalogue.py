"""Storing frameworks: the shipped files (global) and files imported by a node (ours or CISO Assistant).

A stored :class:`~hygie.apps.compliance.models.Framework` is a copy of one validated framework
document; its ``digest`` (SHA-256 of the canonical JSON of the document) makes storing the same
file twice a no-op, so ``sync_shipped`` can run at every start and a CISO re-importing a library
gets the row they already have.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from hygie.apps.compliance.models import (
    Framework,
    FrameworkOrigin,
    FrameworkRequirement,
    FrameworkSection,
)
from hygie.frameworks import FrameworkError, framework_from_library, shipped, validate_framework
from hygie.frameworks.yaml_reader import read_yaml_text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie import frameworks
    from hygie.apps.organizations.models import Node

__all__ = [
    "MAX_UPLOAD_BYTES",
    "digest_of",
    "document_of",
    "framework_document",
    "read_framework_upload",
    "store_framework",
    "sync_shipped",
]

#: Largest framework file accepted from an upload: real libraries weigh a few hundred KiB.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def document_of(framework: frameworks.Framework) -> dict[str, Any]:
    """The framework as plain JSON data (what is stored in ``Framework.document``)."""
    return framework.model_dump(mode="json", exclude_none=True)


def digest_of(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a document (sorted keys, no blanks): the file's identity."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def framework_document(stored: Framework) -> frameworks.Framework:
    """The validated framework back from a stored row (for its levels, tree and checks)."""
    return validate_framework(stored.document, f"framework {stored.key} {stored.version}")


def _create(framework: frameworks.Framework, document: dict[str, Any], digest: str, **fields: Any) -> Framework:
    """Create the row, its sections and its requirements, in file order."""
    stored = Framework.objects.create(
        key=framework.id,
        name=framework.name,
        name_fr=framework.name_fr or "",
        version=framework.version,
        digest=digest,
        document=document,
        provisional=framework.provisional,
        **fields,
    )
    sections = FrameworkSection.objects.bulk_create(
        FrameworkSection(
            framework=stored,
            ref=section.id,
            title=section.title[:500],
            title_fr=(section.title_fr or "")[:500],
            parent_ref=section.parent or "",
            order=index,
        )
        for index, section in enumerate(framework.sections)
    )
    by_ref = {section.ref: section for section in sections}
    FrameworkRequirement.objects.bulk_create(
        FrameworkRequirement(
            framework=stored,
            section=by_ref[requirement.section],
            ref=requirement.id,
            title=requirement.title[:500],
            title_fr=(requirement.title_fr or "")[:500],
            description=requirement.description or "",
            description_fr=requirement.description_fr or "",
            parent_ref=requirement.parent or "",
            level=requirement.level,
            checks=list(requirement.checks),
            provisional=requirement.provisional,
            order=index,
        )
        for index, requirement in enumerate(framework.requirements)
    )
    return stored


def _store(framework: frameworks.Framework, node: Node | None, user: Any, origin: str) -> Framework:
    document = document_of(framework)
    digest = digest_of(document)
    existing = Framework.objects.filter(key=framework.id, digest=digest, node=node).first()
    if existing is not None:
        return existing
    imported_by = user if getattr(user, "pk", None) is not None else None
    try:
        with transaction.atomic():
            return _create(framework, document, digest, origin=origin, node=node, imported_by=imported_by)
    except IntegrityError:
        # Stored at the same time by another process (two workers starting): use that row.
        return Framework.objects.get(key=framework.id, digest=digest, node=node)


def sync_shipped(only: Iterable[str] | None = None) -> list[Framework]:
    """Store every shipped framework version not stored yet (global rows); the rows of the shipped files.

    ``only`` limits it to these framework ids (tests, a quick start).
    """
    wanted = set(only) if only is not None else None
    return [
        _store(framework, None, None, FrameworkOrigin.SHIPPED)
        for framework in shipped()
        if wanted is None or framework.id in wanted
    ]


def store_framework(framework: frameworks.Framework, node: Node, user: Any) -> Framework:
    """Store a framework imported by ``node``; the same document imported again gives the existing row."""
    return _store(framework, node, user, FrameworkOrigin.IMPORTED)


def read_framework_upload(data: bytes, name: str) -> frameworks.Framework:
    """Read an uploaded framework file: our YAML format or a CISO Assistant library, recognised by content.

    Raises :class:`~hygie.frameworks.FrameworkError` with a message naming the file: too large, not
    UTF-8, malformed YAML, or not a valid framework.
    """
    origin = (name or "upload").replace("\n", " ")[-100:]
    if len(data) > MAX_UPLOAD_BYTES:
        msg = f"{origin}: file is {len(data)} bytes, more than the {MAX_UPLOAD_BYTES} allowed for a framework"
        raise FrameworkError(msg)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FrameworkError(f"{origin}: not UTF-8 text (byte {error.start})") from None
    document = read_yaml_text(text, origin)
    # A CISO Assistant library has a URN and its content under "objects"; ours has neither.
    if isinstance(document, dict) and "objects" in document and "urn" in document:
        return framework_from_library(document, origin)
    if isinstance(document, dict) and "requirements" not in document and "objects" in document:
        msg = f"{origin}: not a CISO Assistant library (its top level needs a 'urn' and 'objects')"
        raise FrameworkError(msg)
    return validate_framework(document, origin)
