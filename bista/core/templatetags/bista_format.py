"""Template filters every page may use without `{% load %}` (registered as a builtin in the settings)."""

from __future__ import annotations

from django import template

from bista.core import format as text

register = template.Library()
register.filter("antal", text.antal)
