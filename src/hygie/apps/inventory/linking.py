"""Which inventory objects may be linked together (application → assets, activity → applications).

Links never cross a hospital group (GHT): an application of group A cannot run on an asset of
group B, even for a regional user who sees both. The "link scope" of a node is the subtree of its
group; a node outside any group (a private clinic under its region) links within its establishment;
a node above groups links within its own subtree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hygie.apps.accounts.permissions import Action
from hygie.apps.organizations.models import Node, NodeKind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

__all__ = ["link_scope_paths", "linkable"]


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.split(".") if part]


def link_scope_paths(nodes: Iterable[Node]) -> dict[int, str]:
    """Node id → path prefix of the subtree its objects may link within (one query for all)."""
    nodes = list(nodes)
    ids = {i for node in nodes for i in _ancestor_ids(node.path)}
    kinds = dict(Node.objects.filter(pk__in=ids).values_list("pk", "kind"))
    result: dict[int, str] = {}
    for node in nodes:
        chain = _ancestor_ids(node.path)
        scope = node.path
        for wanted in (NodeKind.GROUP, NodeKind.ESTABLISHMENT):
            hits = [i for i in chain if kinds.get(i) == wanted]
            if hits:
                cut = chain.index(hits[0]) + 1
                scope = "".join(f"{i}." for i in chain[:cut])
                break
        result[node.pk] = scope
    return result


def linkable(model: type[Any], user: Any, node: Node | None) -> QuerySet[Any]:
    """Objects of ``model`` the user may view and, when ``node`` is known, within its link scope."""
    qs = model.objects.restrict(user, Action.VIEW).select_related("node")
    if node is None:
        return qs
    return qs.filter(node__path__startswith=link_scope_paths([node])[node.pk])
