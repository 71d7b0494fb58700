"""Placeholder until this module's views are written."""

from django.http import Http404


def deviation_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_report(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_action_add(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_action_done(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_close(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def deviation_escalate(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
