from django.urls import path, re_path

from brokers.views import (
    account,
    book,
    commissions,
    delegated_groups,
    eligibility,
    groups,
    pages,
    registration,
    resources,
    sign_in,
    staff,
)
from employers.urls import bill_patterns, enrollment_patterns, report_patterns, roster_patterns
from employers.views import payments

app_name = "brokers"

urlpatterns = [
    # Public: the broker's front door and self-registration.
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("forgot-username/", sign_in.forgot_username, name="forgot-username"),
    path("register/", registration.start, name="register"),
    path("register/send/", registration.send_email, name="register-send"),
    path("register/complete/<str:token>/", registration.complete, name="register-complete"),
    # The portal.
    path("", pages.home, name="home"),
    # Commission Statements: the acting Broker ID's statements, and their files by name.
    path("commission-statements/", commissions.statement_list, name="statement-list"),
    re_path(
        r"^commission-statements/(?P<broker_code>[A-Z0-9]{1,12})/"
        r"(?P<name>[A-Z0-9_-]{1,60})\.(?P<format>pdf|xlsx)$",
        commissions.statement_document,
        name="statement-document",
    ),
    # Book of Business: the broker's groups, filtered, sorted and paged.
    path("book-of-business/", book.group_list, name="group-list"),
    path("book-of-business/alerts/", book.alert_legend, name="alert-legend"),
    # (end of Book of Business)
    # Group details and subscribers.
    path("groups/<int:pk>/", groups.group_detail, name="group-detail"),
    path("groups/<int:pk>/details.xlsx", groups.group_detail_xlsx, name="group-detail-xlsx"),
    path("groups/<int:pk>/subscribers/", groups.subscriber_list, name="subscriber-list"),
    path("subscribers/<int:pk>/", groups.subscriber_detail, name="subscriber-detail"),
    # (end of group details and subscribers)
    # Eligibility, Status & Activity.
    path("eligibility/", eligibility.eligibility, name="eligibility"),
    path("eligibility/quick/", eligibility.quick_check, name="quick-eligibility"),
    path("eligibility/applications/", eligibility.application_list, name="application-list"),
    path(
        "eligibility/group-billing-enrollment/",
        delegated_groups.delegated_group_list,
        name="delegated-group-list",
    ),
    # (end of Eligibility, Status & Activity)
    # Group bills: the employer portal's bill and payment history views, for the groups whose
    # employers granted the office billing view (employers.access.employer_or_broker).
    *bill_patterns,
    # Make a Payment for one group whose employer granted the office pay_bill, from the
    # employer's saved accounts (listed read-only); the confirmation's pk is the submission's.
    path("billing/groups/<int:group_pk>/pay/", payments.payment_make, name="payment-make"),
    path("billing/pay/<int:pk>/", payments.payment_confirmation, name="payment-confirmation"),
    path("billing/pay/<int:pk>/cancel/", payments.payment_cancel, name="payment-cancel"),
    path(
        "billing/groups/<int:group_pk>/accounts/",
        payments.payment_account_list,
        name="payment-account-list",
    ),
    # (end of Group bills)
    # Reports on an employer's behalf: the employer portal's report views, for the groups whose
    # employers granted the office run_reports.
    *report_patterns,
    # (end of Reports)
    # Manage Enrollment on an employer's behalf: the employer portal's views, for the groups
    # whose employers granted the office perform_enrollment.
    *enrollment_patterns,
    # Roster upload on an employer's behalf, for the same groups.
    *roster_patterns,
    # (end of on the employer's behalf)
    # Sales & Quoting Resources, Support Tools.
    path("sales-resources/", resources.document_list, name="sales-resources"),
    path(
        "sales-resources/<int:pk>/download/",
        resources.document_download,
        name="document-download",
    ),
    path("support/", resources.support, name="support"),
    # (end of Sales & Quoting Resources, Support Tools)
    # My Account: details, profiles, the Broker ID the dashboard is viewed for.
    path("account/", account.account, name="account"),
    path("account/phone/", account.phone_update, name="account-phone"),
    path("account/profiles/<int:pk>/primary/", account.license_primary, name="license-primary"),
    path("account/broker-id/", account.broker_code_select, name="broker-code-select"),
    # Manage Accounts: office staff users and the upline's view.
    path("account/staff/", staff.staff_list, name="staff-list"),
    path("account/staff/new/", staff.staff_create, name="staff-create"),
    path("account/staff/<int:pk>/", staff.staff_detail, name="staff-detail"),
    path("account/staff/<int:pk>/disable/", staff.staff_disable, name="staff-disable"),
    path("account/staff/<int:pk>/enable/", staff.staff_enable, name="staff-enable"),
    path(
        "account/staff/<int:pk>/password-reset/",
        staff.staff_password_reset,
        name="staff-password-reset",
    ),
    path(
        "account/staff/<int:pk>/registration-email/",
        staff.staff_registration_resend,
        name="staff-registration-resend",
    ),
    path("account/upline/", staff.upline_access, name="upline-access"),
]
