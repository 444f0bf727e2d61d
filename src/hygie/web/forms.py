"""Base form for tenant objects: the owner-node choices are restricted to where the user may add."""

from __future__ import annotations

from typing import Any

from django import forms

from hygie.apps.accounts.permissions import Action
from hygie.apps.organizations.models import Node


class TenantModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm whose ``node`` field only offers nodes the user may add data to."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if "node" in self.fields:
            action = Action.CHANGE if self.instance.pk else Action.ADD
            self.fields["node"].queryset = Node.objects.restrict(user, action)  # type: ignore[attr-defined]
