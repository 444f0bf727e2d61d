"""Template tags: table cells and severity/status badges."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from hygie.web.tables import Column

register = template.Library()


@register.simple_tag
def cell(obj: Any, column: Column) -> str:
    """One table cell: a link to the object, a badge, or plain escaped text."""
    text = column.text(obj)
    if column.link and hasattr(obj, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), text)
    if column.badge:
        raw = getattr(obj, f"{column.badge}_name", None) or getattr(obj, column.accessor or column.name, "")
        return format_html('<span class="badge {}-{}">{}</span>', column.badge, raw, text)
    return format_html("{}", text)


@register.simple_tag
def badge(family: str, key: Any, label: Any) -> str:
    """A coloured badge such as ``severity-critical``."""
    return format_html('<span class="badge {}-{}">{}</span>', family, key, label)


@register.simple_tag
def bar_h(value: int, top: int) -> int:
    """Height of a bar in a 100-unit-high chart."""
    return round(95 * value / top) if top else 0


@register.simple_tag
def bar_y(value: int, top: int) -> int:
    """Top of a bar in a 100-unit-high chart."""
    return 100 - bar_h(value, top)
