"""Training sessions (classroom, e-learning module, exercise) and their pseudonymised completions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.awareness.models.staff import StaffCategory


class SessionKind(models.TextChoices):
    """Forms of training."""

    CLASSROOM = "classroom", _("Classroom session")
    ELEARNING = "elearning", _("E-learning module")
    EXERCISE = "exercise", _("Exercise")


class TrainingSessionQuerySet(RestrictedQuerySet):
    """Training sessions."""


class TrainingSession(AuditedModel):
    """A session or module; imports match sessions by title within the importing node."""

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices, default=SessionKind.ELEARNING)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path", "title"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["node", "title"], name="awareness_session_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("awareness:session_detail", args=[self.pk])


class TrainingCompletionQuerySet(RestrictedQuerySet):
    """Training completions."""


class TrainingCompletion(models.Model):
    """One person completed one session; the person is a keyed hash of their e-mail, never a name.

    The row belongs to the person's establishment (``node``), which lies under the session's node.
    Imports write completions in bulk and log one audit event per import.
    """

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="completions"
    )
    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("establishment"), on_delete=models.CASCADE,
        related_name="training_completions",
    )
    person = models.CharField(_("person (pseudonym)"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=StaffCategory.choices)
    completed_on = models.DateField(_("completed on"))

    objects = TrainingCompletionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-completed_on", "id"]
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["session", "person"], name="awareness_completion_once"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["node", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.person[:12]} · {self.session_id} · {self.completed_on}"
