"""Placeholder until this module's views are written."""

from django.http import Http404


def trends(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def vb_table(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def vb_assessment(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def vb_table_export(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def quality_report(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
