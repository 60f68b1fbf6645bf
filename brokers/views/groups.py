"""Placeholder: being built."""

from django.http import Http404


def group_detail(request, **kwargs):
    raise Http404


def subscriber_list(request, **kwargs):
    raise Http404


def subscriber_detail(request, **kwargs):
    raise Http404
