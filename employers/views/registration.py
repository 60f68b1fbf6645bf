"""Employer registration: the primary client administrator types the group number, the
policyholder ID and the registration key ops emailed them, then sets a password, accepts the
terms and sets up a second factor. The completion page also finishes the accounts of the users
an administrator added in Manage Accounts (their invitation email links to it)."""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from employers import account_selectors, services
from employers.forms.registration import RegistrationCompleteForm, RegistrationStartForm
from portal.accounts.services import RegistrationLinkError, registration_token_check
from portal.accounts.views import (
    registration_totp_forget,
    registration_totp_qr,
    registration_totp_secret,
)
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

# Lookups are limited per address, and failed lookups per policyholder ID, so that neither one
# visitor nor many can walk through keys (as broker registration limits NPN lookups).
RATE_LIMITS = {"lookup": "20/10m/ip", "lookup_failed": "5/10m/key"}
PURPOSES = (services.PRIMARY_REGISTRATION_PURPOSE, services.USER_REGISTRATION_PURPOSE)
NO_MATCH = "We could not match that group number, policyholder ID and registration key."


def _consume(request, action, key=None, *, dry_run=False) -> bool:
    """Count one attempt at `action`; False when its limit is already reached."""
    usage = ratelimit.consume(
        request,
        app="employers.registration",
        action=action,
        config=getattr(settings, "EMPLOYER_REGISTRATION_RATE_LIMITS", RATE_LIMITS),
        key=key,
        dry_run=dry_run,
    )
    return usage is not None


def _too_many(request):
    return render(request, "employers/registration/rate_limited.html", status=429)


def _refused(request, reason):
    return render(request, "employers/registration/refused.html", {"reason": reason}, status=403)


def _key_refusal(key) -> str | None:
    """Why a matched key can't be used, in the words of refused.html, or None."""
    if key.used_at:
        return "used"
    if key.revoked_at:
        return "replaced"
    if key.expires_at <= timezone.now():
        return "expired"
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Group number, policyholder ID and registration key; a match goes on to completion. A
    mismatch says so without saying which of the three was wrong."""
    if request.method == "GET":
        return render(
            request, "employers/registration/start.html", {"form": RegistrationStartForm()}
        )
    if not _consume(request, "lookup"):
        return _too_many(request)
    form = RegistrationStartForm(request.POST)
    if not form.is_valid():
        return render(request, "employers/registration/start.html", {"form": form})
    policyholder_id = form.cleaned_data["policyholder_id"]
    if not _consume(request, "lookup_failed", policyholder_id, dry_run=True):
        return _too_many(request)
    key = account_selectors.registration_key_match(
        group_number=form.cleaned_data["group_number"],
        policyholder_id=policyholder_id,
        key=form.cleaned_data["registration_key"],
    )
    if key is None:
        _consume(request, "lookup_failed", policyholder_id)
        form.add_error(None, NO_MATCH)
        return render(request, "employers/registration/start.html", {"form": form})
    reason = _key_refusal(key)
    if reason:
        return _refused(request, reason)
    try:
        token = services.employer_registration_start(key=key)
    except services.RegistrationRefused as refusal:
        return _refused(request, refusal.reason)
    return redirect("employers:register-complete", token=token)


def _link_error(request, error):
    purpose = error.token.purpose if error.token else services.PRIMARY_REGISTRATION_PURPOSE
    status = 404 if error.reason == RegistrationLinkError.UNKNOWN else 410
    return render(
        request,
        "employers/registration/link_error.html",
        {"reason": error.reason, "invited": purpose == services.USER_REGISTRATION_PURPOSE},
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def complete(request, token):
    """Password, terms and an authenticator, all at once."""
    try:
        link = registration_token_check(token, purposes=PURPOSES)
    except RegistrationLinkError as error:
        return _link_error(request, error)
    secret = registration_totp_secret(request, link)
    form = RegistrationCompleteForm(request.POST or None, user=link.user, totp_secret=secret)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.employer_registration_complete(
                token=link, password=form.cleaned_data["new_password1"], totp_secret=secret
            )
        except RegistrationLinkError as error:
            return _link_error(request, error)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal.reason)
        registration_totp_forget(request, link)
        audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[user])
        return render(request, "employers/registration/done.html", {"registered_user": user})
    return render(
        request,
        "employers/registration/complete.html",
        {
            "form": form,
            "registering_user": link.user,
            "totp_secret": secret,
            "totp_qr": registration_totp_qr(link.user, secret),
        },
    )
