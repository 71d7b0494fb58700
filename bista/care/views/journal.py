"""Placeholder until this module's views are written."""

from django.http import Http404


def journal(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def journal_draft(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def record_pdf(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def journal_entry(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def journal_objection(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

