"""Placeholder until this module's views are written."""

from django.http import Http404


def binder_index(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def binder_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def binder_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def delivery_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def delivery_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

