"""The permission choke point."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.permissions import Action
from hygie.apps.organizations.models import Node


class TestRestrict:
    """``restrict`` keeps exactly the subtree where a role grants the action."""

    def test_role_covers_subtree_only(self, tenants: Any) -> None:
        """A viewer of group A sees group A and below, nothing of group B nor above."""
        visible = set(Node.objects.restrict(tenants.users["viewer"], Action.VIEW))
        assert {tenants.group_a, tenants.hospital_a, tenants.site_a} == visible

    def test_viewer_cannot_change(self, tenants: Any) -> None:
        """Viewing does not grant changing."""
        assert not Node.objects.restrict(tenants.users["viewer"], Action.CHANGE).exists()

    def test_no_role_sees_nothing(self, tenants: Any) -> None:
        """A user without role sees nothing."""
        assert not Node.objects.restrict(tenants.no_role, Action.VIEW).exists()

    def test_moving_node_keeps_subtree(self, tenants: Any) -> None:
        """Moving an establishment to another group moves its sites and permissions follow."""
        tenants.hospital_a.parent = tenants.group_b
        tenants.hospital_a.save()
        tenants.site_a.refresh_from_db()
        assert tenants.site_a.path.startswith(tenants.group_b.path)
        assert tenants.site_a in Node.objects.restrict(tenants.outsider, Action.VIEW)
        assert tenants.site_a not in Node.objects.restrict(tenants.users["viewer"], Action.VIEW)
