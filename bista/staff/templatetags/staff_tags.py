"""Template helpers of the staff pages that other contexts' templates use (the client card's link)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from bista.core.access import has_perm
from bista.core.permissions import Perm

register = template.Library()


@register.filter
def can_see_staffing(user: Any, units: Iterable[Any]) -> bool:
    """Whether the user sees staff (employee.view) in one of the client's units: the staffing page opens."""
    return any(has_perm(user, Perm.EMPLOYEE_VIEW, unit.pk) for unit in units)
