"""Placeholder: being built."""

from django.http import Http404


def document_list(request, **kwargs):
    raise Http404


def document_download(request, **kwargs):
    raise Http404


def support(request, **kwargs):
    raise Http404
