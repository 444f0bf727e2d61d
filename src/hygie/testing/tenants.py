"""Two hospital groups side by side, with a user for each role on the first one.

Every permission test uses it: ``tenants.users["manager"]`` holds the manager role on group A;
``tenants.outsider`` is a manager of group B and must never see anything of group A.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.organizations.models import Node, NodeKind

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test fixture


@dataclass
class Tenants:
    """The fixture tree and its users."""

    nation: Node
    region: Node
    group_a: Node
    hospital_a: Node
    site_a: Node
    group_b: Node
    hospital_b: Node
    users: dict[str, Any] = field(default_factory=dict)
    no_role: Any = None
    outsider: Any = None
    superuser: Any = None


def _user(username: str, **extra: Any) -> Any:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def build_tenants() -> Tenants:
    """Create the tree and users (inside the caller's transaction)."""
    nation = Node.objects.create(kind=NodeKind.NATION, name="France")
    region = Node.objects.create(kind=NodeKind.REGION, name="Region Test", parent=nation)
    group_a = Node.objects.create(kind=NodeKind.GROUP, name="GHT A", parent=region)
    hospital_a = Node.objects.create(
        kind=NodeKind.ESTABLISHMENT, name="Hospital A", parent=group_a, finess_ej="750712184",
        category="public", bed_count=500,
    )
    site_a = Node.objects.create(kind=NodeKind.SITE, name="Site A1", parent=hospital_a)
    group_b = Node.objects.create(kind=NodeKind.GROUP, name="GHT B", parent=region)
    hospital_b = Node.objects.create(
        kind=NodeKind.ESTABLISHMENT, name="Hospital B", parent=group_b, finess_ej="010003820",
        category="public", bed_count=300,
    )
    tenants = Tenants(nation, region, group_a, hospital_a, site_a, group_b, hospital_b)
    for role in Role:
        user = _user(f"{role.value}_a")
        RoleAssignment.objects.create(user=user, node=group_a, role=role)
        tenants.users[role.value] = user
    tenants.no_role = _user("nobody")
    tenants.outsider = _user("manager_b")
    RoleAssignment.objects.create(user=tenants.outsider, node=group_b, role=Role.MANAGER)
    tenants.superuser = User.objects.create_superuser(username="root", password=PASSWORD)
    return tenants
