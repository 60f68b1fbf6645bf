"""The access matrix: every URL pattern in the URLconf, requested as anonymous and as every role.

A pattern with no rule here fails the build, and so does a change in how many patterns there are:
a new page is added to the matrix in the same change that adds it.

Rules, in words:
- Anonymous users reach only PUBLIC_URL_NAMES; everything else sends them to the login page.
- An audience's pages answer 200 to its own roles and 404 to everyone else, other tenants'
  users of the same audience included where the page is about an object they may not see.
- Django admin answers 200 only to ops staff (and 403 where their role lacks the permission);
  nobody else ever gets a 200 there.
- A broker-portal tool the user's broker did not grant them answers 403 (BROKER_TOOL_PAGES).
- Pages that take only POST answer a GET with 405 whoever asks (POST_ONLY_NAMES); who may POST
  is proved with real objects in tests/authz/test_broker_office.py.
- Object pages are requested with a real object of broker@'s own office; the same pages with
  objects of a sibling office and of another tenant are in tests/authz/test_broker_office.py.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice, Payment, PaymentAccount, PaymentSubmission, RecurringPayment
from brokers.access import broker_for
from brokers.models import Document
from commissions.models import CommissionStatement
from employers.access import Access
from employers.models import EmployerAdmin, GroupDocument, ReportDefinition
from employers.services import broker_access_grant, employer_user_invite
from portal.jobs.models import ReportJob
from portal.jobs.services import report_job_request
from portal.leaving import leaving_link
from providers.models import Authorization, Claim, MedicalPolicy
from tests.authz.urlconf import all_patterns
from tests.cast import BILLING_AND_ENROLLMENT, ROLES
from tests.factories import (
    AuthorizationFactory,
    ClaimFactory,
    CommissionLineFactory,
    CommissionStatementFactory,
    DocumentFactory,
    GroupDocumentFactory,
    InvoiceFactory,
    MedicalPolicyFactory,
    PaymentAccountFactory,
    RecurringPaymentFactory,
)

# How many URL patterns the matrix covers; update it together with the rules for a new page.
EXPECTED_PATTERN_COUNT = 544

ANONYMOUS = "anonymous"
LOGIN_PREFIX = "/accounts/login/"

# The short, explicit list of pages that need no login.
PUBLIC_URL_NAMES = {
    "home",  # the "Select your account type" landing page; signed-in users go to their home
    "terms",
    "healthz",
    "brokers:sign-in",
    "brokers:forgot-username",
    "brokers:register",
    "brokers:register-send",
    "brokers:register-complete",
    "employers:sign-in",
    "employers:forgot-username",
    "employers:register",
    "employers:register-complete",
    "providers:sign-in",
    # Provider registration: the wizard's later steps send a visitor back to the first step
    # missing; the completion link needs a real token.
    "providers:register",
    "providers:register-regions",
    "providers:register-account-type",
    "providers:register-user-type",
    "providers:register-details",
    "providers:register-submitted",
    "providers:register-complete",
    "account_login",
    "account_signup",  # says sign-up is closed; each audience registers through its own flow
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_logout",
}

AUDIENCES = {
    "brokers": {"broker", "staff", "upline", "broker2"},
    "employers": {"employer", "groupadmin", "employer2"},
    "providers": {"provider", "provideruser", "provider2"},
}

# allauth's pages for a signed-in user: their own password, email and second factors.
SELF_SERVICE_NAMES = {
    # These two belong to a login in progress; without one they send the user to log in.
    "account_confirm_login_code",
    "mfa_authenticate",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_email",
    "account_change_password",
    "account_set_password",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
}

# Broker-portal pages behind a tool, by the roles that lack it in the cast (staff@ holds Book of
# Business and Eligibility only); everyone else of the audience gets 200.
BROKER_TOOL_PAGES = {
    "brokers:statement-list": {"staff"},
    "brokers:statement-document": {"staff"},
    "brokers:staff-list": {"staff"},
    "brokers:staff-create": {"staff"},
    "brokers:staff-detail": {"staff"},
    "brokers:upline-access": {"staff"},
}
# Object pages requested with an object of broker@'s office (their staff user, the first group
# of their book, its subscriber, their commission statement): the roles named here get 200, the
# rest of the audience 404.
# The upline may view the book's group details, not its rosters.
BROKER_OFFICE_OBJECT_PAGES = {
    "brokers:statement-document": {"broker"},
    "brokers:staff-detail": {"broker"},
    "brokers:group-detail": {"broker", "staff", "upline"},
    "brokers:group-detail-xlsx": {"broker", "staff", "upline"},
    "brokers:subscriber-list": {"broker", "staff"},
    "brokers:subscriber-detail": {"broker", "staff"},
    # A bill of the first suffix, whose employer granted broker@'s office view_invoice; bills
    # of suffixes not granted and of other employers: tests/brokers/test_broker_bills.py.
    "brokers:invoice-detail": {"broker", "staff"},
    "brokers:invoice-document": {"broker", "staff"},
    # Working on the employer's behalf (see delegated_work): Manage Enrollment on the first
    # suffix (perform_enrollment granted) and Make a Payment there (pay_bill granted); the
    # first suffix's subscriber; employer@'s payment on that suffix. The saved report
    # definition is broker@'s own (run_reports granted). Suffixes not granted and other
    # employers: tests/brokers/test_broker_on_behalf.py, tests/employers/test_report_pages.py.
    "brokers:enrollment-enroll": {"broker", "staff"},
    "brokers:enrollment-member": {"broker", "staff"},
    "brokers:enrollment-member-update": {"broker", "staff"},
    "brokers:enrollment-dependent-add": {"broker", "staff"},
    "brokers:enrollment-plan-change": {"broker", "staff"},
    "brokers:enrollment-pcp-change": {"broker", "staff"},
    "brokers:enrollment-cancel": {"broker", "staff"},
    "brokers:enrollment-reinstate": {"broker", "staff"},
    "brokers:enrollment-cobra": {"broker", "staff"},
    "brokers:payment-make": {"broker", "staff"},
    "brokers:payment-account-list": {"broker", "staff"},
    "brokers:payment-confirmation": {"broker", "staff"},
    "brokers:payment-cancel": {"broker", "staff"},
    "brokers:report-definition-detail": {"broker"},
    "brokers:report-definition-edit": {"broker"},
    # Roster upload on the employer's behalf: the first suffix (perform_enrollment granted);
    # the problems' CSV is 404 to everyone here (no file checked in these sessions); the job
    # pages, a roster upload broker@ made there (the uploader's own: 404 to their office staff).
    # Suffixes not granted, other employers: tests/brokers/test_broker_roster_upload.py.
    "brokers:roster-upload": {"broker", "staff"},
    "brokers:roster-template": {"broker", "staff"},
    "brokers:roster-problems": {"broker", "staff"},
    "brokers:roster-problems-csv": set(),
    "brokers:roster-job": {"broker"},
    "brokers:roster-job-status": {"broker"},
}
# Employer pages requested with an object of employer@'s first suffix (the one groupadmin@ holds):
# the roles named here get 200, the rest of the audience (employer2@, another employer) 404.
EMPLOYER_OBJECT_PAGES = {
    # Manage Accounts: a delegate groupadmin@ created (see _employer_delegate); employer@ manages
    # everyone of the employer. Sibling suffixes: tests/authz/test_employer_accounts.py.
    "employers:user-detail": {"employer", "groupadmin"},
    "employers:document-download": {"employer", "groupadmin"},
    # Pay My Bill: a bill of the first suffix (see published_document); sibling suffixes:
    # tests/employers/test_bills.py.
    "employers:invoice-detail": {"employer", "groupadmin"},
    "employers:invoice-document": {"employer", "groupadmin"},
    # Roster upload: the suffix's pages, and employer@'s own upload job (see roster_job). The
    # problems' CSV is 404 to everyone here: it lists the problems of a file checked in the
    # same session, and these sessions checked none.
    "employers:roster-upload": {"employer", "groupadmin"},
    "employers:roster-template": {"employer", "groupadmin"},
    "employers:roster-problems": {"employer", "groupadmin"},
    "employers:roster-problems-csv": set(),
    "employers:roster-job": {"employer"},
    "employers:roster-job-status": {"employer"},
    # Manage Enrollment: the first suffix's subscriber (its enroll page: the suffix itself);
    # groupadmin@ holds perform_enrollment there. Sibling suffixes and a user without
    # perform_enrollment (403): tests/employers/test_enrollment_pages.py.
    "employers:enrollment-enroll": {"employer", "groupadmin"},
    "employers:enrollment-member": {"employer", "groupadmin"},
    "employers:enrollment-member-update": {"employer", "groupadmin"},
    "employers:enrollment-dependent-add": {"employer", "groupadmin"},
    "employers:enrollment-plan-change": {"employer", "groupadmin"},
    "employers:enrollment-pcp-change": {"employer", "groupadmin"},
    "employers:enrollment-cancel": {"employer", "groupadmin"},
    "employers:enrollment-reinstate": {"employer", "groupadmin"},
    "employers:enrollment-cobra": {"employer", "groupadmin"},
    # Bill changes: a bill of the first suffix. Sibling suffixes and users without
    # perform_enrollment / pay_bill: tests/employers/test_bill_change_pages.py.
    "employers:invoice-roster-change": {"employer", "groupadmin"},
    "employers:invoice-amount-change": {"employer", "groupadmin"},
    # Payments: employer@'s submission paying the first suffix's bill, the employer's payment
    # account and the first suffix's recurring payment (see payment_objects). Sibling suffixes
    # and users without pay_bill: tests/employers/test_payment_pages.py.
    "employers:payment-confirmation": {"employer", "groupadmin"},
    "employers:payment-cancel": {"employer", "groupadmin"},
    "employers:payment-account-rename": {"employer", "groupadmin"},
    "employers:payment-account-remove": {"employer", "groupadmin"},
    "employers:recurring-payment-cancel": {"employer", "groupadmin"},
    # Manage Broker Access: broker@, broker of record of employer@'s groups. Brokers not of
    # record and other employers: tests/employers/test_broker_access_pages.py.
    "employers:broker-access-detail": {"employer", "groupadmin"},
    "employers:broker-access-edit": {"employer", "groupadmin"},
    # Reports: employer@'s own saved definition (definitions are their owner's).
    "employers:report-definition-detail": {"employer"},
    "employers:report-definition-edit": {"employer"},
}
# Employer pages for client administrators only: a group administrator gets 403.
EMPLOYER_CLIENT_ADMIN_PAGES = {
    "employers:billing-preferences",
    "employers:broker-access-history",
    "employers:broker-access-detail",
    "employers:broker-access-edit",
}
# Provider-portal pages of a function (check_eligibility, inquire_claims, check_authorizations),
# by the roles holding it on none of their Tax IDs: they get 403. provider@ administers users and
# holds no function; provideruser@ holds eligibility only.
PROVIDER_FUNCTION_PAGES = {
    "providers:patient-info": {"provider"},
    "providers:member-detail": {"provider"},
    "providers:benefit-schedule": {"provider"},
    "providers:claim-list": {"provider", "provideruser"},
    "providers:claim-detail": {"provider", "provideruser"},
    "providers:authorization-search": {"provider", "provideruser"},
    "providers:authorization-detail": {"provider", "provideruser"},
}
# Provider object pages requested with a claim and an authorization of provider2@'s Tax ID (see
# _provider_transactions): the roles named here get 200, the rest of the audience 403 (above) or
# 404. Any member's eligibility is open to a user with check_eligibility. Sibling Tax IDs and
# other organisations, with real objects: tests/providers/test_provider_access.py.
# Provider pages for delegated administrators (Manage Users): end users get 403. The user page
# is requested with provideruser@, an end user of provider@'s office; other offices' users:
# tests/providers/test_provider_users.py.
PROVIDER_ADMIN_PAGES = {
    "providers:user-list",
    "providers:user-create",
    "providers:user-detail",
    "providers:profile-email-update",
}
# Provider pages that send a signed-in user elsewhere: the first sign-in steps once it is done
# (to the home page), medical policies until the Important Notice is acknowledged (to it).
PROVIDER_REDIRECT_PAGES = {
    "providers:first-sign-in",
    "providers:first-sign-in-terms",
    "providers:first-sign-in-password",
    "providers:first-sign-in-authenticator",
    "providers:policy-list",
    "providers:policy-detail",
}
PROVIDER_OBJECT_PAGES = {
    "providers:claim-detail": {"provider2"},
    "providers:authorization-detail": {"provider2"},
}
POST_ONLY_NAMES = {
    "brokers:quick-eligibility",
    "brokers:register-send",
    "brokers:account-phone",
    "brokers:license-primary",
    "brokers:broker-code-select",
    "brokers:staff-disable",
    "brokers:staff-enable",
    "brokers:staff-password-reset",
    "brokers:staff-registration-resend",
    "employers:user-disable",
    "employers:user-enable",
    "employers:user-password-reset",
    "employers:user-registration-resend",
    "employers:broker-access-revoke",
    "employers:report-definition-run",
    "employers:report-definition-delete",
    "brokers:report-definition-run",
    "brokers:report-definition-delete",
    "admin:audit_auditevent_export",
    "providers:user-disable",
    "providers:user-enable",
    "providers:user-sign-in-resend",
    "providers:user-password-reset",
}

# Values for the parameters in routes. Objects that may not exist give 404, never 500.
SAMPLE_ARGS = {
    "token": "not-a-real-token",
    "key": "not-a-real-key",
    "uidb36": "1",
    "pk": "999999",
    "url": "no-such-page/",
    "app_label": "enrollment",
    "format": "pdf",
}


# Report jobs are their requester's own: everyone's list answers 200, the broker's finished
# roster job answers 200 to the broker and 404 to everyone else (their own office staff
# included), and the request view answers only POST.
JOBS_STATUS = {"jobs:job-list": 200, "jobs:job-create": 405}
JOB_OWNER = "broker"


def _admin_model(pattern):
    """The model behind an admin pattern, from its name or route, or None."""
    for model in admin.site._registry:
        meta = model._meta
        if pattern.name.startswith(
            f"admin:{meta.app_label}_{meta.model_name}_"
        ) or pattern.route.startswith(f"admin/{meta.app_label}/{meta.model_name}/"):
            return model
    return None


def _path_for(pattern, job=None, cast=None):
    kwargs = {}
    for param in pattern.converters:
        if param == "pk" and pattern.name.startswith("jobs:"):
            kwargs[param] = str(job.pk)
        elif param == "pk" and pattern.name.startswith("brokers:staff-"):
            kwargs[param] = str(cast.staff.pk)
        elif param == "pk" and pattern.name == "brokers:license-primary":
            kwargs[param] = str(cast.broker.broker.licenses.first().pk)
        elif param == "pk" and pattern.name in (
            "brokers:group-detail",
            "brokers:group-detail-xlsx",
            "brokers:subscriber-list",
        ):
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "pk" and pattern.name == "brokers:document-download":
            kwargs[param] = str(Document.objects.get().pk)
        elif param == "group_pk" and pattern.name == "employers:enrollment-enroll":
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "group_pk" and pattern.name in (
            "brokers:enrollment-enroll",
            "brokers:payment-make",
            "brokers:payment-account-list",
        ):
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "pk" and pattern.name in (
            "brokers:roster-upload",
            "brokers:roster-template",
            "brokers:roster-problems",
            "brokers:roster-problems-csv",
        ):
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "pk" and pattern.name in ("brokers:roster-job", "brokers:roster-job-status"):
            job = ReportJob.objects.get(kind="employer_roster_upload", requester=cast.broker)
            kwargs[param] = str(job.pk)
        elif param == "pk" and pattern.name.startswith("brokers:enrollment-"):
            kwargs[param] = str(cast.members[cast.employer_groups[0].number].pk)
        elif param == "pk" and pattern.name in (
            "brokers:payment-confirmation",
            "brokers:payment-cancel",
        ):
            kwargs[param] = str(PaymentSubmission.objects.get().pk)
        elif param == "pk" and pattern.name.startswith("employers:report-definition-"):
            kwargs[param] = str(ReportDefinition.objects.get(owner=cast.employer).pk)
        elif param == "pk" and pattern.name.startswith("brokers:report-definition-"):
            kwargs[param] = str(ReportDefinition.objects.get(owner=cast.broker).pk)
        elif param == "pk" and pattern.name == "access_review:group-review":
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "pk" and pattern.name == "access_review:user-review":
            kwargs[param] = str(cast.broker.pk)
        elif param == "pk" and pattern.name.startswith("employers:enrollment-"):
            kwargs[param] = str(cast.members[cast.employer_groups[0].number].pk)
        elif param == "pk" and pattern.name in (
            "employers:roster-upload",
            "employers:roster-template",
            "employers:roster-problems",
            "employers:roster-problems-csv",
        ):
            kwargs[param] = str(cast.employer_groups[0].pk)
        elif param == "pk" and pattern.name in (
            "employers:roster-job",
            "employers:roster-job-status",
        ):
            job = ReportJob.objects.get(kind="employer_roster_upload", requester=cast.employer)
            kwargs[param] = str(job.pk)
        elif param == "pk" and pattern.name == "employers:document-download":
            kwargs[param] = str(GroupDocument.objects.get(group=cast.employer_groups[0]).pk)
        elif param == "pk" and pattern.name == "employers:invoice-detail":
            kwargs[param] = str(Invoice.objects.get(group=cast.employer_groups[0]).pk)
        elif param == "pk" and pattern.name in (
            "employers:invoice-document",
            "brokers:invoice-detail",
            "brokers:invoice-document",
            "employers:invoice-roster-change",
            "employers:invoice-amount-change",
        ):
            kwargs[param] = str(Invoice.objects.get(group=cast.employer_groups[0]).pk)
        elif param == "pk" and pattern.name in (
            "employers:payment-confirmation",
            "employers:payment-cancel",
        ):
            kwargs[param] = str(PaymentSubmission.objects.get().pk)
        elif param == "pk" and pattern.name.startswith("employers:payment-account-"):
            kwargs[param] = str(PaymentAccount.objects.get().pk)
        elif param == "pk" and pattern.name == "employers:recurring-payment-cancel":
            kwargs[param] = str(RecurringPayment.objects.get().pk)
        elif param == "pk" and pattern.name.startswith("employers:broker-access-"):
            kwargs[param] = str(broker_for(cast.broker).pk)
        elif param == "pk" and pattern.name.startswith("providers:user-"):
            kwargs[param] = str(cast.provideruser.pk)
        elif param == "pk" and pattern.name == "providers:policy-detail":
            kwargs[param] = str(MedicalPolicy.objects.get().pk)
        elif param == "pk" and pattern.name.startswith("employers:user-"):
            delegate = EmployerAdmin.objects.get(level="delegate", created_by=cast.groupadmin)
            kwargs[param] = str(delegate.user_id)
        elif param == "pk" and pattern.name == "brokers:subscriber-detail":
            kwargs[param] = str(cast.members[cast.employer_groups[0].number].pk)
        elif param == "pk" and pattern.name in (
            "providers:member-detail",
            "providers:benefit-schedule",
        ):
            kwargs[param] = str(cast.members[cast.employer_groups[0].number].pk)
        elif param == "pk" and pattern.name == "providers:claim-detail":
            kwargs[param] = str(Claim.objects.get(tax_id=cast.other_tax_id).pk)
        elif param == "pk" and pattern.name == "providers:authorization-detail":
            kwargs[param] = str(Authorization.objects.get(tax_id=cast.other_tax_id).pk)
        elif pattern.name == "brokers:statement-document":
            statement = CommissionStatement.objects.get(
                broker_code=cast.broker.broker.codes.get().code
            )
            kwargs = {
                "broker_code": statement.broker_code,
                "name": statement.document_name,
                "format": "pdf",
            }
            break
        elif param in ("object_id", "id"):
            model = _admin_model(pattern)
            obj = model._default_manager.order_by("pk").first() if model else None
            kwargs[param] = str(obj.pk) if obj else "999999"
        elif param == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            kwargs[param] = str(
                ContentType.objects.get_for_model(apps.get_model("enrollment", "Group")).pk
            )
        else:
            kwargs[param] = SAMPLE_ARGS[param]
    if pattern.name == "providers:leaving":
        # The notice shows only addresses the portal signed (400 for anything else).
        return leaving_link(reverse(pattern.name), "https://www.cms.gov/")
    if pattern.named:
        return reverse(pattern.name, kwargs=kwargs)
    # Unnamed admin patterns (the old-style object URL redirect, the catch-all).
    route = "/" + pattern.route
    for param, value in kwargs.items():
        route = route.replace(f"<path:{param}>", value).replace(f"(?P<{param}>.*)$", value)
    return route


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIX)


def _check_ops_admin(pattern, user, status):
    """Ops staff see a changelist exactly when their role may view that model."""
    model = _admin_model(pattern)
    if model is not None and pattern.name.endswith("_changelist"):
        meta = model._meta
        allowed = user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
        return (
            None
            if status == (200 if allowed else 403)
            else f"{200 if allowed else 403} by their role"
        )
    if pattern.name == "admin:index":
        return None if status == 200 else "the admin index"
    # Object pages, add/delete forms, redirects; logout answers only POST.
    return None if status in (200, 302, 403, 404, 405) else "an admin page, a redirect or a 403"


def _check(pattern, role, response, user=None):
    """None when the response is what the role should get, else what was expected."""
    status = response.status_code
    name = pattern.name
    if status >= 500:
        return "no server error"
    if role == ANONYMOUS:
        if name in PUBLIC_URL_NAMES:
            return None if not _is_login_redirect(response) else "a public page"
        if name.startswith("admin:") or pattern.route.startswith("admin/"):
            return None if status == 302 else "a redirect to the login"
        return None if _is_login_redirect(response) else "a redirect to the login"
    if name.startswith("admin:") or pattern.route.startswith("admin/"):
        if role != "ops":
            return None if status != 200 else "no admin page for non-ops users"
        return _check_ops_admin(pattern, user, status)
    if name in POST_ONLY_NAMES:
        return None if status == 405 else "405: it takes only POST"
    if name in PUBLIC_URL_NAMES or name in SELF_SERVICE_NAMES:
        return None if status in (200, 302, 404, 405) else "their own account page"
    if name == "home":
        return None if status == 302 else "a redirect to their home"
    if name.startswith("jobs:"):
        wanted = JOBS_STATUS.get(name, 200 if role == JOB_OWNER else 404)
        return None if status == wanted else f"{wanted} for report jobs"
    audience = name.split(":", 1)[0]
    if audience in AUDIENCES:
        if role not in AUDIENCES[audience]:
            return None if status == 404 else "404 for another audience"
        if role in BROKER_TOOL_PAGES.get(name, ()):
            return None if status == 403 else "403: a tool their broker did not grant"
        if name in BROKER_OFFICE_OBJECT_PAGES and role not in BROKER_OFFICE_OBJECT_PAGES[name]:
            return None if status == 404 else "404: another office's object"
        if role in PROVIDER_FUNCTION_PAGES.get(name, ()):
            return None if status == 403 else "403: a function they hold on no Tax ID"
        if name in PROVIDER_OBJECT_PAGES and role not in PROVIDER_OBJECT_PAGES[name]:
            return None if status == 404 else "404: another Tax ID's object"
        if name in PROVIDER_ADMIN_PAGES and role in ("provideruser", "provider2"):
            return None if status == 403 else "403: for delegated administrators"
        if name in PROVIDER_REDIRECT_PAGES:
            return None if status == 302 else "a redirect (first sign-in done, notice first)"
        if name in EMPLOYER_CLIENT_ADMIN_PAGES and role == "groupadmin":
            return None if status == 403 else "403: for client administrators"
        if name in EMPLOYER_OBJECT_PAGES and role not in EMPLOYER_OBJECT_PAGES[name]:
            return None if status == 404 else "404: another employer's object"
        return None if status == 200 else "200 for their own audience"
    return f"a rule for {name}"


def _has_rule(pattern):
    name = pattern.name
    return (
        name in PUBLIC_URL_NAMES
        or name in SELF_SERVICE_NAMES
        or name == "home"
        or name.startswith("admin:")
        or pattern.route.startswith("admin/")
        or name.startswith("jobs:")
        or name.split(":", 1)[0] in AUDIENCES
    )


def test_every_url_pattern_has_a_rule():
    patterns = all_patterns()
    missing = [p.name for p in patterns if not _has_rule(p)]
    assert not missing, f"URL patterns missing from the access matrix: {missing}"
    assert len(patterns) == EXPECTED_PATTERN_COUNT, (
        f"The URLconf has {len(patterns)} patterns; the matrix expects {EXPECTED_PATTERN_COUNT}. "
        "Add rules for the new pages, then update EXPECTED_PATTERN_COUNT."
    )


@pytest.fixture(autouse=True)
def _employer_delegate(request):
    """A delegate groupadmin@ created on their suffix, for the Manage Accounts user pages;
    made for every test that builds the cast (autouse, so that no test's signature changes)."""
    if "cast" not in request.fixturenames:
        return
    cast = request.getfixturevalue("cast")
    employer_user_invite(
        employer=cast.employer_groups[0].parent.employer,
        email="delegate@tpa.example",
        first_name="Dee",
        last_name="Legate",
        level="delegate",
        access=Access(frozenset({cast.employer_groups[0].pk}), frozenset({"enrollment_view"})),
        by=cast.groupadmin,
    )


@pytest.fixture(autouse=True)
def _provider_transactions(request):
    """A claim and an authorization of provider2@'s Tax ID, for their detail pages; made for
    every test that builds the cast (autouse, so that no test's signature changes)."""
    if "cast" not in request.fixturenames:
        return
    cast = request.getfixturevalue("cast")
    member = cast.members[cast.other_employer_group.number]
    ClaimFactory(member=member, tax_id=cast.other_tax_id)
    AuthorizationFactory(member=member, tax_id=cast.other_tax_id)


@pytest.fixture
def published_document(cast):
    """A published document in Forms & Brochures, and one of employer@'s first suffix in Group
    Documents, for their download pages; and a bill of that suffix, for its page."""
    GroupDocumentFactory(group=cast.employer_groups[0])
    InvoiceFactory(group=cast.employer_groups[0])
    return DocumentFactory()


@pytest.fixture
def payment_objects(cast, published_document):
    """employer@'s payment account, a submission paying part of the first suffix's bill from it
    next week (so that it can still be cancelled), and the suffix's recurring payment; and a published medical policy, for their pages."""
    group = cast.employer_groups[0]
    account = PaymentAccountFactory(employer=group.parent.employer, created_by=cast.employer)
    submission = PaymentSubmission.objects.create(
        employer=group.parent.employer, idempotency_key="matrix-1", submitted_by=cast.employer
    )
    invoice = Invoice.objects.get(group=group)
    Payment.objects.create(
        group=group,
        invoice=invoice,
        amount=1,
        received_on=timezone.localdate() + datetime.timedelta(days=7),
        method=Payment.Method.ACH,
        status=Payment.Status.SCHEDULED,
        account=account,
        submission=submission,
        recorded_by=cast.employer,
    )
    RecurringPaymentFactory(group=group, account=account, created_by=cast.employer)
    MedicalPolicyFactory()


@pytest.fixture
def delegated_work(cast):
    """employer@ lets broker@ also pay the first suffix's bill and run reports on it; a report
    definition saved by each of them, for the definitions' pages."""
    group = cast.employer_groups[0]
    broker_access_grant(
        group=group,
        broker=cast.broker.broker,
        functions=[*BILLING_AND_ENROLLMENT, "pay_bill", "run_reports"],
        by=cast.employer,
    )
    for owner in (cast.employer, cast.broker):
        ReportDefinition.objects.create(
            owner=owner,
            employer=group.parent.employer,
            name="Monthly roster",
            kind=ReportDefinition.Kind.ROSTER,
        )


@pytest.fixture
def roster_job(cast):
    """A roster upload employer@ made to their first suffix, and one broker@ made there on the
    employer's behalf, for their job pages."""
    for requester in (cast.employer, cast.broker):
        ReportJob.objects.create(
            requester=requester,
            kind="employer_roster_upload",
            parameters={
                "group": cast.employer_groups[0].pk,
                "upload": "",
                "filename": "roster.csv",
            },
        )


@pytest.fixture
def own_statement(cast):
    """This month's commission statement of broker@'s Broker ID, for its document's page."""
    code = cast.broker.broker.codes.get().code
    today = timezone.localdate()
    return CommissionLineFactory(
        statement=CommissionStatementFactory(
            broker_code=code, period=today.replace(day=1), statement_date=today
        )
    ).statement


@pytest.fixture
def finished_job(cast, django_capture_on_commit_callbacks):
    """A roster export the broker requested, run to completion so that it can be downloaded."""
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(
            user=cast.users[JOB_OWNER],
            kind="group_roster_xlsx",
            parameters={"group": str(cast.employer_groups[0].pk)},
        )
    job.refresh_from_db()
    assert job.status == job.Status.DONE
    return job


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_access_matrix(
    role,
    cast,
    client,
    finished_job,
    published_document,
    own_statement,
    roster_job,
    payment_objects,
    delegated_work,
):
    if role != ANONYMOUS:
        client.force_login(cast.users[role])
    failures = []
    checked = 0
    for pattern in all_patterns():
        path = _path_for(pattern, finished_job, cast)
        response = client.get(path)
        checked += 1
        expected = _check(pattern, role, response, cast.users.get(role))
        if expected:
            failures.append(
                f"{pattern.name} GET {path} -> {response.status_code}, expected {expected}"
            )
    assert not failures, f"{role}:\n" + "\n".join(failures)
    assert checked == EXPECTED_PATTERN_COUNT


def test_the_anonymous_surface_is_exactly_the_public_list(
    client,
    cast,
    finished_job,
    published_document,
    own_statement,
    roster_job,
    payment_objects,
    delegated_work,
):
    """Every page an anonymous user can reach without a login redirect is on the public list."""
    reachable = set()
    for pattern in all_patterns():
        if pattern.name.startswith("admin:") or pattern.route.startswith("admin/"):
            continue
        if not _is_login_redirect(client.get(_path_for(pattern, finished_job, cast))):
            reachable.add(pattern.name)
    assert reachable == PUBLIC_URL_NAMES
