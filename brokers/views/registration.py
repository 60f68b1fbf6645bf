"""Broker self-registration: NPN + Tax ID, an emailed one-time link, then password, terms and
a second factor. The completion page also finishes office staff registrations (their broker's
invitation sends the link)."""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from brokers import selectors, services
from brokers.forms.registration import (
    RegistrationCompleteForm,
    RegistrationLookupForm,
    RegistrationSendForm,
    record_reference,
)
from brokers.models import ContractingRecord
from portal.accounts.services import RegistrationLinkError, registration_token_check
from portal.accounts.views import (
    registration_totp_forget,
    registration_totp_qr,
    registration_totp_secret,
)
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

# Lookups are limited per address, and failed lookups per NPN, so that neither one visitor nor
# many can walk through Tax IDs; sends are limited so the page can't be used to flood a mailbox.
RATE_LIMITS = {
    "lookup": "20/10m/ip",
    "lookup_failed": "5/10m/key",
    "send": "10/h/ip,5/h/key",
}
PURPOSES = (services.REGISTRATION_PURPOSE, services.STAFF_REGISTRATION_PURPOSE)


def _consume(request, action, key=None, *, dry_run=False) -> bool:
    """Count one attempt at `action`; False when its limit is already reached."""
    usage = ratelimit.consume(
        request,
        app="brokers.registration",
        action=action,
        config=getattr(settings, "BROKER_REGISTRATION_RATE_LIMITS", RATE_LIMITS),
        key=key,
        dry_run=dry_run,
    )
    return usage is not None


def email_masked(email: str) -> str:
    """j••••@example.com: enough for the broker to recognise, too little to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * 4}@{domain}"


def _too_many(request):
    return render(request, "brokers/registration/rate_limited.html", status=429)


def _refused(request, reason, record=None):
    return render(
        request,
        "brokers/registration/refused.html",
        {"reason": reason, "record": record},
        status=403,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Step 1: NPN and Tax ID. A match shows the record with Send Email; a mismatch says so
    without saying which of the two was wrong."""
    if request.method == "GET":
        form = RegistrationLookupForm()
        return render(request, "brokers/registration/start.html", {"form": form})
    if not _consume(request, "lookup"):
        return _too_many(request)
    form = RegistrationLookupForm(request.POST)
    if not form.is_valid():
        return render(request, "brokers/registration/start.html", {"form": form})
    npn = form.cleaned_data["npn"]
    if not _consume(request, "lookup_failed", npn, dry_run=True):
        return _too_many(request)
    record = selectors.contracting_record_match(npn=npn, tax_id=form.cleaned_data["tax_id"])
    if record is None:
        _consume(request, "lookup_failed", npn)
        form.add_error(None, "We could not find a contracting record with that NPN and Tax ID.")
        return render(request, "brokers/registration/start.html", {"form": form})
    reason = selectors.registration_refusal(record)
    if reason:
        return _refused(request, reason, record)
    return render(
        request,
        "brokers/registration/match.html",
        {
            "record": record,
            "masked_email": email_masked(record.email),
            "reference": record_reference(record),
        },
    )


@login_not_required
@require_POST
def send_email(request):
    """Step 2: Send Email, and Resend registration email, for the record the match page signed."""
    form = RegistrationSendForm(request.POST)
    record = None
    if form.is_valid():
        record = ContractingRecord.objects.filter(pk=form.cleaned_data["record"]).first()
    if record is None:
        # A reference that lapsed, was tampered with, or names a record ops since deleted.
        return render(
            request,
            "brokers/registration/start.html",
            {"form": RegistrationLookupForm(), "expired": True},
        )
    if not _consume(request, "send", str(record.pk)):
        return _too_many(request)
    reason = selectors.registration_refusal(record)
    if reason:
        return _refused(request, reason, record)
    services.broker_registration_send(record=record)
    return render(
        request,
        "brokers/registration/sent.html",
        {
            "record": record,
            "masked_email": email_masked(record.email),
            "reference": form.data["record"],
        },
    )


def _link_error(request, error):
    purpose = error.token.purpose if error.token else services.REGISTRATION_PURPOSE
    status = 404 if error.reason == RegistrationLinkError.UNKNOWN else 410
    return render(
        request,
        "brokers/registration/link_error.html",
        {"reason": error.reason, "staff": purpose == services.STAFF_REGISTRATION_PURPOSE},
        status=status,
    )


def _broker_refusal(token):
    if token.purpose != services.REGISTRATION_PURPOSE:
        return None, None
    record = ContractingRecord.objects.filter(pk=token.payload.get("contracting_record")).first()
    if record is None:
        return selectors.RegistrationRefusal.INACTIVE, None
    return selectors.registration_refusal(record), record


@login_not_required
@require_http_methods(["GET", "POST"])
def complete(request, token):
    """Step 3, from the emailed link: password, terms and an authenticator, all at once."""
    try:
        link = registration_token_check(token, purposes=PURPOSES)
    except RegistrationLinkError as error:
        return _link_error(request, error)
    reason, record = _broker_refusal(link)
    if reason:
        return _refused(request, reason, record)
    secret = registration_totp_secret(request, link)
    form = RegistrationCompleteForm(request.POST or None, user=link.user, totp_secret=secret)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.broker_registration_complete(
                token=link, password=form.cleaned_data["new_password1"], totp_secret=secret
            )
        except RegistrationLinkError as error:
            return _link_error(request, error)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal.reason, record)
        registration_totp_forget(request, link)
        audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[user])
        return render(request, "brokers/registration/done.html", {"registered_user": user})
    return render(
        request,
        "brokers/registration/complete.html",
        {
            "form": form,
            "registering_user": link.user,
            "staff": link.purpose == services.STAFF_REGISTRATION_PURPOSE,
            "totp_secret": secret,
            "totp_qr": registration_totp_qr(link.user, secret),
        },
    )
