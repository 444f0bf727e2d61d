"""Filters of the audit log and role lists."""

from __future__ import annotations

from typing import ClassVar

from hygie.apps.accounts.models import AuditEvent, RoleAssignment
from hygie.web.filtering import TenantFilterSet


class AuditEventFilterSet(TenantFilterSet):
    """Audit events by action, object type, text."""

    search_fields = ("actor_name", "object_repr", "object_type")

    class Meta:
        model = AuditEvent
        fields: ClassVar[list[str]] = ["action", "object_type", "channel"]


class RoleAssignmentFilterSet(TenantFilterSet):
    """Role assignments by role, text."""

    search_fields = ("user__username", "user__last_name", "node__name")

    class Meta:
        model = RoleAssignment
        fields: ClassVar[list[str]] = ["role"]
