"""Placeholder: being built."""

from django.http import Http404


def group_list(request, **kwargs):
    raise Http404


def alert_legend(request, **kwargs):
    raise Http404
