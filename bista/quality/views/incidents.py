"""Placeholder until this module's views are written."""

from django.http import Http404


def incident_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def incident_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def incident_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def incident_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def incident_imy(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
