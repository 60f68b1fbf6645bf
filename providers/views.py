from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts.decorators import audience_required
from portal.accounts.models import Role
from portal.accounts.views import audience_sign_in
from portal.views import coming_soon, support_contacts
from providers import access, selectors

BASE = "providers/base.html"
provider_portal = audience_required(Role.PROVIDER_USER)

# The provider office's front door: public. A provider user's username can't be found from
# anything they hold on paper (a Tax ID names the whole office), so "Forgot your username?"
# points to their delegated administrator and Provider Services instead of a form.
sign_in = audience_sign_in(template_name="providers/sign_in.html")


@require_GET
@provider_portal
def home(request):
    profile = access.provider_user_for(request.user)
    return render(
        request,
        "providers/home.html",
        {
            "profile": profile,
            "tax_ids": selectors.tax_ids_for(request.user),
            "administered_tax_ids": access.administered_tax_ids(request.user),
        },
    )


@require_GET
@provider_portal
def patient_info(request):
    return coming_soon(
        request,
        base=BASE,
        title="Patient Info",
        summary="Member eligibility and benefits by member ID, SSN or name and date of birth, "
        "with the member's schedule of benefits.",
    )


@require_GET
@provider_portal
def transactions(request):
    return coming_soon(
        request,
        base=BASE,
        title="Transactions",
        summary="Claim status and authorization status for the Tax IDs you work under.",
    )


@require_GET
@provider_portal
def account(request):
    profile = access.provider_user_for(request.user)
    return render(
        request,
        "providers/account.html",
        {
            "title": "My Account",
            "profile": profile,
            "tax_ids": selectors.tax_ids_for(request.user),
            "administered_tax_ids": access.administered_tax_ids(request.user),
        },
    )


@require_GET
@provider_portal
def support(request):
    return support_contacts(request, base=BASE, audience="provider")
