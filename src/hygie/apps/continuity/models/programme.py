"""A node's continuity programme: the governance facts CaRE domain 2 asks for beyond the model itself."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet


class ContinuityProgrammeQuerySet(RestrictedQuerySet):
    """Continuity programmes."""


class ContinuityProgramme(AuditedModel):
    """Governance of continuity and recovery for one node (CaRE d2.p1, d2.p2, d2.o1.a-b, d2.o2.a, d2.o4).

    The share of the group's activity the 66 % rule weighs is the node's own ``activity_share``.
    """

    node = models.OneToOneField(
        "organizations.Node", verbose_name=_("node"), on_delete=models.CASCADE, related_name="continuity_programme"
    )
    security_policy_signed_on = models.DateField(_("security policy (PSSI) signed on"), null=True, blank=True)
    security_policy_reviewed_on = models.DateField(_("security policy last reviewed on"), null=True, blank=True)
    plan_owner = models.CharField(_("continuity plan owner"), max_length=150, blank=True)
    organisation = models.TextField(_("organisation of the continuity and recovery plan"), blank=True)
    governance = models.TextField(_("governance scheme"), blank=True)
    crisis_procedures = models.TextField(
        _("cyber crisis procedures"),
        blank=True,
        help_text=_('Cyber risks in the "plan blanc", the crisis cell, reporting.'),
    )
    plan_blanc_covers_cyber = models.BooleanField(_('the "plan blanc" covers cyber risks'), default=False)
    backup_policy_validated_on = models.DateField(_("backup and restore policy validated on"), null=True, blank=True)
    business_referent = models.CharField(_("business referent for functional tests"), max_length=150, blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ContinuityProgrammeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["node__path"]
        verbose_name = _("continuity programme")
        verbose_name_plural = _("continuity programmes")

    def __str__(self) -> str:
        return str(self.node)
