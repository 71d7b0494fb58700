"""Placeholder until this module's views are written."""

from django.http import Http404


def report_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def report_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def report_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def report_step(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def ivo_notification(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
