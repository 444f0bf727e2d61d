"""Models of the organisation tree."""

from hygie.apps.organizations.models.nodes import EstablishmentCategory, Node, NodeKind

__all__ = ["EstablishmentCategory", "Node", "NodeKind"]
