from decimal import Decimal

from django import template

from garden.sharing.services import format_quantity

register = template.Library()


@register.filter
def qty(value) -> str:
    """2.50 → 2.5, 3.00 → 3."""
    if value is None or value == "":
        return ""
    return format_quantity(Decimal(value))
