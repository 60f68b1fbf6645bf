"""Placeholder: being built."""

from django.http import Http404


def eligibility(request, **kwargs):
    raise Http404


def quick_check(request, **kwargs):
    raise Http404


def application_list(request, **kwargs):
    raise Http404


def delegated_group_list(request, **kwargs):
    raise Http404
