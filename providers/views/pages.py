from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts.views import audience_sign_in
from portal.activity.selectors import recent_activity_for
from portal.views import support_contacts
from providers import access, selectors
from providers.access import provider_portal

BASE = "providers/base.html"

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
def transactions(request):
    """Transactions: Claim Status and Authorization Status, marked for the functions held."""
    return render(
        request,
        "providers/transactions.html",
        {
            "title": "Transactions",
            "claims": access.holds_function(request.user, "inquire_claims"),
            "authorizations": access.holds_function(request.user, "check_authorizations"),
        },
    )


@require_GET
@provider_portal
def account(request):
    profile = access.provider_user_for(request.user)
    is_admin = profile is not None and profile.is_delegated_admin
    return render(
        request,
        "providers/account.html",
        {
            "title": "My Account",
            "profile": profile,
            "tax_ids": selectors.tax_ids_for(request.user),
            "administered_tax_ids": access.administered_tax_ids(request.user),
            # What happened to the office's users, for those who manage them.
            "recent_activity": recent_activity_for(request.user) if is_admin else None,
        },
    )


@require_GET
@provider_portal
def support(request):
    return support_contacts(request, base=BASE, audience="provider")
