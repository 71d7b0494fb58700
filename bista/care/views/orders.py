"""Placeholder until this module's views are written."""

from django.http import Http404


def order_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def order_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def order_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def order_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def order_step(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

