"""Placeholder: being built."""

from django.http import Http404


def start(request, **kwargs):
    raise Http404


def send_email(request, **kwargs):
    raise Http404


def complete(request, **kwargs):
    raise Http404
