"""Template filters of the budget pages: amounts in French notation, shares in percent."""

from __future__ import annotations

from decimal import Decimal

from django import template

from hygie.apps.budget.amounts import format_amount

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    """``1 234 567,89 €`` (empty dash for None)."""
    return "—" if value is None else format_amount(Decimal(value), currency=True)


@register.filter
def pct(value: Decimal | None) -> str:
    """``5,25 %`` (dash for None)."""
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}".replace(".", ",") + "\u202f%"


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key)
