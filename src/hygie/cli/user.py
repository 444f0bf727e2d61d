"""``hygie user ...``: accounts, roles on organisation nodes and API tokens."""

from __future__ import annotations

import sys
from typing import Any

import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    acting,
    console,
    fail,
    resolve_user,
    setup_django,
)

app = typer.Typer(help="User accounts, roles and API tokens.", no_args_is_help=True)


def _user(username: str) -> Any:
    """The user named ``username`` or exit 4."""
    from hygie.apps.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user named {username!r}", EXIT_NOT_FOUND)
    return user


def _role(role: str) -> str:
    """``role`` if it is a known role, else exit 3 listing the valid ones."""
    from hygie.apps.accounts.permissions import Role

    if role not in Role.values:
        fail(f"unknown role {role!r} (choose from {', '.join(Role.values)})", EXIT_INVALID_INPUT)
    return role


def _manageable_node(node_id: int, actor: Any) -> Any:
    """The node if ``actor`` may manage users on it, else exit 4 (others' nodes do not exist)."""
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.organizations.models import Node

    node = Node.objects.restrict(actor, Action.MANAGE_USERS).filter(pk=node_id).first()
    if node is None:
        fail(f"no node with id {node_id}", EXIT_NOT_FOUND)
    return node


def _read_password(password: str | None, from_stdin: bool) -> str:
    if from_stdin:
        # The first line only: `echo secret | hygie user create ...` must not keep the newline.
        return sys.stdin.readline().rstrip("\r\n")
    if password is not None:
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command()
def create(
    username: str = typer.Argument(..., help="Login name."),
    password: str | None = typer.Option(None, help="Password (visible in the shell history: prefer --password-stdin)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    email: str = typer.Option("", help="E-mail address."),
    superuser: bool = typer.Option(False, "--superuser", help="Platform administrator: every right everywhere."),
) -> None:
    """Create a user account (as the local administrator)."""
    setup_django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from hygie.apps.accounts.models import User

    username = username.strip()
    if not username or len(username) > User._meta.get_field("username").max_length:
        fail("the user name must be 1 to 150 characters long", EXIT_INVALID_INPUT)
    if User.objects.filter(username=username).exists():
        fail(f"a user named {username!r} already exists", EXIT_INVALID_INPUT)
    secret = _read_password(password, password_stdin)
    candidate = User(username=username, email=email)
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(secret, candidate)
    except ValidationError as exc:
        fail(" ".join(str(m) for m in exc.messages), EXIT_INVALID_INPUT)
    with acting(None), transaction.atomic():
        if superuser:
            user = User.objects.create_superuser(username=username, email=email, password=secret)
        else:
            user = User.objects.create_user(username=username, email=email, password=secret)
    kind = "superuser" if user.is_superuser else "user"
    console.print(f"Created {kind} {user.username}.", highlight=False)


@app.command("list")
def list_users() -> None:
    """List user accounts with their roles."""
    setup_django()
    from rich.table import Table

    from hygie.apps.accounts.models import RoleAssignment, User

    roles: dict[int, list[str]] = {}
    for assignment in RoleAssignment.objects.select_related("node").order_by("node__path"):
        roles.setdefault(assignment.user_id, []).append(
            f"{assignment.role} @ {assignment.node.name} ({assignment.node_id})",
        )
    table = Table("user", "active", "superuser", "roles")
    for user in User.objects.order_by("username"):
        table.add_row(
            user.username,
            "yes" if user.is_active else "no",
            "yes" if user.is_superuser else "",
            "\n".join(roles.get(user.pk, [])) or "—",
        )
    console.print(table, highlight=False)


@app.command()
def grant(
    username: str = typer.Argument(..., help="User to grant the role to."),
    role: str = typer.Argument(..., help="viewer, auditor, analyst, manager or administrator."),
    node_id: int = typer.Argument(..., help="Node (the role applies to its whole subtree)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (they must manage users there)."),
) -> None:
    """Give a user a role on a node."""
    setup_django()
    from hygie.apps.accounts.models import RoleAssignment

    actor = resolve_user(as_user)
    role = _role(role)
    with acting(actor) as effective:
        user = _user(username)
        node = _manageable_node(node_id, effective)
        _assignment, created = RoleAssignment.objects.get_or_create(user=user, node=node, role=role)
    verb = "Granted" if created else "Already granted:"
    console.print(f"{verb} {role} on {node.name} to {user.username}.", highlight=False)


@app.command()
def revoke(
    username: str = typer.Argument(..., help="User to take the role from."),
    role: str = typer.Argument(..., help="The role to take back."),
    node_id: int = typer.Argument(..., help="Node the role was granted on."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (they must manage users there)."),
) -> None:
    """Take a role on a node back from a user."""
    setup_django()
    from hygie.apps.accounts.models import RoleAssignment

    actor = resolve_user(as_user)
    role = _role(role)
    with acting(actor) as effective:
        user = _user(username)
        node = _manageable_node(node_id, effective)
        assignment = RoleAssignment.objects.filter(user=user, node=node, role=role).first()
        if assignment is None:
            fail(f"{user.username} holds no {role} role on {node.name}", EXIT_NOT_FOUND)
        assignment.delete()  # through the model, so the audit log records it
    console.print(f"Revoked {role} on {node.name} from {user.username}.", highlight=False)


@app.command()
def token(
    username: str = typer.Argument(..., help="Owner of the token (it carries their roles)."),
    name: str = typer.Option(..., help="What the token is for, e.g. 'SIEM export'."),
) -> None:
    """Issue an API token; its key is printed once and never stored."""
    setup_django()
    from hygie.apps.accounts.models import ApiToken

    user = _user(username)
    if not user.is_active:
        fail(f"{username!r} is inactive", EXIT_INVALID_INPUT)
    name = name.strip()
    if not name or len(name) > ApiToken._meta.get_field("name").max_length:
        fail("the token name must be 1 to 100 characters long", EXIT_INVALID_INPUT)
    with acting(None):
        _token, key = ApiToken.issue(user, name)
    console.print(f"API token {name!r} for {user.username} (shown once, keep it safe):", highlight=False)
    # The bare key on its own line, so scripts can take the last line of the output.
    typer.echo(key)
