"""Forms of the accounts app."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from hygie.apps.accounts.models import RoleAssignment
from hygie.apps.accounts.permissions import Action
from hygie.apps.organizations.models import Node


class RoleAssignmentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Grant a role on one of the nodes the current user administers."""

    class Meta:
        model = RoleAssignment
        fields: ClassVar[list[str]] = ["user", "role", "node"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.MANAGE_USERS)
