from typing import Any

from django import template

register = template.Library()


@register.filter
def get_share(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (a share, or a group's distribution); "–" for a missing share."""
    value = mapping.get(key) if hasattr(mapping, "get") else None
    return "–" if value is None else value
