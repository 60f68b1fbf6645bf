from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from employers import access, selectors
from employers.forms import ForgotUsernameForm
from portal.accounts.decorators import audience_required
from portal.accounts.models import Role
from portal.accounts.views import audience_sign_in, username_reminder
from portal.views import coming_soon, support_contacts

BASE = "employers/base.html"
employer_portal = audience_required(Role.EMPLOYER_ADMIN)

# The employer's front door: public.
sign_in = audience_sign_in(template_name="employers/sign_in.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_username(request):
    return username_reminder(
        request,
        form_class=ForgotUsernameForm,
        users_matching=selectors.admin_users_for_identity,
        audience="employer",
        intro="Enter a group number and your policyholder ID. If they match, we email every "
        "administrator of that employer their own username, at the address on file.",
        sign_in_url_name="employers:sign-in",
    )


@require_GET
@employer_portal
def home(request):
    admin = access.admin_for(request.user)
    groups = selectors.groups_for(request.user)
    return render(request, "employers/home.html", {"admin": admin, "groups": groups})


@require_GET
@employer_portal
def enrollment(request):
    return coming_soon(
        request,
        base=BASE,
        title="Manage Enrollment",
        summary="Enroll employees and dependents, update their information, change plans and "
        "PCPs, cancel or reinstate coverage, and move employees to COBRA.",
    )


@require_GET
@employer_portal
def billing(request):
    return coming_soon(
        request,
        base=BASE,
        title="Pay My Bill",
        summary="Your invoices in full, payment history and balance, one-time and recurring "
        "payments, and paperless billing.",
    )


@require_GET
@employer_portal
def accounts_reports(request):
    return coming_soon(
        request,
        base=BASE,
        title="Manage Accounts & Reports",
        summary="Administrators and delegates, broker access to billing and enrollment, and "
        "one-time or recurring enrollment and billing reports.",
    )


@require_GET
@employer_portal
def support(request):
    return support_contacts(request, base=BASE, audience="employer")
