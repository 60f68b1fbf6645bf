"""Placeholder: being built."""

from django.http import Http404


def staff_list(request, **kwargs):
    raise Http404


def staff_create(request, **kwargs):
    raise Http404


def staff_detail(request, **kwargs):
    raise Http404


def staff_disable(request, **kwargs):
    raise Http404


def staff_enable(request, **kwargs):
    raise Http404


def staff_password_reset(request, **kwargs):
    raise Http404


def staff_registration_resend(request, **kwargs):
    raise Http404


def upline_access(request, **kwargs):
    raise Http404
