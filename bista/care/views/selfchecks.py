"""Placeholder until this module's views are written."""

from django.http import Http404


def self_checks(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def self_check_detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def emergency_export(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

