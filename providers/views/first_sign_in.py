"""The first sign-in with a temporary password: terms, a new password, an authenticator.

Each step's page sends the user to the step they are at, whichever they ask for, so the order
holds; providers.first_sign_in keeps every other page away until the last step is done.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.views import registration_totp_qr
from providers import access, user_admin
from providers.access import provider_portal
from providers.first_sign_in import (
    PASSWORD_HASH_KEY,
    TOTP_SECRET_KEY,
    first_sign_in_done,
)
from providers.user_forms import AuthenticatorForm, NewPasswordForm, TermsForm

STEPS = ("terms", "password", "authenticator")


def _step_of(request, profile):
    """The step the user is at, or None when their first sign-in is done."""
    if profile is None or not profile.must_change_password:
        return None
    if profile.terms_accepted_at is None:
        return "terms"
    if PASSWORD_HASH_KEY not in request.session:
        return "password"
    return "authenticator"


def _go_to(step):
    return redirect(f"providers:first-sign-in-{step}" if step else "providers:home")


def _at_step(step):
    """Run the view only at its own step; otherwise go to the step the user is at."""

    def decorator(view):
        def wrapper(request):
            profile = access.provider_user_for(request.user)
            current = _step_of(request, profile)
            if current != step:
                return _go_to(current)
            return view(request, profile)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


def _render(request, template, step, context):
    return render(
        request,
        template,
        {
            "title": "Finish setting up your account",
            "step_number": STEPS.index(step) + 1,
            "step_count": len(STEPS),
            **context,
        },
    )


@require_GET
@provider_portal
def first_sign_in(request):
    return _go_to(_step_of(request, access.provider_user_for(request.user)))


@require_http_methods(["GET", "POST"])
@provider_portal
@_at_step("terms")
def terms(request, profile):
    """Step 1: the Terms of Use, agreed to."""
    form = TermsForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        user_admin.first_sign_in_terms_accept(profile=profile)
        return _go_to("password")
    return _render(
        request,
        "providers/users/first_sign_in_terms.html",
        "terms",
        {"form": form, "terms": settings.CARRIER["terms"]},
    )


@require_http_methods(["GET", "POST"])
@provider_portal
@_at_step("password")
def password(request, profile):
    """Step 2: the user's own password in place of the temporary one."""
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_valid():
        password_hash = make_password(form.cleaned_data["new_password1"])
        if Authenticator.objects.filter(user=request.user).exists():
            # Enrolled already (where PORTAL_REQUIRE_MFA sent them to allauth's page first).
            return _complete(request, profile, password_hash, totp_secret=None)
        request.session[PASSWORD_HASH_KEY] = password_hash
        return _go_to("authenticator")
    return _render(
        request, "providers/users/first_sign_in_password.html", "password", {"form": form}
    )


@require_http_methods(["GET", "POST"])
@provider_portal
@_at_step("authenticator")
def authenticator(request, profile):
    """Step 3: an authenticator app (allauth's TOTP), whose first code finishes the sign-in."""
    secret = request.session.setdefault(TOTP_SECRET_KEY, generate_totp_secret())
    form = AuthenticatorForm(request.POST if request.method == "POST" else None, totp_secret=secret)
    if form.is_valid():
        return _complete(request, profile, request.session[PASSWORD_HASH_KEY], totp_secret=secret)
    return _render(
        request,
        "providers/users/first_sign_in_authenticator.html",
        "authenticator",
        {
            "form": form,
            "totp_secret": secret,
            "totp_qr": registration_totp_qr(request.user, secret),
        },
    )


def _complete(request, profile, password_hash, *, totp_secret):
    user_admin.first_sign_in_complete(
        profile=profile, password_hash=password_hash, totp_secret=totp_secret
    )
    # The password changed: keep this session signed in with it.
    update_session_auth_hash(request, profile.user)
    first_sign_in_done(request)
    messages.success(request, "Your account is set up. Welcome to the provider portal.")
    return redirect("providers:home")
