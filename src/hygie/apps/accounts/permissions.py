"""The one permission choke point: ``RestrictedQuerySet.restrict(user, action)``.

A role is granted on a node of the organisation tree and applies to the node's whole subtree.
Every view, API route, export and CLI command obtains its rows through ``restrict``; nobody
filters by tenant by hand (see docs/development/permissions.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ROLE_ACTIONS", "Action", "RestrictedQuerySet", "Role", "scope_prefixes", "user_can"]


class Action(StrEnum):
    """What a user wants to do with an object."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"


class Role(models.TextChoices):
    """Roles, from the least to the most powerful (auditor is read-only with the audit log)."""

    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")
    ANALYST = "analyst", _("Analyst")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.VIEW_AUDIT}),
    Role.ANALYST: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
    Role.MANAGER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.VIEW_AUDIT}),
    Role.ADMINISTRATOR: frozenset(Action),
}

_CACHE_ATTR = "_hygie_scope_cache"


def _grants(user: Any) -> list[tuple[str, str]]:
    """(role, node path) pairs of a user, read once per user object (i.e. once per request)."""
    cache: dict[str, Any] | None = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if "grants" not in cache:
        from hygie.apps.accounts.models import RoleAssignment

        cache["grants"] = list(
            RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "node__path"),
        )
    return cache["grants"]


def scope_prefixes(user: Any, action: Action | str) -> list[str] | None:
    """Node-path prefixes under which ``user`` may do ``action``; ``None`` means everywhere."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    action = Action(action)
    paths = sorted({path for role, path in _grants(user) if action in ROLE_ACTIONS.get(role, ())})
    # Drop paths already covered by an ancestor path so the SQL stays short.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def forget_scope(user: Any) -> None:
    """Drop the cached grants, after roles changed within one request or command."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def path_q(field: str, prefixes: Iterable[str]) -> Q:
    """``Q`` matching rows whose ``field`` (a node path) lies under one of ``prefixes``."""
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def user_can(user: Any, action: Action | str, node_path: str) -> bool:
    """True when ``user`` may do ``action`` on an object owned by the node at ``node_path``."""
    prefixes = scope_prefixes(user, action)
    return prefixes is None or any(node_path.startswith(p) for p in prefixes)


class RestrictedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """QuerySet of a tenant-owned model; ``restrict`` keeps the rows a user may act on.

    A model sets ``tenant_path_field`` to the lookup reaching the owning node's path
    (``node__path`` for most models, ``path`` for the tree itself).
    """

    def restrict(self, user: Any, action: Action | str = Action.VIEW) -> Self:
        """Rows of this queryset that ``user`` may ``action``."""
        prefixes = scope_prefixes(user, action)
        if prefixes is None:
            return self
        if not prefixes:
            return self.none()
        field: str = getattr(self.model, "tenant_path_field", "node__path")
        return self.filter(path_q(field, prefixes))
