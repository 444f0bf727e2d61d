"""The organisation tree, stored as one table with a materialised path.

The path (``"1.4.17."``: the ids from the root down, each followed by a dot) makes "this node and
everything below it" a single indexed prefix match, which is what every permission check needs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.audit import AuditedModel
from hygie.apps.accounts.permissions import RestrictedQuerySet
from hygie.apps.organizations.finess import validate_finess


class NodeKind(models.TextChoices):
    """Levels of the tree, from the nation down to a site."""

    NATION = "nation", _("Nation")
    REGION = "region", _("Region (ARS)")
    GROUP = "group", _("Hospital group (GHT)")
    ESTABLISHMENT = "establishment", _("Establishment")
    SITE = "site", _("Site")


# Which kinds may hold which: a private clinic belongs to no GHT, so it hangs from its region.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    NodeKind.NATION: frozenset(),
    NodeKind.REGION: frozenset({NodeKind.NATION}),
    NodeKind.GROUP: frozenset({NodeKind.REGION}),
    NodeKind.ESTABLISHMENT: frozenset({NodeKind.GROUP, NodeKind.REGION}),
    NodeKind.SITE: frozenset({NodeKind.ESTABLISHMENT}),
}


class EstablishmentCategory(models.TextChoices):
    """Legal category of an establishment."""

    PUBLIC = "public", _("Public")
    PRIVATE_NON_PROFIT = "private_non_profit", _("Private non-profit")
    PRIVATE_FOR_PROFIT = "private_for_profit", _("Private for-profit")
    MEDICO_SOCIAL = "medico_social", _("Medico-social")


class NodeQuerySet(RestrictedQuerySet):
    """Nodes; ``subtree`` gives a node and all its descendants."""

    def subtree(self, node: Node) -> NodeQuerySet:
        """``node`` and every node below it."""
        return self.filter(path__startswith=node.path)


class Node(AuditedModel):
    """One node of the organisation tree: any node can own data."""

    tenant_path_field: ClassVar[str] = "path"

    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    finess_ej = models.CharField(
        _("FINESS EJ"), max_length=9, blank=True, validators=[validate_finess],
        help_text=_("Legal-entity FINESS number."),
    )
    finess_eg = models.CharField(
        _("FINESS EG"), max_length=9, blank=True, validators=[validate_finess],
        help_text=_("Geographic-entity FINESS number."),
    )
    category = models.CharField(_("category"), max_length=24, choices=EstablishmentCategory.choices, blank=True)
    bed_count = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    activity_share = models.DecimalField(
        _("activity share (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        # xgettext:no-python-format -- "66 % c" is no placeholder: without this, msgfmt rejects "66 %." in French.
        help_text=_("Share of the group's activity, used for the 66 % coverage rules."),
    )
    is_ose = models.BooleanField(_("operator of essential services"), default=False)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["path"]
        verbose_name = _("organisation node")
        verbose_name_plural = _("organisation nodes")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["finess_ej"], condition=~models.Q(finess_ej=""), name="unique_finess_ej",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Detail page of this node."""
        return reverse("organizations:node_detail", args=[self.pk])

    @property
    def node(self) -> Node:
        """A node owns itself: lets generic code treat nodes like any tenant object."""
        return self

    def clean(self) -> None:
        """Check the node sits under a parent of an allowed kind."""
        super().clean()
        allowed = ALLOWED_PARENTS.get(self.kind, frozenset())
        if self.parent is None and allowed:
            raise ValidationError({"parent": _("A %(kind)s needs a parent.") % {"kind": self.get_kind_display()}})
        if self.parent is not None and self.parent.kind not in allowed:
            raise ValidationError(
                {"parent": _("A %(kind)s cannot sit under a %(parent)s.") % {
                    "kind": self.get_kind_display(), "parent": self.parent.get_kind_display(),
                }},
            )
        if self.pk and self.parent is not None and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A node cannot move under itself or its descendants.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, computing the path; a changed parent moves the whole subtree."""
        with transaction.atomic():
            old_path = None
            if self.pk:
                old_path = type(self).objects.filter(pk=self.pk).values_list("path", flat=True).first()
            super().save(*args, **kwargs)
            new_path = f"{self.parent.path if self.parent else ''}{self.pk}."
            if new_path != self.path:
                self.path = new_path
                self.depth = new_path.count(".") - 1
                type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
                if old_path and old_path != new_path:
                    self._move_descendants(old_path, new_path)

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        # One UPDATE rewrites every descendant path; data hang from node ids, so nothing else moves.
        shift = new_path.count(".") - old_path.count(".")
        type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
            depth=F("depth") + shift,
        )

    def lineage_paths(self) -> list[str]:
        """Paths of the root, every ancestor and this node (``"1.4.17."`` -> ``"1."``, ``"1.4."``, ``"1.4.17."``).

        What a query needs to reach data owned above a node (a group's shared systems, scenarios, roles).
        """
        parts = [part for part in self.path.split(".") if part]
        return [".".join(parts[: index + 1]) + "." for index in range(len(parts))]

    def ancestors(self) -> list[Node]:
        """Nodes from the root down to the parent of this node."""
        ids = [int(part) for part in self.path.split(".") if part][:-1]
        by_id = {n.pk: n for n in Node.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]
