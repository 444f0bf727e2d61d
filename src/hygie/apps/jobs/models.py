"""A ``Job`` is the tenant-scoped, user-visible face of a background task.

django-tasks stores the queue; a Job adds who started it, for which node, its progress and its
log, so the UI can show status and the permission choke point applies to it like to any data.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import RestrictedQuerySet


class JobStatus(models.TextChoices):
    """Lifecycle of a job."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobQuerySet(RestrictedQuerySet):
    """Jobs."""


class Job(models.Model):
    """A unit of background work with progress and a log."""

    node = models.ForeignKey("organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE,
                             related_name="jobs")
    kind = models.CharField(_("kind"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=200, blank=True)
    log = models.TextField(_("log"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        """Detail page."""
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def percent(self) -> int | None:
        """Progress in percent when the total is known."""
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        """Succeeded or failed."""
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}
