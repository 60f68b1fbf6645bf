"""Public provider registration, as the seed's steps: Terms of Use, region(s), account type,
user type (physicians only), then the registrant's details. What each step chose is kept in the
session, so Back shows it again and a step reached out of order sends the visitor to the first
one missing. Then the emailed link finishes the account (password, terms, authenticator)."""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.services import RegistrationLinkError, registration_token_check
from portal.accounts.views import (
    registration_totp_forget,
    registration_totp_qr,
    registration_totp_secret,
)
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from providers import registration
from providers.models import ProviderOrganization, RegistrationRequest
from providers.registration_forms import (
    ACCOUNT_TYPES,
    AccountTypeForm,
    DetailsForm,
    RegionsForm,
    RegistrationCompleteForm,
    TermsForm,
    UserTypeForm,
)

# Submitting is what looks records up: limited per address, and per Tax ID so that many
# addresses can't walk one office's licenses.
RATE_LIMITS = {"submit": "20/h/ip,5/h/key"}
WIZARD_KEY = "providers.registration"
RESULT_KEY = "providers.registration.result"
# (step, URL name, heading, the session value the step sets).
STEPS = [
    ("terms", "providers:register", "Terms of Use", "terms_accepted_at"),
    ("regions", "providers:register-regions", "Region", "regions"),
    ("account_type", "providers:register-account-type", "Account type", "account_type"),
    ("user_type", "providers:register-user-type", "User type", "user_type"),
    ("details", "providers:register-details", "Your information", None),
]
STEPS_HEADINGS = {step: heading for step, _, heading, _ in STEPS}
EMAIL_IN_USE = (
    "This email address already has an account or a registration awaiting verification. "
    "Sign in, choose Forgot Password, or call Provider Services."
)


def _consume(request, action, key=None) -> bool:
    usage = ratelimit.consume(
        request,
        app="providers.registration",
        action=action,
        config=getattr(settings, "PROVIDER_REGISTRATION_RATE_LIMITS", RATE_LIMITS),
        key=key,
    )
    return usage is not None


def _state(request) -> dict:
    return request.session.get(WIZARD_KEY, {})


def _remember(request, **values):
    request.session[WIZARD_KEY] = {**_state(request), **values}


def _steps_for(state):
    """The steps this registration goes through: only physicians choose a user type."""
    physician = state.get("account_type") in (None, ProviderOrganization.OrgType.PHYSICIAN)
    return [s for s in STEPS if s[0] != "user_type" or physician]


def _wizard(request, step):
    """(context for the page, or a redirect to the first earlier step not done yet)."""
    state = _state(request)
    steps = _steps_for(state)
    names = [s[0] for s in steps]
    index = names.index(step)
    for earlier, url_name, _, key in steps[:index]:
        if key not in state:
            messages.info(
                request,
                f"Please complete the {STEPS_HEADINGS[earlier]} step first. If you left "
                "registration for more than a few minutes, what you had chosen was cleared for "
                "your security.",
            )
            return None, redirect(url_name)
    context = {
        "steps": [(heading, i == index) for i, (_, _, heading, _) in enumerate(steps)],
        "step_number": index + 1,
        "step_count": len(steps),
        "back_url": reverse(steps[index - 1][1]) if index else None,
        "state": state,
    }
    return context, None


def _next_url(request, step):
    steps = _steps_for(_state(request))
    names = [s[0] for s in steps]
    return steps[names.index(step) + 1][1]


def _step(request, *, step, form_class, template, initial, save, title, **form_kwargs):
    context, elsewhere = _wizard(request, step)
    if elsewhere:
        return elsewhere
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            save(form.cleaned_data)
            return redirect(_next_url(request, step))
    else:
        form = form_class(initial=initial, **form_kwargs)
    return render(request, template, {**context, "form": form, "title": title})


@login_not_required
@require_http_methods(["GET", "POST"])
def terms(request):
    """Step 1: the Terms of Use, and I Agree."""

    def save(data):
        _remember(request, terms_accepted_at=timezone.now().isoformat())

    return _step(
        request,
        step="terms",
        form_class=TermsForm,
        template="providers/registration/terms.html",
        initial={"agree": "terms_accepted_at" in _state(request)},
        save=save,
        title="Provider registration",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def regions(request):
    return _step(
        request,
        step="regions",
        form_class=RegionsForm,
        template="providers/registration/regions.html",
        initial={"regions": _state(request).get("regions", [])},
        save=lambda data: _remember(request, regions=data["regions"]),
        title="Choose your region",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def account_type(request):
    def save(data):
        state = {**_state(request), "account_type": data["account_type"]}
        if data["account_type"] != ProviderOrganization.OrgType.PHYSICIAN:
            # Organisations register through their delegated administrator.
            state["user_type"] = RegistrationRequest.UserType.DELEGATED_ADMIN
        elif _state(request).get("account_type") != ProviderOrganization.OrgType.PHYSICIAN:
            state.pop("user_type", None)
        request.session[WIZARD_KEY] = state

    return _step(
        request,
        step="account_type",
        form_class=AccountTypeForm,
        template="providers/registration/account_type.html",
        initial={"account_type": _state(request).get("account_type")},
        save=save,
        title="Choose your account type",
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def user_type(request):
    if _state(request).get("account_type") not in (None, ProviderOrganization.OrgType.PHYSICIAN):
        return redirect("providers:register-details")
    return _step(
        request,
        step="user_type",
        form_class=UserTypeForm,
        template="providers/registration/user_type.html",
        initial={"user_type": _state(request).get("user_type")},
        save=lambda data: _remember(request, user_type=data["user_type"]),
        title="Choose your user type",
    )


def _not_participating(request, context):
    return render(
        request,
        "providers/registration/not_participating.html",
        {**context, "title": "Registration is for participating providers"},
        status=403,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def details(request):
    """The last step: who is registering. Submitting matches the records and either opens the
    account at once or files a request for verification (registration.registration_submit)."""
    context, elsewhere = _wizard(request, "details")
    if elsewhere:
        return elsewhere
    state = context["state"]
    form = DetailsForm(request.POST or None, account_type=state["account_type"])
    context.update(
        form=form,
        title="Your information",
        account_type_label=dict(ACCOUNT_TYPES)[state["account_type"]],
        solo=state["user_type"] == RegistrationRequest.UserType.SOLO_PRACTITIONER,
    )
    template = "providers/registration/details.html"
    if request.method != "POST" or not form.is_valid():
        return render(request, template, context)
    if not _consume(request, "submit", form.cleaned_data["tax_id_number"]):
        return render(request, "providers/registration/rate_limited.html", status=429)
    try:
        submitted = registration.registration_submit(
            account_type=state["account_type"],
            user_type=state["user_type"],
            regions=state["regions"],
            details=form.details(),
            terms_accepted_at=parse_datetime(state["terms_accepted_at"]),
        )
    except registration.RegistrationRefused as refusal:
        if refusal.reason == refusal.EMAIL_IN_USE:
            form.add_error("email", EMAIL_IN_USE)
            return render(request, template, context)
        return _not_participating(request, context)
    except IntegrityError:
        # The same address registered by a request a moment earlier (a double click): the
        # first one won, and this one saved nothing.
        form.add_error("email", EMAIL_IN_USE)
        return render(request, template, context)
    request.session.pop(WIZARD_KEY, None)
    request.session[RESULT_KEY] = submitted.pk
    return redirect("providers:register-submitted")


@login_not_required
@require_GET
def submitted(request):
    """What happened to the registration this browser just sent: the account is open (check
    your email), or the request's printable confirmation with its transaction ID."""
    pk = request.session.get(RESULT_KEY)
    found = RegistrationRequest.objects.filter(pk=pk).first() if pk else None
    if found is None:
        return redirect("providers:register")
    approved = found.status != RegistrationRequest.Status.PENDING
    return render(
        request,
        "providers/registration/submitted.html",
        {
            "title": "Check your email" if approved else "Request received",
            "registration": found,
            "approved": approved,
            "due_on": registration.registration_due_on(found),
            "business_days": registration.review_business_days(),
            "account_type_label": dict(ACCOUNT_TYPES)[found.account_type],
            "region_names": [
                name for code, name in registration.regions() if code in found.regions
            ],
        },
    )


def _link_error(request, error):
    status = 404 if error.reason == RegistrationLinkError.UNKNOWN else 410
    return render(
        request,
        "providers/registration/link_error.html",
        {"reason": error.reason, "title": "This registration link can't be used"},
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def complete(request, token):
    """From the emailed link: password, terms and an authenticator, all at once."""
    try:
        link = registration_token_check(token, purposes=(registration.REGISTRATION_PURPOSE,))
    except RegistrationLinkError as error:
        return _link_error(request, error)
    found = get_object_or_404(RegistrationRequest, pk=link.payload.get("registration"))
    secret = registration_totp_secret(request, link)
    form = RegistrationCompleteForm(request.POST or None, user=link.user, totp_secret=secret)
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.provider_registration_complete(
                token=link, password=form.cleaned_data["new_password1"], totp_secret=secret
            )
        except RegistrationLinkError as error:
            return _link_error(request, error)
        registration_totp_forget(request, link)
        audit_record(request=request, action=AuditEvent.Action.CHANGE, objects=[user])
        return render(
            request,
            "providers/registration/done.html",
            {"registered_user": user, "registration": found, "title": "Your account is active"},
        )
    return render(
        request,
        "providers/registration/complete.html",
        {
            "form": form,
            "registration": found,
            "registering_user": link.user,
            "totp_secret": secret,
            "totp_qr": registration_totp_qr(link.user, secret),
            "title": "Finish registering",
        },
    )
