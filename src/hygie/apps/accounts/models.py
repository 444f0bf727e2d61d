"""Users, their roles on organisation nodes, API tokens, the audit log and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet, Role

__all__ = ["ApiToken", "AuditEvent", "LoginFailure", "RoleAssignment", "User"]


class User(AbstractUser):
    """A person using Hygie; what they may see comes only from their role assignments."""

    audit_exclude: tuple[str, ...] = ("password", "last_login")

    class Meta:
        ordering: ClassVar[list[str]] = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")


class RoleAssignmentQuerySet(RestrictedQuerySet):
    """Role assignments, visible to those who manage users on the node."""


class RoleAssignment(AuditedModel):
    """``user`` holds ``role`` on ``node`` and therefore on the node's whole subtree."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["user__username", "node__path"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "node", "role"], name="unique_role_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.node}"


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Tokens; ``authenticate`` turns a presented key into its active token."""

    def authenticate(self, key: str) -> ApiToken | None:
        """The active token whose key is ``key``, or None."""
        token = self.select_related("user").filter(digest=_hash_token(key)).first()
        if token is None or not token.user.is_active:
            return None
        if token.expires and token.expires <= timezone.now():
            return None
        return token


class ApiToken(models.Model):
    """A REST API credential. Only a SHA-256 digest is stored; the key is shown once at creation."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, expires: Any = None) -> tuple[ApiToken, str]:
        """Create a token and return it with its clear key, which is never stored."""
        key = "hyg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:12], digest=_hash_token(key), expires=expires)
        return token, key


class AuditEventQuerySet(RestrictedQuerySet):
    """Audit events; restricted like any tenant data (``view_audit``), never updated nor deleted."""

    def update(self, **kwargs: Any) -> int:
        """Refused: the audit log is append-only."""
        msg = "The audit log is append-only."
        raise PermissionError(msg)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused: the audit log is append-only."""
        msg = "The audit log is append-only."
        raise PermissionError(msg)


class AuditEvent(models.Model):
    """One change to security data. Append-only, enforced here and by database triggers."""

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting a user must not touch (UPDATE) the append-only log.
    actor = models.ForeignKey(User, verbose_name=_("who"), null=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_name = models.CharField(_("who"), max_length=150)
    channel = models.CharField(_("channel"), max_length=16)
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"), null=True)
    changes = models.JSONField(_("changes"), null=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-timestamp", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if self.pk is not None:
            msg = "The audit log is append-only."
            raise PermissionError(msg)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("accounts:audit_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused."""
        msg = "The audit log is append-only."
        raise PermissionError(msg)


class LoginFailure(models.Model):
    """A failed login, kept for throttling: too many for a name or an address locks them a while."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.timestamp}"
