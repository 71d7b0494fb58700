"""Placeholder until this module's views are written."""

from django.http import Http404


def plan_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_sign(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_review(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_diff(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def plan_pdf(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

