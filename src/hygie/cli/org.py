"""``hygie org ...``: look at and shape the organisation tree (nation, regions, GHT, establishments)."""

from __future__ import annotations

from typing import Any

import typer

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, acting, console, fail, resolve_user, setup_django

app = typer.Typer(help="The organisation tree.", no_args_is_help=True)

AS_OPTION = typer.Option(None, "--as", help="Act as this user (their roles apply); default: local administrator.")


def _node(node_id: int, user: Any, action: str, what: str = "node") -> Any:
    """The node ``node_id`` if ``user`` may ``action`` it; otherwise exit 4 (never reveal others' nodes)."""
    from hygie.apps.organizations.models import Node

    node = Node.objects.restrict(user, action).filter(pk=node_id).first()
    if node is None:
        fail(f"no {what} with id {node_id}", EXIT_NOT_FOUND)
    return node


def _validation_message(error: Any) -> str:
    """One line per problem of a Django ``ValidationError``."""
    from hygie.web.validation import reasons

    return reasons(error)


def _save(node: Any) -> None:
    """Validate and save ``node``; a validation error exits 3 with its reasons, changing nothing."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    try:
        with transaction.atomic():
            node.full_clean()
            node.save()
    except ValidationError as exc:
        fail(_validation_message(exc), EXIT_INVALID_INPUT)


@app.command()
def tree(as_user: str | None = AS_OPTION) -> None:
    """Print the organisation tree (the part you may see)."""
    setup_django()
    from rich.tree import Tree

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.organizations.models import Node

    user = resolve_user(as_user)
    with acting(user) as effective:
        nodes = list(Node.objects.restrict(effective, Action.VIEW).order_by("path"))
    root = Tree("[bold]Hygie[/]")
    branches: dict[int, Tree] = {}
    for node in nodes:
        # Ordered by path, a parent always comes before its children; a node whose parent is
        # outside the user's scope starts a branch of its own.
        parent = branches.get(node.parent_id, root)
        label = f"{node.name} [dim]({node.get_kind_display()}, id {node.pk}"
        label += f", FINESS {node.finess_ej})[/]" if node.finess_ej else ")[/]"
        branches[node.pk] = parent.add(label, highlight=False)
    if not nodes:
        console.print("No organisation node visible.")
        return
    console.print(root)


@app.command()
def show(node_id: int = typer.Argument(..., help="Node id."), as_user: str | None = AS_OPTION) -> None:
    """Show one node."""
    setup_django()
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action

    user = resolve_user(as_user)
    with acting(user) as effective:
        node = _node(node_id, effective, Action.VIEW)
        ancestors = " › ".join(a.name for a in node.ancestors()) or "—"
        children = node.children.count()
    table = Table(show_header=False, box=None)
    for label, value in [
        ("id", node.pk),
        ("name", node.name),
        ("kind", node.get_kind_display()),
        ("parents", ancestors),
        ("FINESS EJ", node.finess_ej or "—"),
        ("FINESS EG", node.finess_eg or "—"),
        ("category", node.get_category_display() or "—"),
        ("beds", node.bed_count or "—"),
        ("city", node.city or "—"),
        ("children", children),
    ]:
        table.add_row(f"[bold]{label}[/]", str(value))
    console.print(table, highlight=False)


@app.command()
def add(  # noqa: PLR0917 - Typer maps parameters to options
    kind: str = typer.Option(..., help="nation, region, group, establishment or site."),
    name: str = typer.Option(..., help="Name of the node."),
    parent: int | None = typer.Option(None, help="Id of the parent node (all but a nation need one)."),
    finess_ej: str = typer.Option("", "--finess-ej", help="Legal-entity FINESS number (9 characters)."),
    finess_eg: str = typer.Option("", "--finess-eg", help="Geographic-entity FINESS number."),
    as_user: str | None = AS_OPTION,
) -> None:
    """Add a node under a parent."""
    setup_django()
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.organizations.models import Node, NodeKind

    if kind not in NodeKind.values:
        fail(f"unknown kind {kind!r} (choose from {', '.join(NodeKind.values)})", EXIT_INVALID_INPUT)
    user = resolve_user(as_user)
    with acting(user) as effective:
        parent_node = _node(parent, effective, Action.ADD, "parent node") if parent is not None else None
        if parent_node is None and not effective.is_superuser:
            fail("only an administrator of the whole platform can add a root node", EXIT_INVALID_INPUT)
        node = Node(
            kind=kind, name=name.strip(), parent=parent_node, finess_ej=finess_ej.strip(), finess_eg=finess_eg.strip()
        )
        _save(node)
    console.print(f"Added {node.name} (id {node.pk}).", highlight=False)


@app.command()
def move(
    node_id: int = typer.Argument(..., help="Node to move (with its whole subtree)."),
    parent: int = typer.Option(..., help="Id of the new parent node."),
    as_user: str | None = AS_OPTION,
) -> None:
    """Move a node, and everything under it, under another parent."""
    setup_django()
    from hygie.apps.accounts.permissions import Action

    user = resolve_user(as_user)
    with acting(user) as effective:
        node = _node(node_id, effective, Action.CHANGE)
        node.parent = _node(parent, effective, Action.ADD, "parent node")
        _save(node)
    console.print(f"Moved {node.name} under {node.parent.name}.", highlight=False)
