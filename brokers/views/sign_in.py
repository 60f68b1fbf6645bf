"""Placeholder: being built."""

from django.http import Http404


def sign_in(request, **kwargs):
    raise Http404


def forgot_username(request, **kwargs):
    raise Http404
