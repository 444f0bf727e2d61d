"""Hunt results as JSON lines, CSV, or a self-contained HTML report (issue 5, item 4).

Event fields come from the logs an attacker may have written: the HTML report escapes every value
and loads nothing from outside the page.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from typing import IO, TYPE_CHECKING

import orjson

from hygie.engines.detection.model import Level

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hygie.engines.detection.hunt import HuntResult
    from hygie.engines.detection.model import Detection

__all__ = ["CSV_COLUMNS", "FORMATS", "render", "to_csv", "to_html", "to_json_lines", "write_stream"]

FORMATS = ("json", "csv", "html")

#: Flat columns of the CSV form, then ``event`` as JSON text.
CSV_COLUMNS = (
    "timestamp",
    "level",
    "rule_id",
    "rule_title",
    "tags",
    "computer",
    "channel",
    "event_id",
    "file",
    "record_id",
    "event",
)


def to_json_lines(detections: Iterable[Detection]) -> str:
    """One detection per line (``Detection.to_dict``), each line a JSON object."""
    buffer = io.StringIO()
    write_stream(detections, "json", buffer)
    return buffer.getvalue()


def to_csv(detections: Iterable[Detection]) -> str:
    """A header then one row per detection; tags joined by ``;``, the event as JSON text."""
    buffer = io.StringIO()
    write_stream(detections, "csv", buffer)
    return buffer.getvalue()


def write_stream(detections: Iterable[Detection], output_format: str, out: IO[str]) -> int:
    """Write ``json`` (lines) or ``csv`` to ``out`` one detection at a time; how many were written."""
    if output_format == "json":
        count = 0
        for detection in detections:
            out.write(orjson.dumps(detection.to_dict()).decode() + "\n")
            count += 1
        return count
    if output_format != "csv":
        raise ValueError(f"cannot stream {output_format!r}; expected json or csv")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for detection in detections:
        count += 1
        data = detection.to_dict()
        writer.writerow(
            [
                data["timestamp"] or "",
                data["level"],
                data["rule_id"],
                data["rule_title"],
                ";".join(data["tags"]),
                data["computer"],
                data["channel"],
                "" if data["event_id"] is None else data["event_id"],
                data["file"],
                data["record_id"],
                orjson.dumps(data["event"]).decode(),
            ]
        )
    return count


_STYLE = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:2em}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eee}
.critical{background:#f8d0d0}.high{background:#fde0c0}.medium{background:#fff3c0}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.85em}"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]], row_class: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(f"<tr{row_class}>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(result: HuntResult, *, title: str = "Hygie hunt report") -> str:
    """A self-contained page: summary, counts by level and rule, ATT&CK tags, and the timeline."""
    detections = result.detections
    levels = Counter(d.level for d in detections)
    rules = Counter((d.rule_id, d.rule_title, d.level) for d in detections)
    tags = Counter(tag for d in detections for tag in d.tags if tag.lower().startswith("attack."))
    summary = [
        ("files", result.read.files),
        ("events", result.read.events),
        ("corrupt records", result.read.corrupt),
        ("rules run", result.rules_run),
        ("rules skipped", len(result.rules_skipped)),
        ("detections", result.found),
        ("seconds", f"{result.seconds:.2f}"),
        ("events/s", f"{result.events_per_second:,.0f}"),
    ]
    by_level = [(level.name.lower(), levels[level]) for level in sorted(Level, reverse=True) if levels[level]]
    by_rule = [
        (level.name.lower(), rule_id, rule_title, count)
        for (rule_id, rule_title, level), count in sorted(rules.items(), key=lambda item: (-item[0][2], -item[1]))
    ]
    rows = []
    for d in detections:
        event = orjson.dumps(d.event, option=orjson.OPT_INDENT_2).decode()
        cells = (
            d.timestamp.isoformat() if d.timestamp else "",
            d.level.name.lower(),
            d.rule_title,
            d.computer,
            "" if d.event_id is None else d.event_id,
            ", ".join(d.tags),
        )
        rows.append(
            f'<tr class="{_e(d.level.name.lower())}">'
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + f"<td><pre>{_e(event)}</pre></td></tr>"
        )
    timeline_head = "".join(
        f"<th>{_e(h)}</th>" for h in ("time", "level", "rule", "computer", "event id", "tags", "event")
    )
    skipped = [(f.rule_id, f.title, f.path, f.reason) for f in result.rules_skipped]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        "<h2>Summary</h2>",
        _table(("", ""), summary),
        "<h2>By level</h2>",
        _table(("level", "detections"), by_level),
        "<h2>By rule</h2>",
        _table(("level", "rule id", "title", "detections"), by_rule),
        "<h2>ATT&amp;CK tags</h2>",
        _table(("tag", "detections"), tags.most_common()),
        "<h2>Timeline</h2>",
        f"<table><thead><tr>{timeline_head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    ]
    if skipped:
        parts += ["<h2>Rules skipped</h2>", _table(("rule id", "title", "path", "reason"), skipped)]
    if result.read.errors:
        parts += ["<h2>Read errors</h2>", _table(("error",), [(error,) for error in result.read.errors])]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(result: HuntResult, output_format: str) -> str:
    """``result`` in ``json`` (lines), ``csv`` or ``html``; ``ValueError`` for another format."""
    if output_format == "json":
        return to_json_lines(result.detections)
    if output_format == "csv":
        return to_csv(result.detections)
    if output_format == "html":
        return to_html(result)
    raise ValueError(f"unknown format {output_format!r}; expected one of {', '.join(FORMATS)}")
