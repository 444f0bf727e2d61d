"""Exercises: tabletop, field test of a continuity plan, restore test, the yearly crisis exercise; their actions."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet


class ExerciseKind(models.TextChoices):
    """Kinds of exercise."""

    TABLETOP = "tabletop", _("Tabletop exercise")
    PCA_FIELD_TEST = "pca_field_test", _("Field test of a continuity plan (PCA)")
    RESTORE_TEST = "restore_test", _("Restore test")
    CRISIS_EXERCISE = "crisis_exercise", _("Yearly cyber crisis exercise")


class ExerciseStatus(models.TextChoices):
    """Lifecycle of an exercise."""

    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


def validate_timings(value: object) -> None:
    """``[{"step": text, "planned_h": hours or null, "measured_h": hours or null}]``."""
    if not isinstance(value, list):
        raise ValidationError(_("A list of timed steps is expected."))
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("step"), str) or not item["step"].strip():
            raise ValidationError(_("Each timed step needs a name."))
        for key in ("planned_h", "measured_h"):
            hours = item.get(key)
            if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0):
                raise ValidationError(_("Step durations are hours, zero or more."))


class ExerciseQuerySet(RestrictedQuerySet):
    """Exercises."""


class Exercise(AuditedModel):
    """An exercise planned or held by a node (an establishment, or a group for a group-wide one).

    ``entities`` are the establishments it covered: for a group with several legal entities, a field
    test must cover entities totalling at least 66 % of the group's activity (CaRE d2.o1.d).
    """

    node = models.ForeignKey(
        "organizations.Node", verbose_name=_("owner node"), on_delete=models.PROTECT, related_name="exercises"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ExerciseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExerciseStatus.choices, default=ExerciseStatus.PLANNED
    )
    planned_on = models.DateField(_("planned on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    entities = models.ManyToManyField(
        "organizations.Node", verbose_name=_("establishments covered"), blank=True, related_name="covering_exercises"
    )
    activities = models.ManyToManyField(
        "inventory.CareActivity", verbose_name=_("activities tested"), blank=True, related_name="exercises"
    )
    timings = models.JSONField(_("timings"), default=list, blank=True, validators=[validate_timings])
    lessons = models.TextField(_("lessons learned"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-planned_on", "-id"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("continuity:exercise_detail", args=[self.pk])


class ExerciseActionQuerySet(RestrictedQuerySet):
    """Exercise actions."""


class ExerciseAction(models.Model):
    """An action decided after an exercise; it lives in the findings register (owner, due date, workflow)."""

    tenant_path_field = "exercise__node__path"

    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"), on_delete=models.CASCADE, related_name="actions")
    finding = models.OneToOneField(
        "findings.Finding", verbose_name=_("finding"), on_delete=models.CASCADE, related_name="exercise_action"
    )

    objects = ExerciseActionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["exercise", "id"]
        verbose_name = _("exercise action")
        verbose_name_plural = _("exercise actions")

    def __str__(self) -> str:
        return str(self.finding)
