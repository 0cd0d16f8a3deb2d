from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """A dict's value in a template: ``can_edit|get_item:pairing.pk``."""
    return mapping.get(key) if mapping else None
