"""Forms of the organisation tree."""

from __future__ import annotations

from typing import Any, ClassVar

from hygie.apps.accounts.permissions import Action
from hygie.apps.organizations.models import Node
from hygie.web.forms import TenantModelForm


class NodeForm(TenantModelForm):
    """Create or move a node: the parent must be a node the user may change."""

    class Meta:
        model = Node
        fields: ClassVar[list[str]] = [
            "kind", "name", "short_name", "parent", "finess_ej", "finess_eg", "category", "bed_count",
            "activity_share", "is_ose", "city",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["parent"].queryset = Node.objects.restrict(user, Action.ADD)
