"""Placeholder until this module's views are written."""

from django.http import Http404


def routine_list(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def routine_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def routine_edit(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def self_check_plan(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def self_check_item_create(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def self_check_result(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404
