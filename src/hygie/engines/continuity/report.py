"""A recovery simulation as a self-contained HTML page: targets against outcomes, a Gantt chart, what-ifs.

One file, printable, with no external asset (hospital networks are closed): inline CSS and an inline
SVG Gantt chart of the median schedule, one row per restored component, bars coloured by team, a
whisker to the 90th percentile of its end, and dashed markers at the activities' RTOs. Every name
comes from a model file someone wrote: all text is escaped.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from hygie.engines._core.i18n import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from hygie.engines._core.finding import Finding
    from hygie.engines.continuity.model import Model
    from hygie.engines.continuity.simulate import ActivityOutcome, ScheduledRestore, Simulation
    from hygie.engines.continuity.whatif import WhatIf

__all__ = ["TEAM_COLOURS", "gantt_svg", "to_html"]

#: Bar colours, one per team in the order teams first appear in the schedule (colour-blind safe).
TEAM_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")

_STYLE = """body{font-family:sans-serif;margin:2em;color:#222;max-width:70em}
table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.met{background:#d8f0d8}.missed{background:#f8d0d0}.warn{background:#fff3c0}
.critical{background:#f8d0d0}.high{background:#fde0c0}.medium{background:#fff3c0}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:1em;height:1em;
vertical-align:middle;margin-right:.3em}svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg{break-inside:avoid}}"""

_ROW_H = 18
_LABEL_W = 180
_CHART_W = 640
_AXIS_H = 30
#: Largest number of RTO markers drawn (the most urgent ones): more would hide the bars.
_MAX_RTO_MARKERS = 6


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _h(value: float) -> str:
    """Hours for people: ``12.5 h``, or "unbounded" for an infinite data loss."""
    if math.isinf(value):
        return _("unbounded")
    return f"{value:,.1f} h"


def _block(tag: str, text: str) -> str:
    """``text`` escaped in a ``tag`` element (texts are translated outside f-strings: xgettext skips those)."""
    return f"<{tag}>{_e(text)}</{tag}>"


def _table(headers: Iterable[str], rows: Iterable[str]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(text: str, css: str = "n") -> str:
    return f'<td class="{css}">{_e(text)}</td>'


def _activity_row(outcome: ActivityOutcome) -> str:
    rto = "met" if outcome.meets_rto else "missed"
    rpo = "met" if outcome.meets_rpo else "missed"
    hold = "met" if outcome.degraded_mode_holds else "warn"
    return (
        "<tr>"
        + _cell(outcome.name, "")
        + _cell(_h(outcome.rto_h))
        + _cell(_h(outcome.downtime_p50), f"n {rto}")
        + _cell(_h(outcome.downtime_p90), f"n {rto}")
        + _cell(_h(outcome.rpo_h))
        + _cell(_h(outcome.data_loss_p50), f"n {rpo}")
        + _cell(_h(outcome.data_loss_p90), f"n {rpo}")
        + _cell(_h(outcome.degraded_hold_h))
        + _cell(_h(outcome.care_impact_p50), f"n {hold}")
        + _cell(_h(outcome.care_impact_p90), f"n {hold}")
        + "</tr>"
    )


def _ticks(horizon: float) -> list[float]:
    """About eight round tick values from 0 to ``horizon`` hours."""
    raw = horizon / 8
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(horizon // step) + 1)]


def gantt_svg(schedule: Sequence[ScheduledRestore], rto_markers: Sequence[tuple[str, float]] = ()) -> str:
    """An inline SVG Gantt chart of ``schedule`` (hours on the x axis), with optional RTO markers."""
    if not schedule:
        nothing = _("Nothing to restore.")
        return f"<p>{_e(nothing)}</p>"
    horizon = max(max(r.end_p90_h, r.end_h) for r in schedule)
    horizon = max([horizon, *(hours for _name, hours in rto_markers)]) or 1.0
    scale = _CHART_W / horizon
    teams: dict[str, str] = {}
    for restore in schedule:
        teams.setdefault(restore.team, TEAM_COLOURS[len(teams) % len(TEAM_COLOURS)])
    bottom = _AXIS_H + _ROW_H * len(schedule)
    height = bottom + (24 if rto_markers else 10)
    width = _LABEL_W + _CHART_W + 50  # room for the last tick and RTO labels
    caption = _("Recovery schedule")
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(caption)}" '
            'font-family="sans-serif" font-size="11">'
        )
    ]
    for tick in _ticks(horizon):
        x = _LABEL_W + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="{_AXIS_H - 5}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{_AXIS_H - 10}" text-anchor="middle">{tick:g} h</text>')
    rebuilt = _("rebuilt")
    for row, restore in enumerate(schedule):
        y = _AXIS_H + row * _ROW_H
        colour = teams[restore.team]
        x0 = _LABEL_W + restore.start_h * scale
        x1 = _LABEL_W + restore.end_h * scale
        x90 = _LABEL_W + max(restore.end_p90_h, restore.end_h) * scale
        label = restore.component + (f" ({rebuilt})" if restore.rebuilt else "")
        tip = _("%(component)s, team %(team)s: %(start)s to %(end)s (P90 end %(p90)s)") % {
            "component": restore.component,
            "team": restore.team,
            "start": _h(restore.start_h),
            "end": _h(restore.end_h),
            "p90": _h(restore.end_p90_h),
        }
        parts.append(f'<text x="{_LABEL_W - 6}" y="{y + _ROW_H - 5}" text-anchor="end">{_e(label)}</text>')
        opacity = ' fill-opacity="0.55"' if restore.rebuilt else ""
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1.0):.1f}" height="{_ROW_H - 6}" '
            f'fill="{colour}"{opacity}><title>{_e(tip)}</title></rect>'
        )
        if x90 > x1:
            mid = y + _ROW_H / 2
            parts.append(f'<line x1="{x1:.1f}" y1="{mid}" x2="{x90:.1f}" y2="{mid}" stroke="{colour}"/>')
            parts.append(f'<line x1="{x90:.1f}" y1="{mid - 4}" x2="{x90:.1f}" y2="{mid + 4}" stroke="{colour}"/>')
    for name, hours in rto_markers:
        x = _LABEL_W + hours * scale
        title = _("RTO of %(activity)s") % {"activity": name}
        marker = _("RTO %(hours)s") % {"hours": _h(hours)}
        parts.append(
            f'<line x1="{x:.1f}" y1="{_AXIS_H - 5}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#c00" '
            f'stroke-dasharray="4 3"><title>{_e(title)}: '
            f"{_e(_h(hours))}</title></line>"
        )
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#c00">{_e(marker)}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{colour}"></i>{_e(team)}</span>' for team, colour in teams.items())
    note = _("Bars: median schedule; whisker: 90th percentile of the end; dashed red lines: RTOs; pale bars: rebuilt.")
    return "".join(parts) + f'<p class="legend">{legend}</p><p>{_e(note)}</p>'


def _rto_markers(outcomes: Sequence[ActivityOutcome]) -> list[tuple[str, float]]:
    """The most urgent distinct RTOs, each named after the activities that share it."""
    by_rto: dict[float, list[str]] = {}
    for outcome in outcomes:
        if outcome.rto_h > 0:
            by_rto.setdefault(outcome.rto_h, []).append(outcome.name)
    return [(", ".join(names), rto) for rto, names in sorted(by_rto.items())[:_MAX_RTO_MARKERS]]


def _what_if_rows(what_ifs: Sequence[WhatIf]) -> list[str]:
    return [
        "<tr>"
        + _cell(str(rank), "n")
        + _cell(w.change, "")
        + _cell(_h(w.downtime_saved_h))
        + _cell(_h(w.data_loss_saved_h))
        + _cell(str(w.made_recoverable))
        + "</tr>"
        for rank, w in enumerate(what_ifs, start=1)
    ]


def _finding_rows(findings: Sequence[Finding]) -> list[str]:
    ordered = sorted(findings, key=lambda f: (-f.severity, f.check_id))
    return [
        f'<tr class="{_e(f.severity.name.lower())}">'
        + _cell(f.severity.name.lower(), "")
        + _cell(f.title, "")
        + _cell(", ".join(a.name for a in f.affected), "")
        + _cell(f.remediation, "")
        + "</tr>"
        for f in ordered
    ]


def to_html(
    simulation: Simulation,
    *,
    model: Model | None = None,
    seed: int = 0,
    what_ifs: Sequence[WhatIf] = (),
    findings: Sequence[Finding] = (),
    title: str | None = None,
) -> str:
    """The whole page: activities against targets, the Gantt chart, the what-ifs and the findings."""
    title = title or _("Recovery simulation: %(scenario)s") % {"scenario": simulation.scenario}
    description = ""
    if model is not None and simulation.scenario in model.scenarios:
        description = model.scenarios[simulation.scenario].description
    missed = sum(not a.meets_rto for a in simulation.activities)
    summary = _(
        "%(runs)d Monte Carlo runs (seed %(seed)d); %(missed)d of %(count)d activities miss their RTO "
        "in the median run; %(restores)d components restored."
    ) % {
        "runs": simulation.runs,
        "seed": seed,
        "missed": missed,
        "count": len(simulation.activities),
        "restores": len(simulation.schedule),
    }
    activity_headers = (
        _("Activity"),
        _("RTO"),
        _("Downtime P50"),
        _("Downtime P90"),
        _("RPO"),
        _("Data loss P50"),
        _("Data loss P90"),
        _("Degraded mode holds"),
        _("Care impact P50"),
        _("Care impact P90"),
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if description:
        parts.append(f"<p>{_e(description)}</p>")
    schedule_title = _("Recovery schedule")
    parts += [
        f"<p>{_e(summary)}</p>",
        _block("h2", _("Activities against their targets")),
        _table(activity_headers, [_activity_row(a) for a in simulation.activities]),
        _block("p", _("Care impact: downtime beyond what the degraded modes can hold.")),
        f"<h2>{_e(schedule_title)}</h2>",
        gantt_svg(simulation.schedule, _rto_markers(simulation.activities)),
    ]
    if what_ifs:
        changes = (_("Rank"), _("Change"), _("Downtime saved"), _("Data loss saved"), _("Activities made recoverable"))
        parts += [_block("h2", _("What if")), _table(changes, _what_if_rows(what_ifs))]
    if findings:
        columns = (_("Severity"), _("Finding"), _("Affected"), _("Remediation"))
        parts += [_block("h2", _("Findings")), _table(columns, _finding_rows(findings))]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
