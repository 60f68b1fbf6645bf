"""The public front door every audience shares: its own sign-in page over allauth's login, and
"Forgot your username?" that answers the same whether or not anyone matched."""

import base64
from http import HTTPStatus

from allauth.account.views import LoginView
from allauth.core import ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.accounts import services
from portal.mail import absolute_url

FORGOT_USERNAME_LIMITED = (
    "You have asked for your username too many times. Please wait a few minutes and try again."
)


def audience_sign_in(*, template_name):
    """allauth's login view with an audience's page around it, so that the second factor, rate
    limits and account lockout work exactly as on the generic sign-in page."""
    return login_not_required(LoginView.as_view(template_name=template_name))


def audience_support(audience):
    """The audience's first support contact in the carrier file, else the general one."""
    contacts = settings.CARRIER.get("contacts", {}).get(audience) or [settings.CARRIER["support"]]
    return contacts[0]


def username_reminder(request, *, form_class, users_matching, audience, intro, sign_in_url_name):
    """Ask for identifiers the person has on paper, email every matching user their username,
    and show the same confirmation whether or not anything matched.

    `users_matching(**form.cleaned_data)` returns the users to remind; `form.rate_limit_key()`
    names the identifier, so that one person's mailbox can't be flooded from many addresses.
    """
    if request.user.is_authenticated:
        return redirect("home")
    form = form_class(request.POST or None)
    context = {
        "form": form,
        "intro": intro,
        "support": audience_support(audience),
        "sign_in_url_name": sign_in_url_name,
    }
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="forgot_username", key=form.rate_limit_key()):
            form.add_error(None, FORGOT_USERNAME_LIMITED)
            return render(
                request,
                "account/username_reminder_form.html",
                context,
                status=HTTPStatus.TOO_MANY_REQUESTS,
            )
        services.username_reminder_send(
            users=users_matching(**form.cleaned_data),
            sign_in_url=absolute_url(reverse(sign_in_url_name)),
        )
        return render(request, "account/username_reminder_sent.html", context)
    return render(request, "account/username_reminder_form.html", context)


# Finishing a registration from an emailed link: the authenticator secret offered on the page.


def _registration_totp_key(token) -> str:
    return f"registration.totp.{token.pk}"


def registration_totp_secret(request, token) -> str:
    """The secret offered on this link's page, kept in the session so that a submit with a
    mistake in it doesn't make the person scan a new code."""
    key = _registration_totp_key(token)
    if key not in request.session:
        request.session[key] = generate_totp_secret()
    return request.session[key]


def registration_totp_forget(request, token) -> None:
    request.session.pop(_registration_totp_key(token), None)


def registration_totp_qr(user, secret) -> str:
    """The QR code of the secret for an authenticator app, as a data: URI for an <img>."""
    adapter = get_mfa_adapter()
    svg = adapter.build_totp_svg(adapter.build_totp_url(user, secret))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def managed_user_action(request, *, user, action, done, list_url_name, detail_url_name):
    """Run `action()` on a user an administrator manages (disable, enable, resend, reset), say
    how it went, and go back where the button was: the list (POST next=list) or the user's page.

    Every audience's Manage Users page does this; the caller has found `user` within its own
    scope (404 otherwise) and checked the administrator may."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=user.display_name))
    if request.POST.get("next") == "list":
        return redirect(list_url_name)
    return redirect(detail_url_name, pk=user.pk)
