"""Start Django for CLI commands and turn expected errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Iterator

console = Console()
err_console = Console(stderr=True)

#: Exit codes shared by every command (documented in docs/user-guide/first-steps.md).
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_NOT_FOUND = 4
EXIT_PERMISSION = 5


def setup_django() -> None:
    """Configure Django once; commands call it before touching models."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hygie.web.settings")
    import django

    django.setup()


def fail(message: str, code: int = EXIT_INVALID_INPUT) -> NoReturn:
    """Print an error (no traceback) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def resolve_user(username: str | None) -> Any:
    """The user a command acts as: ``--as`` or ``HYGIE_USER``; None means the local administrator.

    Commands run on the server by whoever can read its database; naming a user makes them obey
    that user's roles through the same choke point as the web and the API.
    """
    setup_django()
    from hygie.apps.accounts.models import User

    username = username or os.environ.get("HYGIE_USER")
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"no active user named {username!r}", EXIT_NOT_FOUND)
    return user


def find_node(effective: Any, text: str) -> Any:
    """The node named by id, FINESS (EJ or EG), name or short name among those ``effective`` sees.

    Exits 4 when none matches and 2 when several do (the message lists them with their ids).
    """
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.organizations.models import Node

    text = text.strip()
    query = Q(name=text) | Q(short_name=text)
    if text:
        query |= Q(finess_ej=text) | Q(finess_eg=text)
    if text.isdigit() and len(text) < 19:  # noqa: PLR2004 - beyond 18 digits it cannot be a row id
        query |= Q(pk=int(text))
    found = list(Node.objects.restrict(effective, Action.VIEW).filter(query).order_by("path")[:10])
    if not found:
        fail(_("no node with id, FINESS or name %(text)r") % {"text": text[:80]}, EXIT_NOT_FOUND)
    if len(found) > 1:
        names = ", ".join(f"{node.pk} ({node.name})" for node in found)
        fail(_("%(text)r names several nodes: %(names)s; give the id") % {"text": text, "names": names}, EXIT_USAGE)
    return found[0]


def require_on(effective: Any, action: Any, node: Any, what: str) -> None:
    """Exit 5 unless ``effective`` may do ``action`` on ``node``; ``what`` says what, translated."""
    from django.utils.translation import gettext as _

    from hygie.apps.accounts.permissions import user_can

    if not user_can(effective, action, node.path):
        fail(_("you may not %(what)s on %(node)s") % {"what": what, "node": node}, EXIT_PERMISSION)


@contextlib.contextmanager
def acting(user: Any) -> Iterator[Any]:
    """Attribute changes to ``user`` (or the CLI) in the audit log; yields the effective user."""
    from hygie.apps.accounts.audit import acting_as

    effective = user if user is not None else _cli_superuser()
    with acting_as(user, "cli"):
        yield effective


class _LocalAdministrator:
    """Stands for the operator at the server's console: may see and do everything."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    username = "cli"


def _cli_superuser() -> Any:
    return _LocalAdministrator()


def is_tty() -> bool:
    """True when the output is a terminal (progress bars only then)."""
    return sys.stdout.isatty()


class BarProgress:
    """The engines' ``Progress`` protocol drawn as Rich progress bars, one bar per phase."""

    def __init__(self, bars: Any) -> None:
        self._bars = bars
        self._task: Any = None

    def start(self, label: str, total: int | None = None) -> None:
        """A new bar for a new phase."""
        self._task = self._bars.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        """Move the current bar."""
        if self._task is not None:
            self._bars.advance(self._task, amount)

    def log(self, message: str) -> None:
        """A line above the bars."""
        self._bars.console.print(message, highlight=False)


@contextlib.contextmanager
def progress_bars() -> Iterator[Any]:
    """Bars on standard error when the output is a terminal, nothing when piped (scripts stay clean)."""
    from hygie.engines._core.progress import NullProgress

    if not is_tty():
        yield NullProgress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bars:
        yield BarProgress(bars)
