"""``hygie compliance``: compliance frameworks as data (list, show, validate, import a CISO Assistant library)."""

from __future__ import annotations

import importlib
from gettext import gettext as _  # no Django here: the `frameworks` commands read files only
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_NOT_FOUND, fail

if TYPE_CHECKING:
    from hygie.frameworks import Framework

app = typer.Typer(help="Compliance frameworks: CaRE, NIS2, NIS/OSE, ANSSI.", no_args_is_help=True)
frameworks_app = typer.Typer(help="Framework files (our YAML format, CISO Assistant libraries).", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")


def _table(*columns: str, title: str | None = None) -> Table:
    """A table whose cells wrap instead of being cut: ids and check names must be read whole."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _load(path: Path) -> Framework:
    from hygie.frameworks import FrameworkError, load_framework

    if not path.exists():
        fail(_("file not found: %(path)s") % {"path": path}, EXIT_INVALID_INPUT)
    try:
        return load_framework(path)
    except FrameworkError as error:
        fail(str(error), EXIT_INVALID_INPUT)


@frameworks_app.command("list")
def list_frameworks() -> None:
    """The frameworks shipped with Hygie: id, name, version, sections, requirements."""
    from hygie.frameworks import shipped

    table = _table(_("Id"), _("Name"), _("Version"), _("Sections"), _("Requirements"), _("Provisional"))
    for framework in shipped():
        table.add_row(
            framework.id,
            framework.name,
            framework.version,
            str(len(framework.sections)),
            str(len(framework.requirements)),
            _("yes") if framework.provisional else "",
        )
    Console().print(table)


@frameworks_app.command("show")
def show(framework_id: Annotated[str, typer.Argument(help="A shipped framework's id (see `list`).")]) -> None:
    """The requirements of a shipped framework, with the engine checks that give them evidence."""
    from hygie.frameworks import FrameworkError, shipped_framework

    try:
        framework = shipped_framework(framework_id)
    except FrameworkError as error:
        fail(str(error), EXIT_NOT_FOUND)
    table = _table(_("Id"), _("Section"), _("Requirement"), _("Engine checks"), title=framework.name)
    for requirement in framework.requirements:
        table.add_row(requirement.id, requirement.section, requirement.title, "\n".join(requirement.checks))
    Console().print(table)


@frameworks_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="A framework file in Hygie's YAML format.")]) -> None:
    """Check a framework file: the schema, unique ids, and that every engine check it names exists."""
    from hygie.frameworks import unknown_checks

    framework = _load(path)
    unknown = unknown_checks(framework)
    if unknown:
        listed = ", ".join(f"{requirement}: {check}" for requirement, check in unknown)
        fail(_("%(path)s: unknown engine checks: %(checks)s") % {"path": path.name, "checks": listed})
    Console().print(
        _("%(path)s: framework %(id)s is valid (%(count)d requirements).")
        % {"path": path.name, "id": framework.id, "count": len(framework.requirements)}
    )


@frameworks_app.command("import-ciso")
def import_ciso(
    library: Annotated[Path, typer.Argument(help="A CISO Assistant library file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Write the framework in Hygie's format here.")],
    framework_id: Annotated[str | None, typer.Option("--id", help="The framework id to give it.")] = None,
) -> None:
    """Convert a CISO Assistant library into a framework file in Hygie's format."""
    from hygie.frameworks import FrameworkError, import_library

    if not library.exists():
        fail(_("file not found: %(path)s") % {"path": library}, EXIT_INVALID_INPUT)
    try:
        framework = import_library(library, framework_id=framework_id)
    except FrameworkError as error:
        fail(str(error), EXIT_INVALID_INPUT)
    document = framework.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    # Identity fields are written even when they equal a default, so that the file reads on its own.
    document = {"id": framework.id, "name": framework.name, "version": framework.version, **document}
    output.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    Console().print(
        _("%(id)s: %(count)d requirements written to %(path)s")
        % {"id": framework.id, "count": len(framework.requirements), "path": output}
    )


# The platform commands (sync, import, assess, status...) need the database: their module imports
# Django only when one of them runs.
importlib.import_module("hygie.cli.compliance_platform").register(app)
