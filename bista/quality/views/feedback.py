"""Placeholder until this module's views are written."""

from django.http import Http404


def feedback_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def feedback_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def feedback_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def feedback_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def feedback_close(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
