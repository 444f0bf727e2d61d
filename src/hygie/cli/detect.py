"""``hygie detect``: hunt with Sigma rules over Windows event logs and JSON logs, check rule packs."""

from __future__ import annotations

import sys
from gettext import gettext as _  # no Django here: these commands run without settings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from hygie.cli import detect_platform
from hygie.cli.context import EXIT_INVALID_INPUT, EXIT_USAGE, err_console, fail, progress_bars

if TYPE_CHECKING:
    from collections.abc import Callable

    from hygie.engines.detection.hunt import HuntResult
    from hygie.engines.detection.model import Level, RulePack

app = typer.Typer(help="Log detection: Sigma rules over event logs.", no_args_is_help=True)
rules_app = typer.Typer(help="Sigma rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
detect_platform.register(app)

_HUNT_FORMATS = ("json", "csv", "html")
_ENGINES = ("duckdb", "spark")

OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write the results to this file.")]


def _choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        fail(
            _("unknown %(what)s %(value)r; expected %(choices)s")
            % {"what": what, "value": value, "choices": ", ".join(choices)},
            EXIT_USAGE,
        )


def _existing(paths: list[Path], what: str) -> None:
    """Exit 3 naming the first path that does not exist (before any work starts)."""
    for path in paths:
        if not path.exists():
            fail(_("%(what)s not found: %(path)s") % {"what": what, "path": path}, EXIT_INVALID_INPUT)


def _level(value: str | None) -> Level | None:
    from hygie.engines.detection.model import Level

    if value is None:
        return None
    try:
        return Level.parse(value)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)


def _builtin(paths: list[Path]) -> list[Path]:
    """``builtin:NAME`` arguments replaced by the folder of that built-in pack; exit 2 on an unknown name."""
    from hygie.engines.detection.packs import BUILTIN_PACKS, BUILTIN_PREFIX, builtin_pack_path

    resolved = []
    for path in paths:
        text = str(path)
        if not text.startswith(BUILTIN_PREFIX):
            resolved.append(path)
            continue
        name = text.removeprefix(BUILTIN_PREFIX)
        try:
            resolved.append(builtin_pack_path(name))
        except ValueError:
            fail(
                _("unknown built-in rule pack %(name)r; expected %(choices)s")
                % {"name": name, "choices": ", ".join(f"{BUILTIN_PREFIX}{p}" for p in BUILTIN_PACKS)},
                EXIT_USAGE,
            )
    return resolved


def _load(paths: list[Path], cache_dir: Path | None) -> RulePack:
    from hygie.engines.detection.rules import load_rules

    paths = _builtin(paths)
    _existing(paths, _("rules"))
    try:
        return load_rules(paths, cache_dir=cache_dir)
    except (OSError, ValueError) as error:
        fail(str(error), EXIT_INVALID_INPUT)


def _summary(result: HuntResult) -> None:
    """The hunt's figures on standard error, so standard output stays the results alone."""
    figures = {
        _("files"): result.read.files,
        _("events"): result.read.events,
        _("corrupt"): result.read.corrupt,
        _("rules run"): result.rules_run,
        _("rules skipped"): len(result.rules_skipped),
        _("detections"): result.found,
        _("events/s"): f"{result.events_per_second:,.0f}",
    }
    err_console.print("  ".join(f"{name}: {value}" for name, value in figures.items()), highlight=False)
    for error in result.read.errors:
        err_console.print(
            _("read error: %(error)s") % {"error": error}, style="yellow", highlight=False, soft_wrap=True
        )


@app.command("hunt")
def hunt_command(  # noqa: PLR0917 - Typer maps one parameter per option
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="EVTX or JSON-lines files, folders, zips.")],
    rules: Annotated[
        list[Path], typer.Option("--rules", help="Sigma rules: a file, folder, zip or builtin:hospital (repeatable).")
    ],
    engine: Annotated[str, typer.Option("--engine", help="duckdb (this machine) or spark.")] = "duckdb",
    output_format: Annotated[str, typer.Option("--format", help="json (lines), csv or html.")] = "json",
    output: OutputOption = None,
    min_level: Annotated[
        str | None, typer.Option("--min-level", help="informational, low, medium, high or critical.")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only rules with this id or title substring (repeatable).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only rules with this tag, e.g. attack.t1003.")] = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Compiled-rule cache folder.")] = None,
    threads: Annotated[int, typer.Option("--threads", min=1, help="DuckDB threads.")] = 2,
) -> None:
    """Run Sigma rules over logs; detections go to standard output or -o, a summary to standard error."""
    from hygie.engines.detection.hunt import hunt
    from hygie.engines.detection.output import render, write_stream
    from hygie.engines.detection.spool import TimelineSpool

    _choice(engine, _ENGINES, _("engine"))
    _choice(output_format, _HUNT_FORMATS, _("format"))
    level = _level(min_level)
    _existing(paths, _("log path"))
    pack = _load(rules, cache_dir)
    if not pack.rules:
        fail(
            _("no rule could be loaded (%(count)d failures); see `hygie detect rules check`")
            % {"count": len(pack.failures)},
            EXIT_INVALID_INPUT,
        )
    if engine == "spark" or output_format == "html":
        with progress_bars() as progress:
            if engine == "spark":
                result = _hunt_spark(paths, pack, level, rule or (), tag or (), threads, progress)
            else:
                result = hunt(
                    paths,
                    pack,
                    min_level=level,
                    rule_ids=rule or (),
                    tags=tag or (),
                    threads=threads,
                    progress=progress,
                )
        _write(output, lambda out: out.write(render(result, output_format)))
        _summary(result)
        return
    # JSON lines and CSV stream: detections go to a spool (sorted runs on disk past a bound) and
    # come back as one merged timeline, so memory stays flat whatever the hunt finds.
    with TimelineSpool() as spool:
        with progress_bars() as progress:
            result = hunt(
                paths,
                pack,
                min_level=level,
                rule_ids=rule or (),
                tags=tag or (),
                threads=threads,
                progress=progress,
                sink=spool.add,
            )
        _write(output, lambda out: write_stream(spool, output_format, out))
    _summary(result)


def _write(output: Path | None, writer: Callable[[IO[str]], object]) -> None:
    """Run ``writer`` on the output file (or standard output); exit 3 when the file cannot be written."""
    if output is None:
        writer(sys.stdout)
        sys.stdout.flush()
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            writer(out)
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}, EXIT_INVALID_INPUT)


def _hunt_spark(  # noqa: PLR0917 - the hunt's options, passed through
    paths: list[Path], pack: RulePack, level: Level | None, rule: Any, tag: Any, threads: int, progress: Any
) -> HuntResult:
    """The same hunt on Apache Spark (local mode): the logs become Parquet, the rules Spark SQL."""
    try:
        from hygie.engines.detection.spark import hunt_spark
    except ImportError:
        fail(_("the Spark engine needs PySpark: install hygie[spark]"), EXIT_USAGE)
    try:
        return hunt_spark(paths, pack, min_level=level, rule_ids=rule, tags=tag, threads=threads, progress=progress)
    except RuntimeError as error:
        fail(_("Spark could not start: %(error)s") % {"error": error}, EXIT_USAGE)


@rules_app.command("check")
def check_command(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Sigma rules: files, folders, zips or builtin:hospital.")
    ],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Compiled-rule cache folder.")] = None,
) -> None:
    """Which rules load and which do not, and why; exits 1 when none loads."""
    _choice(output_format, ("table", "json"), _("format"))
    pack = _load(paths, cache_dir)
    if output_format == "json":
        data = {
            "loaded": [
                {"rule_id": r.rule_id, "title": r.title, "level": r.level.name.lower(), "path": r.path}
                for r in pack.rules
            ],
            "failed": [
                {"rule_id": f.rule_id, "title": f.title, "path": f.path, "reason": f.reason} for f in pack.failures
            ],
        }
        typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        console = Console(width=160)
        table = Table(title=_("Rules"))
        for header in (_("Status"), _("Level"), _("Id"), _("Title"), _("Reason")):
            table.add_column(header, overflow="fold")
        for loaded in pack.rules:
            table.add_row(_("ok"), loaded.level.name.lower(), loaded.rule_id, loaded.title, "")
        for failure in pack.failures:
            table.add_row(_("failed"), "", failure.rule_id, failure.title or failure.path, failure.reason)
        console.print(table)
        console.print(
            _("%(loaded)d rules load, %(failed)d do not") % {"loaded": len(pack.rules), "failed": len(pack.failures)},
            highlight=False,
        )
    if not pack.rules:
        raise typer.Exit(1)
