"""Compliance stored in the platform (needs the database): sync, import, assess, status, evidence, gaps, export.

Mounted directly under ``hygie compliance`` beside the file commands (``frameworks ...``). Every
command goes through the same permission choke point and services as the web UI and the API; the
user is ``--as`` (or ``HYGIE_USER``), else the local administrator. A node is named by its id,
its FINESS (EJ or EG) or its exact name; a framework by its id (``care_d2``), the node's latest
assessment of it being the one used.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from hygie.cli.context import (
    EXIT_INVALID_INPUT,
    EXIT_NOT_FOUND,
    EXIT_PERMISSION,
    EXIT_USAGE,
    acting,
    console,
    fail,
    find_node,
    resolve_user,
)

if TYPE_CHECKING:
    from hygie.apps.compliance.models import Assessment, RequirementAssessment

__all__ = ["register"]


def _(message: str) -> str:
    """Translate a message (Django is set up by then)."""
    from django.utils.translation import gettext

    return gettext(message)


AsOpt = typer.Option(
    None, "--as", "--user", help="Act as this user (default: HYGIE_USER, else the local administrator)."
)
NodeOpt = typer.Option(..., "--node", help="Node: id, FINESS or exact name.")
FrameworkOpt = typer.Option(..., "--framework", help="Framework id (see `hygie compliance frameworks list`).")

evidence_app = typer.Typer(help="Evidence of a requirement.", no_args_is_help=True)




def _may(effective: Any, action: Any, node: Any) -> None:
    from hygie.apps.accounts.permissions import user_can

    if not user_can(effective, action, node.path):
        fail(_("you may not do this on %(node)s") % {"node": node}, EXIT_PERMISSION)


def _messages(error: Any) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(map(str, texts))}" for field, texts in error.message_dict.items())
    return " ".join(map(str, error.messages))


def _assessment(effective: Any, node_text: str, key: str, action: Any = None) -> Assessment:
    """The node's latest assessment of framework ``key``; exit 4 when there is none."""
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.models import Assessment

    node = find_node(effective, node_text)
    assessment = (
        Assessment.objects.restrict(effective, Action.VIEW)
        .filter(node=node, framework__key=key)
        .select_related("node", "framework")
        .order_by("-framework__created", "-pk")
        .first()
    )
    if assessment is None:
        fail(
            _("%(node)s has no assessment of %(key)s (start one with `hygie compliance assess`)")
            % {"node": node, "key": key},
            EXIT_NOT_FOUND,
        )
    if action is not None:
        _may(effective, action, node)
    return assessment


def _item(assessment: Assessment, ref: str) -> RequirementAssessment:
    from hygie.apps.compliance.models import RequirementAssessment

    item = (
        RequirementAssessment.objects.filter(assessment=assessment, requirement__ref=ref)
        .select_related("requirement", "assessment__node")
        .first()
    )
    if item is None:
        fail(_("%(key)s has no requirement %(ref)r") % {"key": assessment.framework.key, "ref": ref}, EXIT_NOT_FOUND)
    return item


def _owner(node: Any, username: str) -> Any:
    from hygie.apps.accounts.models import User
    from hygie.apps.accounts.permissions import Action, user_can

    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None or not user_can(owner, Action.VIEW, node.path):
        fail(_("no active user %(name)r with a role on %(node)s") % {"name": username, "node": node}, EXIT_NOT_FOUND)
    return owner


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(_("%(text)r is not a date (YYYY-MM-DD)") % {"text": text[:40]}, EXIT_USAGE)


def sync_command() -> None:
    """Store the frameworks shipped with Hygie in the platform (new versions only; safe to run again)."""
    from hygie.cli.context import setup_django

    setup_django()
    from hygie.apps.compliance.catalogue import sync_shipped

    with acting(None):
        stored = sync_shipped()
    for framework in stored:
        console.print(f"{framework.key}\t{framework.version}\t{framework.pk}", highlight=False)


def import_command(
    path: Path = typer.Argument(..., help="A framework file: Hygie's YAML format or a CISO Assistant library."),
    node: str = NodeOpt,
    as_user: str | None = AsOpt,
) -> None:
    """Import a framework file for a node (the same file again gives the stored framework back)."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.catalogue import MAX_UPLOAD_BYTES, read_framework_upload, store_framework
    from hygie.frameworks import FrameworkError

    try:
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            fail(_("%(path)s is larger than %(size)d MiB") % {"path": path, "size": MAX_UPLOAD_BYTES // 2**20})
        data = path.read_bytes()
    except OSError as error:
        fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror or error})
    with acting(user) as effective:
        target = find_node(effective, node)
        _may(effective, Action.ADD, target)
        try:
            framework = read_framework_upload(data, path.name)
        except FrameworkError as error:
            fail(str(error), EXIT_INVALID_INPUT)
        stored = store_framework(framework, target, user)
    console.print(
        _("%(key)s %(version)s stored (id %(id)d, %(count)d requirements)")
        % {"key": stored.key, "version": stored.version, "id": stored.pk, "count": stored.requirements.count()},
        highlight=False,
    )


def assess_command(node: str = NodeOpt, framework: str = FrameworkOpt, as_user: str | None = AsOpt) -> None:
    """Open a node's assessment of a framework (its latest stored version) with measures refreshed."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.catalogue import sync_shipped
    from hygie.apps.compliance.models import Framework
    from hygie.apps.compliance.scoring import maturity
    from hygie.apps.compliance.services import open_assessment

    with acting(user) as effective:
        target = find_node(effective, node)
        _may(effective, Action.ADD, target)
        sync_shipped()  # the shipped versions of this release exist before they are looked up
        stored = (
            Framework.objects.restrict(effective, Action.VIEW)
            .filter(key=framework)
            .order_by("-created", "-pk")
            .first()
        )
        if stored is None:
            fail(_("no framework %(key)r (see `hygie compliance frameworks list`)") % {"key": framework},
                 EXIT_NOT_FOUND)
        try:
            assessment = open_assessment(target, stored, user)
        except ValidationError as error:
            fail(_messages(error), EXIT_INVALID_INPUT)
        score = maturity(assessment).score
    console.print(
        _("Assessment %(id)d of %(node)s against %(key)s opened; %(count)d requirements measured.")
        % {"id": assessment.pk, "node": target, "key": framework,
           "count": assessment.items.exclude(measure="").count()},
        highlight=False,
    )
    console.print(_("Score: %(score)s") % {"score": "-" if score is None else score}, highlight=False)


def status_command(
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    output_format: str = typer.Option("table", "--format", help="table or json."),
    as_user: str | None = AsOpt,
) -> None:
    """Status, measure, owner and due date of every requirement of a node's assessment."""
    user = resolve_user(as_user)
    if output_format not in {"table", "json"}:
        fail(_("--format is table or json"), EXIT_USAGE)
    from hygie.apps.compliance.exporting import assessment_rows
    from hygie.apps.compliance.scoring import maturity

    with acting(user) as effective:
        assessment = _assessment(effective, node, framework)
        rows = assessment_rows(assessment)
        scores = maturity(assessment)
    if output_format == "json":
        document = {"assessment_id": assessment.pk, "maturity": scores.to_dict(), "requirements": rows}
        sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from rich.table import Table

    table = Table(title=f"{assessment.framework.name} - {assessment.node}")
    for header in (_("Requirement"), _("Status"), _("Measure"), _("Owner"), _("Due date")):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(row["ref"], row["status_label"], row["measure_label"] if row["measure"] else "-",
                      row["owner"] or "-", row["due_date"] or "-")
    console.print(table)
    score = "-" if scores.score is None else str(scores.score)
    if scores.level is None:
        console.print(_("Score: %(score)s") % {"score": score}, highlight=False)
    else:
        console.print(_("Score: %(score)s, level %(level)d") % {"score": score, "level": scores.level},
                      highlight=False)


def refresh_command(node: str = NodeOpt, framework: str = FrameworkOpt, as_user: str | None = AsOpt) -> None:
    """Refresh the measures of a node's assessment from the engines' latest runs."""
    user = resolve_user(as_user)
    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.measures import refresh

    with acting(user) as effective:
        assessment = _assessment(effective, node, framework, Action.CHANGE)
        changed = refresh(assessment)
    console.print(_("%(count)d measures changed.") % {"count": changed}, highlight=False)


def set_command(  # noqa: PLR0917 - typer passes options by keyword; one per field a person sets
    ref: str = typer.Argument(..., help="Requirement id (as in the framework)."),
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    status: str | None = typer.Option(None, "--status", help="not_assessed, not_met, partial, met, not_applicable."),
    reason: str = typer.Option("", "--reason", help="Why the requirement does not apply (not_applicable)."),
    comment: str = typer.Option("", "--comment", help="A comment kept in the history."),
    owner: str | None = typer.Option(None, "--owner", help="User name of the owner."),
    due: str | None = typer.Option(None, "--due", help="Due date, YYYY-MM-DD."),
    as_user: str | None = AsOpt,
) -> None:
    """Set a requirement's status (and owner, due date, comment); the change is kept in its history."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.services import UNCHANGED, set_status

    due_date = _date(due)
    with acting(user) as effective:
        assessment = _assessment(effective, node, framework, Action.CHANGE)
        item = _item(assessment, ref)
        owner_user = _owner(assessment.node, owner) if owner else UNCHANGED
        try:
            event = set_status(item, user, status=status, reason=reason or item.reason, comment=comment,
                               owner=owner_user, due_date=due_date or UNCHANGED)
        except ValidationError as error:
            fail(_messages(error), EXIT_INVALID_INPUT)
    if event is None:
        console.print(_("%(ref)s: nothing changed.") % {"ref": ref}, highlight=False)
    else:
        console.print(_("%(ref)s: %(status)s") % {"ref": ref, "status": item.get_status_display()}, highlight=False)


def confirm_command(
    ref: str | None = typer.Argument(None, help="Requirement id; or --all-measured."),
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    all_measured: bool = typer.Option(False, "--all-measured", help="Confirm every measure not confirmed yet."),
    as_user: str | None = AsOpt,
) -> None:
    """Take the engines' measure as the status (passing: met, mixed: partial, failing: not met)."""
    user = resolve_user(as_user)
    if (ref is None) == (not all_measured):
        fail(_("give a requirement id or --all-measured, not both nor neither"), EXIT_USAGE)
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.models import RequirementAssessment
    from hygie.apps.compliance.services import confirm_measure

    with acting(user) as effective:
        assessment = _assessment(effective, node, framework, Action.CHANGE)
        if ref is not None:
            items = [_item(assessment, ref)]
        else:
            items = [item for item in RequirementAssessment.objects.filter(assessment=assessment).exclude(measure="")
                     .select_related("requirement") if item.needs_review]
        try:
            with transaction.atomic():
                for item in items:
                    confirm_measure(item, user)
        except ValidationError as error:
            fail(_messages(error), EXIT_INVALID_INPUT)
    console.print(_("%(count)d measures confirmed.") % {"count": len(items)}, highlight=False)


def evidence_add_command(  # noqa: PLR0917 - typer passes options by keyword
    ref: str = typer.Argument(..., help="Requirement id."),
    path: Path = typer.Argument(..., help="The file: PDF, PNG, JPEG, text, CSV, DOCX, XLSX, ODT, ODS or ZIP."),
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    title: str = typer.Option("", "--title", help="Title of the evidence (default: the file name)."),
    note: str = typer.Option("", "--note", help="A note."),
    as_user: str | None = AsOpt,
) -> None:
    """Attach a file as evidence of a requirement."""
    user = resolve_user(as_user)
    from django.core.exceptions import ValidationError
    from django.core.files import File

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.services import add_file_evidence

    if not path.is_file():
        fail(_("file not found: %(path)s") % {"path": path}, EXIT_INVALID_INPUT)
    with acting(user) as effective:
        assessment = _assessment(effective, node, framework, Action.CHANGE)
        item = _item(assessment, ref)
        try:
            with path.open("rb") as handle:
                evidence = add_file_evidence(item, user, File(handle, name=path.name), title=title, note=note)
        except ValidationError as error:
            fail(_messages(error), EXIT_INVALID_INPUT)
        except OSError as error:
            fail(_("cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror or error})
    console.print(_("Evidence %(id)d added to %(ref)s.") % {"id": evidence.pk, "ref": ref}, highlight=False)


def gaps_command(  # noqa: PLR0917 - typer passes options by keyword
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    plan: bool = typer.Option(False, "--plan", help="Put the gaps in the findings register."),
    owner: str | None = typer.Option(None, "--owner", help="Owner of the findings (--plan)."),
    due: str | None = typer.Option(None, "--due", help="Due date of the findings, YYYY-MM-DD (--plan)."),
    as_user: str | None = AsOpt,
) -> None:
    """Requirements not met, partially met or not assessed; ``--plan`` puts them in the findings register."""
    user = resolve_user(as_user)
    if not plan and (owner or due):
        fail(_("--owner and --due go with --plan"), EXIT_USAGE)
    from rich.table import Table

    from hygie.apps.accounts.permissions import Action
    from hygie.apps.compliance.gaps import create_remediation, gap_list

    due_date = _date(due)
    with acting(user) as effective:
        assessment = _assessment(effective, node, framework, Action.ADD if plan else None)
        gaps = gap_list(assessment)
        findings = []
        if plan:
            owner_user = _owner(assessment.node, owner) if owner else None
            findings = create_remediation(assessment, user, [gap.item for gap in gaps], owner=owner_user,
                                          due_date=due_date)
    table = Table(title=_("Gaps of %(name)s") % {"name": assessment})
    for header in (_("Requirement"), _("Section"), _("Status"), _("Measure"), _("Owner"), _("Due date")):
        table.add_column(header, overflow="fold")
    for gap in gaps:
        table.add_row(gap.ref, gap.section, gap.status, gap.measure or "-", gap.owner or "-",
                      gap.due_date.isoformat() if gap.due_date else "-")
    console.print(table)
    if plan:
        console.print(_("%(count)d findings in the register.") % {"count": len(findings)}, highlight=False)


def export_command(
    node: str = NodeOpt,
    framework: str = FrameworkOpt,
    output_format: str = typer.Option("csv", "--format", help="csv, json or pdf."),
    output: Path = typer.Option(..., "-o", "--output", help="Write to this file."),
    as_user: str | None = AsOpt,
) -> None:
    """Write a node's assessment as CSV, JSON or PDF."""
    user = resolve_user(as_user)
    if output_format not in {"csv", "json", "pdf"}:
        fail(_("--format is csv, json or pdf"), EXIT_USAGE)
    from hygie.apps.compliance import exporting

    with acting(user) as effective:
        assessment = _assessment(effective, node, framework)
        if output_format == "csv":
            data = exporting.assessment_csv(assessment).encode("utf-8")
        elif output_format == "json":
            data = orjson.dumps(exporting.assessment_json(assessment), option=orjson.OPT_INDENT_2)
        else:
            data = exporting.assessment_pdf(assessment)
    try:
        output.write_bytes(data)
    except OSError as error:
        fail(_("cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror or error})
    console.print(_("Written to %(path)s") % {"path": output}, highlight=False)


def rollup_command(node: str = NodeOpt, framework: str = FrameworkOpt, as_user: str | None = AsOpt) -> None:
    """A framework over a node and its establishments: score and level per node, then the mean."""
    user = resolve_user(as_user)
    from rich.table import Table

    from hygie.apps.compliance.scoring import rollup

    with acting(user) as effective:
        result = rollup(effective, find_node(effective, node), framework)
    refs = [ref for ref, _title, _title_fr in result.sections]
    table = Table(title=f"{framework} - {result.node}")
    for header in (_("Node"), _("Score"), *refs):
        table.add_column(header, overflow="fold")
    for row in result.rows:
        score = row.maturity.score if row.maturity else None
        table.add_row(row.node.name, "-" if score is None else str(score),
                      *["-" if value is None else str(value) for value in row.section_scores(refs)])
    console.print(table)
    console.print(_("Mean of the establishments: %(score)s") % {"score": "-" if result.score is None else result.score},
                  highlight=False)


def register(parent: typer.Typer) -> None:
    """Mount the platform commands directly under ``parent`` (``hygie compliance assess ...``)."""
    parent.command("sync")(sync_command)
    parent.command("import")(import_command)
    parent.command("assess")(assess_command)
    parent.command("status")(status_command)
    parent.command("refresh")(refresh_command)
    parent.command("set")(set_command)
    parent.command("confirm")(confirm_command)
    parent.command("gaps")(gaps_command)
    parent.command("export")(export_command)
    parent.command("rollup")(rollup_command)
    evidence_app.command("add")(evidence_add_command)
    parent.add_typer(evidence_app, name="evidence")
