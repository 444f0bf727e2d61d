"""Forms of the accounts app."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import Q

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Action, path_q, scope_prefixes
from hygie.apps.organizations.models import Node


class RoleAssignmentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Grant a role on one of the nodes the current user administers."""

    class Meta:
        model = RoleAssignment
        fields: ClassVar[list[str]] = ["user", "role", "node"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.MANAGE_USERS)
        self.fields["user"].queryset = grantable_users(user)


def grantable_users(administrator: Any) -> Any:
    """Users an administrator may grant roles to.

    Those already holding a role in the administrator's subtree, and accounts holding no role at
    all (just created by the instance administrator). Users known only elsewhere in the tree stay
    invisible: listing them would leak who works in other establishments.
    """
    prefixes = scope_prefixes(administrator, Action.MANAGE_USERS)
    if prefixes is None:
        return User.objects.filter(is_active=True)
    in_scope = RoleAssignment.objects.filter(path_q("node__path", prefixes)).values("user_id")
    return User.objects.filter(is_active=True).filter(Q(pk__in=in_scope) | Q(roles__isnull=True)).distinct()
