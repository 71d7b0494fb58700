"""Placeholder until this module's views are written."""

from django.http import Http404


def todo(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

