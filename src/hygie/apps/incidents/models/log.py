"""The crisis log ("main courante"): time-stamped entries, append-only, corrected only by new entries.

Three locks keep it append-only: the queryset refuses ``update`` and ``delete``, the model refuses
to save an existing row or delete one, and database triggers (migration 0002) refuse UPDATE and
DELETE even from raw SQL. ``uid`` makes an entry the same entry in the central database and in
every offline copy, so that merging copies neither loses nor duplicates one.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.incidents.models.incidents import Incident, not_in_future

APPEND_ONLY = "The crisis log is append-only: correct an entry with a new entry."


class LogEntryKind(models.TextChoices):
    """What an entry records."""

    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")
    COMMUNICATION = "communication", _("Communication")
    OBSERVATION = "observation", _("Observation")
    CORRECTION = "correction", _("Correction")


class LogEntryQuerySet(RestrictedQuerySet):
    """Crisis-log entries; never updated nor deleted."""

    def update(self, **kwargs: Any) -> int:
        """Refused: the crisis log is append-only."""
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused: the crisis log is append-only."""
        raise PermissionError(APPEND_ONLY)


class LogEntry(models.Model):
    """One entry of the crisis log.

    ``occurred_at`` is when the thing happened (said by the author, never in the future);
    ``recorded_at`` is when it was written down, on the machine that wrote it. ``origin`` names
    the offline copy an entry was written on ("" on the central server).
    """

    tenant_path_field = "incident__node__path"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # PROTECT: an incident with a log cannot be deleted, so the log never loses an entry by cascade.
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="log_entries")
    kind = models.CharField(_("kind"), max_length=16, choices=LogEntryKind.choices)
    occurred_at = models.DateTimeField(_("when"), validators=[not_in_future])
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    author_name = models.CharField(_("author"), max_length=150)
    corrects = models.ForeignKey("self", verbose_name=_("corrects"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    origin = models.CharField(_("written on"), max_length=100, blank=True,
                              help_text=_("The offline copy this entry was written on; empty: the central server."))

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["occurred_at", "recorded_at", "id"]
        verbose_name = _("crisis-log entry")
        verbose_name_plural = _("crisis-log entries")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused."""
        raise PermissionError(APPEND_ONLY)
